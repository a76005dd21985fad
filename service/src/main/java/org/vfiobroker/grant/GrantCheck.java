package org.vfiobroker.grant;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.GrantProperties;
import org.vfiobroker.policy.PolicyService;
import org.vfiobroker.policy.Pool;
import org.vfiobroker.policy.PoolService;
import org.vfiobroker.policy.QuotaRules;
import org.vfiobroker.policy.UnixNames;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.policy.UnixUsers;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.security.Roles;

/**
 * What a grant request would meet, without reserving or changing anything: the Unix user, the pool and the
 * policy that applies, the quota arithmetic against what the user holds now, and how many free takeable
 * groups the pool has. The dashboard shows it live while the form changes; the request itself checks again
 * under the grantee's lock ({@link GrantService}).
 */
@Service
public class GrantCheck {

    private final InventoryService inventory;
    private final PoolService pools;
    private final PolicyService policies;
    private final UnixUsers users;
    private final GrantProperties properties;
    private final HoldingQueries heldNow;

    GrantCheck(InventoryService inventory, PoolService pools, PolicyService policies, UnixUsers users,
               GrantProperties properties, HoldingQueries heldNow) {
        this.inventory = inventory;
        this.pools = pools;
        this.policies = policies;
        this.users = users;
        this.properties = properties;
        this.heldNow = heldNow;
    }

    /**
     * @param allowed   whether the request would pass the policy and find its groups now
     * @param reasons   why not, each a sentence; empty when allowed
     * @param policy    the policy that applies, {@code null} for named groups or when none applies
     * @param holding   what the user holds now under that policy ({@code null} without one)
     * @param freeGroups free takeable groups of the pool (for named groups: how many of them are free and takeable)
     */
    public record Result(boolean allowed, List<String> reasons, GrantPolicy policy, QuotaRules.Holding holding,
                         int freeGroups) {
    }

    @PreAuthorize(Roles.GRANTERS)
    @Transactional(readOnly = true)
    public Result check(String unixUser, String poolName, Integer count, List<Integer> groups, Long memlockBytes,
                        Long durationSeconds) {
        List<String> reasons = new ArrayList<>();
        if (!inventory.host().grantsPossible()) {
            reasons.addAll(inventory.host().grantBlockers());
        }
        UnixUser user = null;
        try {
            user = UnixNames.grantee(users, "unixUser", unixUser, properties.minUid());
        } catch (ProblemException e) {
            reasons.add(e.getMessage());
        }
        Set<Integer> held = heldNow.heldGroups();
        boolean named = groups != null && !groups.isEmpty();
        if (named) {
            int free = 0;
            for (int id : groups) {
                Optional<IommuGroup> g = inventory.findGroup(id);
                if (g.isEmpty()) {
                    reasons.add("IOMMU group " + id + " does not exist on this host");
                } else if (held.contains(id)) {
                    reasons.add("IOMMU group " + id + " is held by grant " + heldNow.holderOf(id).map(String::valueOf)
                            .orElse("(another)"));
                } else if (!g.get().takeable().takeable()) {
                    g.get().takeable().blockers().forEach(b -> reasons.add("group " + id + ": " + b.reason()));
                } else {
                    free++;
                }
            }
            return new Result(reasons.isEmpty(), reasons, null, null, free);
        }
        if (poolName == null || poolName.isBlank()) {
            reasons.add("Choose a pool, or name groups");
            return new Result(false, reasons, null, null, 0);
        }
        // Not getByName: its refusal would mark this read-only transaction for rollback.
        Optional<Pool> found = pools.findByName(poolName.strip());
        if (found.isEmpty()) {
            reasons.add("No pool named '" + poolName.strip() + "'");
            return new Result(false, reasons, null, null, 0);
        }
        Pool pool = found.get();
        int free = freeGroups(pool, held);
        int n = count == null ? 1 : count;
        if (free < n) {
            reasons.add("Pool '" + pool.getName() + "' has " + free + " free takeable group(s); " + n + " asked for");
        }
        if (user == null) {
            return new Result(false, reasons, null, null, free);
        }
        Optional<GrantPolicy> policy = policies.applicable(pool, user);
        if (policy.isEmpty()) {
            reasons.add("No policy lets Unix user '" + user.name() + "' receive from pool '" + pool.getName() + "'");
            return new Result(false, reasons, null, null, free);
        }
        QuotaRules.Holding holding = new QuotaRules.Holding(
                (int) Math.min(Integer.MAX_VALUE, heldNow.heldFromPool(user.uid(), pool.getId())),
                heldNow.memlockHeld(user.uid()));
        QuotaRules.Decision d = QuotaRules.check(policy.get().limits(), holding, n,
                memlockBytes == null ? 0 : memlockBytes, durationSeconds == null ? 0 : durationSeconds);
        switch (d.breach()) {
            case GROUPS -> reasons.add("The policy allows " + d.limit() + " group(s) at once; " + user.name()
                    + " holds " + (d.limit() - d.remaining()) + " and asks for " + d.requested());
            case MEMLOCK -> reasons.add("The policy allows " + bytes(d.limit()) + " of locked memory in all; "
                    + bytes(d.remaining()) + " remain and " + bytes(d.requested()) + " are asked for");
            case LEASE -> reasons.add("The policy allows leases of at most " + hours(d.limit()) + "; "
                    + hours(d.requested()) + " asked for");
            case NONE -> {
            }
        }
        return new Result(reasons.isEmpty(), reasons, policy.get(), holding, free);
    }

    private int freeGroups(Pool pool, Set<Integer> held) {
        InventoryService.Snapshot s = inventory.snapshot();
        int free = 0;
        for (IommuGroup g : s.groups()) {
            if (held.contains(g.id()) || !g.takeable().takeable()) {
                continue;
            }
            List<PciFunction> members = g.members().stream().map(s.devicesByAddress()::get).filter(f -> f != null)
                    .toList();
            if (pool.selector().selectsGroup(members)) {
                free++;
            }
        }
        return free;
    }

    /** Bytes as people read them (whole KiB, MiB, GiB where exact). */
    static String bytes(long b) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        while (u < units.length - 1 && b >= 1024 && b % 1024 == 0) {
            b /= 1024;
            u++;
        }
        return b + " " + units[u];
    }

    static String hours(long seconds) {
        return seconds % 3600 == 0 ? (seconds / 3600) + " hour(s)" : seconds + " seconds";
    }
}
