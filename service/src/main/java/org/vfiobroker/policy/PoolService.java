package org.vfiobroker.policy;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;
import org.vfiobroker.security.Roles;

/** Pools: any role reads, ADMIN changes. Every change is audited in its transaction. */
@Service
@Transactional
public class PoolService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final PoolRepository pools;
    private final PolicyRepository policies;
    private final InventoryService inventory;
    private final AuditLog audit;
    private final Clock clock;

    PoolService(PoolRepository pools, PolicyRepository policies, InventoryService inventory, AuditLog audit,
                Clock clock) {
        this.pools = pools;
        this.policies = policies;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
    }

    @PreAuthorize(Roles.ANY)
    @Transactional(readOnly = true)
    public List<Pool> list() {
        return pools.findAllByOrderByNameAsc();
    }

    @PreAuthorize(Roles.ANY)
    @Transactional(readOnly = true)
    public Pool get(long id) {
        return pools.findById(id).orElseThrow(() -> notFound(id));
    }

    /** The pool of that name, for grant requests. */
    @Transactional(readOnly = true)
    public Pool getByName(String field, String name) {
        return pools.findByName(name).orElseThrow(() -> new ProblemException(ProblemType.POOL_NOT_FOUND,
                field + ": no pool named '" + UnixNames.printable(name) + "'; GET /api/v1/pools lists them")
                .with("field", field));
    }

    /** The pool of that name, if there is one: for checks that report instead of refusing. */
    @Transactional(readOnly = true)
    public java.util.Optional<Pool> findByName(String name) {
        return pools.findByName(name);
    }

    /** The groups the selector selects on the host now (every endpoint matches), in number order. */
    @Transactional(propagation = Propagation.SUPPORTS) // reads the inventory, not the database
    public List<Integer> groupsOf(PoolSelector selector) {
        InventoryService.Snapshot s = inventory.snapshot();
        return s.groups().stream()
                .filter(g -> selector.selectsGroup(g.members().stream().map(s.devicesByAddress()::get)
                        .filter(f -> f != null).toList()))
                .map(IommuGroup::id).toList();
    }

    @PreAuthorize(Roles.ADMIN)
    public Pool create(String name, String description, PoolSelector selector) {
        check(name, description);
        if (pools.findByName(name).isPresent()) {
            throw exists(name);
        }
        Pool pool = new Pool(name, description, selector, now());
        try {
            pools.insert(pool);
        } catch (DuplicateKeyException e) {
            throw exists(name);
        }
        audit.record("pool.create", "pool:" + pool.getId(), Outcome.SUCCESS, "name=" + name + " " + describe(selector));
        return pool;
    }

    @PreAuthorize(Roles.ADMIN)
    public Pool update(long id, String name, String description, PoolSelector selector) {
        check(name, description);
        Pool pool = get(id);
        pools.findByName(name).filter(other -> !other.getId().equals(id)).ifPresent(other -> {
            throw exists(name);
        });
        pool.set(name, description, selector, now());
        try {
            pools.update(pool);
        } catch (DuplicateKeyException e) {
            throw exists(name); // taken by a concurrent request since the look above
        }
        audit.record("pool.update", "pool:" + id, Outcome.SUCCESS, "name=" + name + " " + describe(selector));
        return pool;
    }

    @PreAuthorize(Roles.ADMIN)
    public void delete(long id) {
        Pool pool = get(id);
        if (policies.existsByPoolId(id)) {
            throw new ProblemException(ProblemType.POOL_IN_USE, "Pool '" + pool.getName()
                    + "' is named by policies; delete or change them first (GET /api/v1/policies)")
                    .with("poolId", id);
        }
        pools.delete(id);
        audit.record("pool.delete", "pool:" + id, Outcome.SUCCESS, "name=" + pool.getName());
    }

    private static void check(String name, String description) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("name", "name: '" + (name == null ? "" : UnixNames.printable(name))
                    + "' is not a pool name; 1 to 64 characters, letters, digits, '.', '_', '-', starting with a"
                    + " letter or digit");
        }
        if (description != null && description.length() > 256) {
            throw new InvalidInputException("description", "description: at most 256 characters (got "
                    + description.length() + ")");
        }
    }

    private static String describe(PoolSelector s) {
        return "vendorDevices=" + s.vendorDevices() + " classPrefixes=" + s.classPrefixes() + " addresses="
                + s.addresses() + " physicalFunctions=" + s.physicalFunctions();
    }

    private static ProblemException exists(String name) {
        return new ProblemException(ProblemType.POOL_EXISTS, "A pool named '" + name
                + "' exists already; choose another name").with("field", "name");
    }

    private static ProblemException notFound(long id) {
        return new ProblemException(ProblemType.POOL_NOT_FOUND, "No pool " + id
                + "; GET /api/v1/pools lists them").with("poolId", id);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
