package org.vfiobroker.grant.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.vfiobroker.grant.Grant;
import org.vfiobroker.grant.GrantService;
import org.vfiobroker.grant.GrantState;
import org.vfiobroker.inventory.web.QuotaOverview;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.PolicyService;

/** Per policy, what the grants holding groups under it use: for the grants page and the overview. */
@Component
class GrantQuotas implements QuotaOverview {

    static final int LIMIT = 4096;

    private final GrantService grants;
    private final PolicyService policies;

    GrantQuotas(GrantService grants, PolicyService policies) {
        this.grants = grants;
        this.policies = policies;
    }

    /** What the holding grants under one policy use of it. */
    record QuotaUse(GrantPolicy policy, int groups, long memlockBytes) {
    }

    List<QuotaUse> uses() {
        List<Grant> holding = new ArrayList<>();
        for (GrantState s : GrantState.HOLDING) {
            holding.addAll(grants.list(s, null, LIMIT));
        }
        Map<Long, QuotaUse> byPolicy = new LinkedHashMap<>();
        for (GrantPolicy p : policies.list()) {
            byPolicy.put(p.getId(), new QuotaUse(p, 0, 0));
        }
        for (Grant g : holding) {
            QuotaUse q = g.getPolicyId() == null ? null : byPolicy.get(g.getPolicyId());
            if (q != null) {
                byPolicy.put(g.getPolicyId(), new QuotaUse(q.policy(), q.groups() + g.groups().size(),
                        q.memlockBytes() + g.getMemlockBytes()));
            }
        }
        return List.copyOf(byPolicy.values());
    }

    @Override
    public List<Line> lines() {
        return uses().stream().map(q -> new Line(q.policy().getPool().getName(), q.policy().getSubjectKind().name(),
                q.policy().getSubjectName(), q.groups(), q.policy().limits().maxGroups(), q.memlockBytes(),
                q.policy().limits().maxMemlockBytes())).toList();
    }
}
