package org.vfiobroker.policy;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;
import org.vfiobroker.security.Roles;

/** Policies: any role reads, ADMIN changes. The subject must exist in NSS. */
@Service
@Transactional
public class PolicyService {

    /** The longest lease any policy may allow: one year. */
    public static final long MAX_LEASE_SECONDS = 365L * 24 * 3600;
    /** The largest memlock a policy may allow: 1 PiB. */
    public static final long MAX_MEMLOCK_BYTES = 1L << 50;

    private final PolicyRepository policies;
    private final PoolService pools;
    private final UnixUsers users;
    private final GrantProperties properties;
    private final AuditLog audit;
    private final Clock clock;

    PolicyService(PolicyRepository policies, PoolService pools, UnixUsers users, GrantProperties properties,
                  AuditLog audit, Clock clock) {
        this.policies = policies;
        this.pools = pools;
        this.users = users;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
    }

    /** What a request gives to create or replace a policy. */
    public record Input(String pool, String unixUser, String unixGroup, Integer maxGroups, Long maxMemlockBytes,
                        Long maxLeaseSeconds, Boolean revokeOnExcess) {
    }

    @PreAuthorize(Roles.ANY)
    @Transactional(readOnly = true)
    public List<GrantPolicy> list() {
        return policies.findAllByOrderByPoolNameAscSubjectKindAscSubjectNameAsc();
    }

    @PreAuthorize(Roles.ANY)
    @Transactional(readOnly = true)
    public GrantPolicy get(long id) {
        return policies.findById(id).orElseThrow(() -> new ProblemException(ProblemType.POLICY_NOT_FOUND,
                "No policy " + id + "; GET /api/v1/policies lists them").with("policyId", id));
    }

    /** Without authorization: for the grant feature's own checks. */
    @Transactional(readOnly = true)
    public Optional<GrantPolicy> findOptional(long id) {
        return policies.findById(id);
    }

    /**
     * The policy that lets {@code user} receive from {@code pool}: the user's own policy, else the first (by id)
     * of the policies of its groups.
     */
    @Transactional(readOnly = true)
    public Optional<GrantPolicy> applicable(Pool pool, UnixUser user) {
        List<GrantPolicy> all = policies.findByPoolIdOrderByIdAsc(pool.getId());
        return all.stream()
                .filter(p -> p.getSubjectKind() == GrantPolicy.SubjectKind.USER && p.getSubjectName().equals(user.name()))
                .findFirst()
                .or(() -> all.stream()
                        .filter(p -> p.getSubjectKind() == GrantPolicy.SubjectKind.GROUP)
                        .filter(p -> users.group(p.getSubjectName()).map(user::isMemberOf).orElse(false))
                        .min(Comparator.comparing(GrantPolicy::getId)));
    }

    @PreAuthorize(Roles.ADMIN)
    public GrantPolicy create(Input in) {
        GrantPolicy policy = new GrantPolicy(now());
        apply(policy, in);
        try {
            policies.insert(policy);
        } catch (DuplicateKeyException e) {
            throw exists();
        }
        audit.record("policy.create", "policy:" + policy.getId(), Outcome.SUCCESS, describe(policy));
        return policy;
    }

    @PreAuthorize(Roles.ADMIN)
    public GrantPolicy update(long id, Input in) {
        GrantPolicy policy = get(id);
        apply(policy, in);
        try {
            policies.update(policy);
        } catch (DuplicateKeyException e) {
            throw exists();
        }
        audit.record("policy.update", "policy:" + id, Outcome.SUCCESS, describe(policy));
        return policy;
    }

    @PreAuthorize(Roles.ADMIN)
    public void delete(long id) {
        GrantPolicy policy = get(id);
        policies.delete(id);
        audit.record("policy.delete", "policy:" + id, Outcome.SUCCESS, describe(policy));
    }

    private void apply(GrantPolicy policy, Input in) {
        if (in.pool() == null || in.pool().isEmpty()) {
            throw new InvalidInputException("pool", "pool: required; the name of a pool (GET /api/v1/pools)");
        }
        Pool pool = pools.getByName("pool", in.pool());
        boolean hasUser = in.unixUser() != null;
        boolean hasGroup = in.unixGroup() != null;
        if (hasUser == hasGroup) {
            throw new InvalidInputException(hasUser ? "unixGroup" : "unixUser",
                    "unixUser, unixGroup: give exactly one, the Unix user or the Unix group the policy is for");
        }
        GrantPolicy.SubjectKind kind;
        String name;
        if (hasUser) {
            kind = GrantPolicy.SubjectKind.USER;
            name = UnixNames.grantee(users, "unixUser", in.unixUser(), properties.minUid()).name();
        } else {
            kind = GrantPolicy.SubjectKind.GROUP;
            name = UnixNames.check("unixGroup", in.unixGroup());
            long gid = users.group(name).orElseThrow(() -> new ProblemException(ProblemType.UNKNOWN_UNIX_USER,
                    "unixGroup: no Unix group '" + name + "' on this host (getent group " + name
                            + " finds nothing)").with("field", "unixGroup"));
            if (gid == 0) {
                throw new ProblemException(ProblemType.UNIX_USER_NOT_ALLOWED,
                        "unixGroup: '" + name + "' is gid 0 (root); never a grantee group").with("field", "unixGroup");
            }
        }
        QuotaRules.Limits limits = new QuotaRules.Limits(
                (int) range("maxGroups", in.maxGroups() == null ? null : (long) in.maxGroups(), 1, 4096, "IOMMU groups"),
                range("maxMemlockBytes", in.maxMemlockBytes(), 1024, MAX_MEMLOCK_BYTES, "bytes"),
                range("maxLeaseSeconds", in.maxLeaseSeconds(), 60, MAX_LEASE_SECONDS, "seconds"));
        if (limits.maxMemlockBytes() % 1024 != 0) {
            throw new InvalidInputException("maxMemlockBytes", "maxMemlockBytes: " + limits.maxMemlockBytes()
                    + " is not a whole number of KiB (a multiple of 1024); pam_limits counts in KiB");
        }
        policy.set(pool, kind, name, limits, Boolean.TRUE.equals(in.revokeOnExcess()), now());
    }

    static long range(String field, Long value, long min, long max, String unit) {
        if (value == null) {
            throw new InvalidInputException(field, field + ": required; " + min + " to " + max + " " + unit);
        }
        if (value < min || value > max) {
            throw new InvalidInputException(field, field + ": " + value + " is out of range; " + min + " to " + max
                    + " " + unit);
        }
        return value;
    }

    private static String describe(GrantPolicy p) {
        return "pool=" + p.getPool().getName() + " " + p.getSubjectKind().name().toLowerCase() + "=" + p.getSubjectName()
                + " maxGroups=" + p.limits().maxGroups() + " maxMemlockBytes=" + p.limits().maxMemlockBytes()
                + " maxLeaseSeconds=" + p.limits().maxLeaseSeconds() + " revokeOnExcess=" + p.isRevokeOnExcess();
    }

    private static ProblemException exists() {
        return new ProblemException(ProblemType.POLICY_EXISTS,
                "A policy for this pool and this Unix user or group exists already; change it instead (PUT)");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
