package org.vfiobroker.grant.web;

import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.vfiobroker.grant.Grant;
import org.vfiobroker.grant.GrantService;
import org.vfiobroker.grant.GrantState;
import org.vfiobroker.inventory.web.GroupHolders;

/** The inventory pages' view of who holds a group: the grants that hold groups now. */
@Component
class GrantGroupHolders implements GroupHolders {

    private final GrantService grants;

    GrantGroupHolders(GrantService grants) {
        this.grants = grants;
    }

    @Override
    public Map<Integer, String> holders() {
        Map<Integer, String> out = new HashMap<>();
        for (GrantState s : GrantState.HOLDING) {
            for (Grant g : grants.list(s, null, 4096)) {
                for (Integer group : g.groups()) {
                    out.put(group, g.getUnixUser() + " (grant " + g.getId() + ")");
                }
            }
        }
        return out;
    }
}
