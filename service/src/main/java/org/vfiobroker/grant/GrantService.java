package org.vfiobroker.grant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.host.Holder;
import org.vfiobroker.host.ProcessMemlockResult;
import org.vfiobroker.inventory.HostSummary;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.GrantProperties;
import org.vfiobroker.policy.Pool;
import org.vfiobroker.policy.PolicyService;
import org.vfiobroker.policy.PoolSelector;
import org.vfiobroker.policy.PoolService;
import org.vfiobroker.policy.UnixNames;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.policy.UnixUsers;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;
import org.vfiobroker.security.Role;
import org.vfiobroker.security.Roles;

/**
 * Grants: requests (from a pool within policy, or named groups), activation, revocation, extension, process
 * limits and usage. Authorization is here, so the API and the dashboard share it.
 */
@Service
public class GrantService {

    private static final int MAX_ATTEMPTS = 12;

    private final GrantStore store;
    private final HoldingQueries holding;
    private final GrantLifecycle lifecycle;
    private final HostSteps steps;
    private final InventoryService inventory;
    private final PoolService pools;
    private final PolicyService policies;
    private final UnixUsers users;
    private final GrantProperties properties;
    private final GrantMetrics metrics;
    private final TransactionTemplate readOnly;
    /** Allocation holds it shared, an SR-IOV change exclusively: no VF is granted while its PF changes. */
    private final ReadWriteLock hostShape = new ReentrantReadWriteLock();
    private final Set<Long> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Map<PoolSelector, PoolGroups> poolGroups = new java.util.concurrent.ConcurrentHashMap<>();
    /** Uids whose grantee row (the lock the quota check takes) exists; saves a transaction per grant. */
    private final Set<Long> knownGrantees = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Forced revocations asked by requests now running ({@link GrantProperties#forcedRevocationsAtOnce}). */
    private final java.util.concurrent.Semaphore forcedRevocations;

    GrantService(GrantStore store, HoldingQueries holding, GrantLifecycle lifecycle, HostSteps steps, InventoryService inventory,
                 PoolService pools, PolicyService policies, UnixUsers users, GrantProperties properties,
                 GrantMetrics metrics, PlatformTransactionManager transactions) {
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.store = store;
        this.holding = holding;
        this.lifecycle = lifecycle;
        this.steps = steps;
        this.inventory = inventory;
        this.pools = pools;
        this.policies = policies;
        this.users = users;
        this.properties = properties;
        this.metrics = metrics;
        this.forcedRevocations = new java.util.concurrent.Semaphore(properties.forcedRevocationsAtOnce());
    }

    /** A grant request as the API gives it. */
    public record Request(String unixUser, String pool, Integer count, List<Integer> groups, Long memlockBytes,
                          Long durationSeconds, Integer numaNode, String numaPolicy) {
    }

    /** A created grant, or the one an earlier request with the same Idempotency-Key made. */
    public record Created(Grant grant, boolean replayed) {
    }

    @PreAuthorize(Roles.ANY)
    public List<Grant> list(GrantState state, String unixUser, int limit) {
        return store.search(state, unixUser, limit);
    }

    @PreAuthorize(Roles.ANY)
    public Grant get(long id) {
        return store.find(id).orElseThrow(() -> notFound(id));
    }

    /** N groups from a pool, within the user's policy for it. */
    @PreAuthorize(Roles.GRANTERS)
    public Created request(Request r, String idempotencyKey) {
        if (r.groups() != null && !r.groups().isEmpty()) {
            throw new InvalidInputException("groups", "groups: give either pool (with count) or groups, not both");
        }
        return create(r, idempotencyKey, false);
    }

    /** Named groups, outside any policy. */
    @PreAuthorize(Roles.OPERATORS)
    public Created grantGroups(Request r, String idempotencyKey) {
        if (r.pool() != null) {
            throw new InvalidInputException("pool", "pool: give either pool (with count) or groups, not both");
        }
        return create(r, idempotencyKey, true);
    }

    private Created create(Request r, String idempotencyKey, boolean named) {
        String caller = caller();
        String key = checkKey(idempotencyKey);
        int count = named ? checkGroups(r.groups()).size() : (int) range("count", r.count() == null ? 1L : r.count(), 1, 4096);
        long memlock = range("memlockBytes", r.memlockBytes(), 1024, PolicyService.MAX_MEMLOCK_BYTES);
        if (memlock % 1024 != 0) {
            throw new InvalidInputException("memlockBytes", "memlockBytes: " + memlock + " is not a whole number of KiB"
                    + " (a multiple of 1024); pam_limits counts in KiB");
        }
        long duration = range("durationSeconds", r.durationSeconds(), 60, PolicyService.MAX_LEASE_SECONDS);
        Integer numa = r.numaNode() == null ? null : (int) range("numaNode", (long) r.numaNode(), 0, 1023);
        String numaPolicy = r.numaPolicy() == null ? (numa == null ? null : "PREFERRED") : r.numaPolicy();
        if (numaPolicy != null && numa == null) {
            throw new InvalidInputException("numaNode", "numaNode: required with numaPolicy");
        }
        String digest = digest(r, named);
        Preamble pre;
        try {
            pre = readOnly.execute(status -> preamble(r, named, caller, key, digest));
        } catch (Refusal x) {
            throw refused(x.problem, x.user);
        }
        if (pre.replay() != null) {
            return pre.replay();
        }
        UnixUser user = pre.user();
        Pool pool = pre.pool();
        GrantPolicy policy = pre.policy();
        if (!knownGrantees.contains(user.uid())) {
            try {
                store.ensureGrantee(user.uid(), user.name());
            } catch (DataIntegrityViolationException e) {
                // a concurrent request made the row first; it is there now
            }
            knownGrantees.add(user.uid()); // grantee rows are never deleted
        }
        Grant grant = reserve(user, pool, policy, named, r.groups(), count, memlock, duration, numa, numaPolicy,
                caller, key, digest);
        if (grant == null) {
            return replay(caller, key, digest).orElseThrow();
        }
        inFlight.add(grant.getId());
        try {
            return new Created(lifecycle.activate(grant), false);
        } finally {
            inFlight.remove(grant.getId());
        }
    }

    /** What a request needs before its reservation: an earlier answer, or the grantee, the pool and the policy. */
    private record Preamble(Created replay, UnixUser user, Pool pool, GrantPolicy policy) {
    }

    /** A refusal found inside {@link #preamble}; recorded once its transaction has ended. */
    private static final class Refusal extends RuntimeException {
        final ProblemException problem;
        final String user;

        Refusal(ProblemException problem, String user) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
            this.user = user;
        }
    }

    /**
     * Reads, in one read-only transaction, what a request needs before its reservation: an earlier request with
     * the same Idempotency-Key (its answer is the answer), the grantee (NSS), the host's readiness, the pool and
     * the policy. A refusal comes out as a {@link Refusal}, so that the caller records it after this transaction
     * (the audit event of a refusal has a transaction, and a connection, of its own).
     */
    private Preamble preamble(Request r, boolean named, String caller, String key, String digest) {
        if (key != null) {
            Optional<Created> replay = replay(caller, key, digest);
            if (replay.isPresent()) {
                return new Preamble(replay.get(), null, null, null);
            }
        }
        UnixUser user;
        try {
            user = UnixNames.grantee(users, "unixUser", r.unixUser(), properties.minUid());
        } catch (ProblemException e) {
            throw new Refusal(e, r.unixUser());
        }
        ProblemException notReady = hostNotReady();
        if (notReady != null) {
            throw new Refusal(notReady, r.unixUser());
        }
        if (named) {
            return new Preamble(null, user, null, null);
        }
        if (r.pool() == null || r.pool().isEmpty()) {
            throw new InvalidInputException("pool", "pool: name a pool (with count), or, as ADMIN or OPERATOR, groups");
        }
        Pool pool = pools.getByName("pool", r.pool());
        GrantPolicy policy = policies.applicable(pool, user).orElseThrow(() -> new Refusal(new ProblemException(
                ProblemType.POLICY_DENIED, "No policy lets Unix user '" + user.name() + "' receive from pool '"
                + pool.getName() + "'; an ADMIN adds one (POST /api/v1/policies)").with("unixUser", user.name())
                .with("pool", pool.getName()), user.name()));
        return new Preamble(null, user, pool, policy);
    }

    /** @return the reserved grant, or null when a concurrent request with the same key made it */
    private Grant reserve(UnixUser user, Pool pool, GrantPolicy policy, boolean named, List<Integer> groups, int count,
                          long memlock, long duration, Integer numa, String numaPolicy, String caller, String key,
                          String digest) {
        for (int attempt = 1; ; attempt++) {
            hostShape.readLock().lock();
            try {
                Iterable<GrantStore.Candidate> candidates = named ? namedCandidates(groups)
                        : poolCandidates(pool, numa, "REQUIRED".equals(numaPolicy));
                return store.reserve(new GrantStore.Reservation(user, pool == null ? null : pool.getId(),
                        pool == null ? null : pool.getName(), policy, count, candidates, named, memlock, duration, numa,
                        numaPolicy, caller, key, digest));
            } catch (DataIntegrityViolationException e) {
                String message = String.valueOf(e.getMostSpecificCause().getMessage()).toLowerCase(Locale.ROOT);
                if (message.contains("device_grant_idempotency")) {
                    return null;
                }
                if (!message.contains("grant_item_active_group_unique")) {
                    throw e;
                }
                if (named || attempt >= MAX_ATTEMPTS) {
                    Set<Integer> held = holding.heldGroups();
                    int taken = (named ? groups : List.<Integer>of()).stream().filter(held::contains).findFirst()
                            .orElse(-1);
                    throw refused(taken >= 0 ? store.alreadyGranted(taken) : new ProblemException(
                            ProblemType.NO_GROUP_AVAILABLE, "Other requests took the free groups of the pool first;"
                            + " retry"), user.name());
                }
            } catch (ProblemException e) {
                throw refused(e, user.name());
            } finally {
                hostShape.readLock().unlock();
            }
        }
    }

    private Optional<Created> replay(String caller, String key, String digest) {
        return store.byIdempotencyKey(caller, key).map(g -> {
            if (!digest.equals(g.getRequestDigest())) {
                throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + key
                        + "' was used for another request (grant " + g.getId() + "); use a new key for a new request")
                        .with("grantId", g.getId());
            }
            return new Created(g, true);
        });
    }

    private List<GrantStore.Candidate> namedCandidates(List<Integer> groups) {
        InventoryService.Snapshot s = inventory.snapshot();
        List<GrantStore.Candidate> out = new ArrayList<>();
        for (int id : groups) {
            IommuGroup g = Optional.ofNullable(s.groupsById().get(id)).orElseThrow(
                    () -> new org.vfiobroker.inventory.IommuGroupNotFoundException(id));
            refuseUnlessTakeable(g);
            out.add(candidate(g, s));
        }
        return out;
    }

    /**
     * The takeable groups of a pool in order of preference, made as the reservation reaches them (it usually takes
     * the first of thousands): those on the requested NUMA node (all, without one), then, unless the node is
     * required, the others. Each tier is walked from a random place, so that concurrent requests rarely reach for
     * the same group. Groups held by grants are skipped by the reservation, which reads them in its transaction.
     */
    private Iterable<GrantStore.Candidate> poolCandidates(Pool pool, Integer numa, boolean numaRequired) {
        InventoryService.Snapshot s = inventory.snapshot();
        List<PoolGroup> selected = poolGroups(pool.selector(), s);
        int start = selected.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(selected.size());
        return () -> Stream.concat(tier(selected, start, pg -> numa == null || numa.equals(pg.numaNode())),
                        numa == null || numaRequired ? Stream.empty()
                                : tier(selected, start, pg -> !numa.equals(pg.numaNode())))
                .map(pg -> s.groupsById().get(pg.id()))
                .filter(g -> g != null && g.takeable().takeable())
                .map(g -> candidate(g, s))
                .iterator();
    }

    /** The groups {@code in} accepts, from {@code start} round to just before it. */
    private static Stream<PoolGroup> tier(List<PoolGroup> groups, int start, Predicate<PoolGroup> in) {
        return IntStream.range(0, groups.size()).mapToObj(i -> groups.get((start + i) % groups.size())).filter(in);
    }

    /** A group a pool selects, with its NUMA node. */
    private record PoolGroup(int id, Integer numaNode) {
    }

    private record PoolGroups(long generation, List<PoolGroup> groups) {
    }

    /**
     * The groups a selector selects in this snapshot, with their NUMA nodes. Depends only on which functions
     * exist, where and in which group, so it is computed once per full scan ({@link InventoryService.Snapshot#generation()}).
     */
    private List<PoolGroup> poolGroups(PoolSelector selector, InventoryService.Snapshot s) {
        PoolGroups cached = poolGroups.get(selector);
        if (cached != null && cached.generation() == s.generation()) {
            return cached.groups();
        }
        List<PoolGroup> out = new ArrayList<>();
        for (IommuGroup g : s.groups()) {
            List<PciFunction> members = members(g, s);
            if (selector.selectsGroup(members)) {
                out.add(new PoolGroup(g.id(), numaNode(members)));
            }
        }
        if (poolGroups.size() >= 64) {
            poolGroups.clear(); // selectors of deleted or edited pools
        }
        poolGroups.put(selector, new PoolGroups(s.generation(), List.copyOf(out)));
        return out;
    }

    private static List<PciFunction> members(IommuGroup g, InventoryService.Snapshot s) {
        return g.members().stream().map(s.devicesByAddress()::get).filter(f -> f != null).toList();
    }

    private static GrantStore.Candidate candidate(IommuGroup g, InventoryService.Snapshot s) {
        List<PciFunction> members = members(g, s);
        String ids = members.stream().map(f -> f.address() + "=" + f.vendorDevice()).collect(Collectors.joining(","));
        return new GrantStore.Candidate(g.id(), ids, numaNode(members), GrantLifecycle.driversToRestore(members));
    }

    /** A group's NUMA node: its first endpoint's that has one. */
    private static Integer numaNode(List<PciFunction> members) {
        return members.stream().filter(f -> !f.isPciBridge()).map(PciFunction::numaNode)
                .filter(n -> n != null).findFirst().orElse(null);
    }

    private void refuseUnlessTakeable(IommuGroup g) {
        if (g.takeable().takeable()) {
            return;
        }
        List<String> why = g.takeable().blockers().stream()
                .map(b -> (b.member() == null ? "group" : b.member().toString()) + ": " + b.reason()).toList();
        boolean inUse = g.takeable().blockers().stream().anyMatch(b -> b.inUse() != null);
        ProblemType type = g.noiommu() ? ProblemType.NOIOMMU_MODE
                : inUse ? ProblemType.GROUP_IN_USE : ProblemType.GROUP_NOT_VIABLE;
        throw new ProblemException(type, "IOMMU group " + g.id() + " cannot be granted: " + String.join("; ", why))
                .with("iommuGroup", g.id()).with("inUseBy", why);
    }

    /** Why no grant is possible on this host now, or null when one is. */
    private ProblemException hostNotReady() {
        HostSummary host = inventory.host();
        if (host.grantsPossible()) {
            return null;
        }
        ProblemType type = host.noiommuMode() ? ProblemType.NOIOMMU_MODE
                : !host.iommu().present() ? ProblemType.NO_IOMMU : ProblemType.HOST_NOT_READY;
        return new ProblemException(type, String.join(" ", host.grantBlockers()))
                .with("grantBlockers", host.grantBlockers());
    }

    /** Counts and records a refusal (in its own transaction, as the request's rolls back) and returns it. */
    private ProblemException refused(ProblemException e, String user) {
        String reason = e.type().type().toString().substring(ProblemType.URI_PREFIX.length());
        metrics.refused(reason);
        store.recordOwn("grant.refuse", "unix-user:" + (user == null ? "" : user), Outcome.REFUSED,
                reason + ": " + e.getMessage());
        return e;
    }

    @PreAuthorize(Roles.GRANTERS)
    public Grant revoke(long id, boolean force) {
        Grant grant = get(id);
        requireOwnerOrOperator(grant);
        if (force && !callerRole().atLeast(Role.OPERATOR)) {
            throw new ProblemException(ProblemType.FORBIDDEN, "force: only ADMIN and OPERATOR may terminate holders;"
                    + " revoke without force once the job has ended");
        }
        if (grant.getState() == GrantState.RELEASED || grant.getState() == GrantState.FAILED) {
            return grant;
        }
        if (!force && grant.getState() != GrantState.QUARANTINED) {
            List<String> holders = new ArrayList<>();
            for (int group : grant.groups()) {
                for (Holder h : steps.host().holders(group)) {
                    holders.add("pid " + h.pid() + " (" + h.comm() + ", uid " + h.uid() + ") holds /dev/vfio/" + group);
                }
            }
            if (!holders.isEmpty()) {
                throw new ProblemException(ProblemType.GROUP_IN_USE, "Grant " + id + " is in use: "
                        + String.join("; ", holders) + ". Retry when they have ended, or revoke with force=true")
                        .with("grantId", id).with("inUseBy", holders);
            }
        }
        if (!force) {
            return lifecycle.release(id, false, "revoked by " + caller(), null, "grant.revoke");
        }
        if (!forcedRevocations.tryAcquire()) {
            long grace = ProblemException.retryAfterSeconds(properties.terminateGrace());
            throw new ProblemException(ProblemType.BUSY, properties.forcedRevocationsAtOnce() + " forced revocations"
                    + " are running, each giving holders up to " + grace + " s to end; retry in " + grace
                    + " s (vfio-broker.grants.forced-revocations-at-once)")
                    .with("grantId", id).retryAfter(properties.terminateGrace());
        }
        try {
            return lifecycle.release(id, true, "revoked (forced) by " + caller(), null, "grant.revoke");
        } finally {
            forcedRevocations.release();
        }
    }

    @PreAuthorize(Roles.GRANTERS)
    public Grant extend(long id, Long extendBySeconds) {
        long seconds = range("extendBySeconds", extendBySeconds, 1, PolicyService.MAX_LEASE_SECONDS);
        Grant grant = get(id);
        requireOwnerOrOperator(grant);
        if (grant.getState() != GrantState.ACTIVE) {
            throw stateProblem(grant, "extended");
        }
        Instant newExpiry = grant.getExpiresAt().plusSeconds(seconds);
        long lease = newExpiry.getEpochSecond() - grant.getCreatedAt().getEpochSecond();
        if (grant.getPoolId() != null) {
            if (grant.getPolicyId() == null) {
                throw new ProblemException(ProblemType.POLICY_DENIED, "The policy grant " + id
                        + " was made under was deleted; it runs until it expires but cannot be extended")
                        .with("grantId", id);
            }
            long max = policies.findOptional(grant.getPolicyId()).map(p -> p.limits().maxLeaseSeconds()).orElse(0L);
            if (lease > max) {
                throw new ProblemException(ProblemType.POLICY_DENIED, "The policy allows leases of at most " + max
                        + " seconds from the grant's creation; extending by " + seconds + " would make " + lease)
                        .with("grantId", id).with("maxLeaseSeconds", max).with("requestedSeconds", lease);
            }
        } else if (lease > PolicyService.MAX_LEASE_SECONDS) {
            throw new InvalidInputException("extendBySeconds", "extendBySeconds: a lease may last at most "
                    + PolicyService.MAX_LEASE_SECONDS + " seconds in all");
        }
        return store.extend(id, newExpiry, "expiresAt " + grant.getExpiresAt() + " -> " + newExpiry);
    }

    @PreAuthorize(Roles.GRANTERS)
    public ProcessMemlockResult limitProcess(long id, Long pid) {
        long p = range("pid", pid, 1, 4194304);
        Grant grant = get(id);
        requireOwnerOrOperator(grant);
        if (grant.getState() != GrantState.ACTIVE) {
            throw stateProblem(grant, "used for a process limit");
        }
        ProcessMemlockResult result = steps.run(id, "memlock-pid", "pid:" + p, "bytes=" + grant.getMemlockBytes(),
                () -> steps.host().setProcessMemlock(p, (int) grant.getUid(), grant.getMemlockBytes()));
        store.recordOwn("grant.process-limit", "grant:" + id, Outcome.SUCCESS, "pid=" + p + " comm=" + result.comm()
                + " bytes=" + grant.getMemlockBytes());
        return result;
    }

    /** Holders of each group, and their locked and pinned memory against the grant's memlock. */
    public record Usage(Grant grant, List<GroupHolder> holders, long lockedBytes, long pinnedBytes, boolean excess,
                        boolean revokeOnExcess) {
    }

    public record GroupHolder(int group, Holder holder) {
    }

    @PreAuthorize(Roles.ANY)
    public Usage usage(long id) {
        return usageOf(get(id));
    }

    Usage usageOf(Grant grant) {
        List<GroupHolder> holders = new ArrayList<>();
        long locked = 0;
        long pinned = 0;
        if (GrantState.HOLDING.contains(grant.getState())) {
            Set<Long> seen = new LinkedHashSet<>();
            for (int group : grant.groups()) {
                for (Holder h : steps.host().holders(group)) {
                    holders.add(new GroupHolder(group, h));
                    if (seen.add(h.pid())) {
                        locked += h.vmLckBytes();
                        pinned += h.vmPinBytes();
                    }
                }
            }
        }
        boolean revokeOnExcess = grant.getPolicyId() != null && policies.findOptional(grant.getPolicyId())
                .map(GrantPolicy::isRevokeOnExcess).orElse(false);
        boolean excess = pinned > grant.getMemlockBytes() || locked > grant.getMemlockBytes();
        return new Usage(grant, holders, locked, pinned, excess, revokeOnExcess);
    }

    Set<Long> inFlight() {
        return inFlight;
    }

    ReadWriteLock hostShape() {
        return hostShape;
    }

    private void requireOwnerOrOperator(Grant grant) {
        if (!callerRole().atLeast(Role.OPERATOR) && !grant.getRequestedBy().equals(caller())) {
            throw new ProblemException(ProblemType.FORBIDDEN, "A SCHEDULER acts only on the grants it requested;"
                    + " grant " + grant.getId() + " was requested by another account");
        }
    }

    private static ProblemException stateProblem(Grant g, String what) {
        return new ProblemException(ProblemType.GRANT_STATE, "Grant " + g.getId() + " is " + g.getState()
                + "; only an ACTIVE grant can be " + what).with("grantId", g.getId()).with("state", g.getState().name());
    }

    static ProblemException notFound(long id) {
        return new ProblemException(ProblemType.GRANT_NOT_FOUND, "No grant " + id + "; GET /api/v1/grants lists them")
                .with("grantId", id);
    }

    private static List<Integer> checkGroups(List<Integer> groups) {
        if (groups == null || groups.isEmpty()) {
            throw new InvalidInputException("groups", "groups: name at least one IOMMU group");
        }
        if (groups.size() > 4096) {
            throw new InvalidInputException("groups", "groups: at most 4096 groups in one grant");
        }
        if (groups.stream().anyMatch(g -> g == null || g < 0)) {
            throw new InvalidInputException("groups", "groups: group numbers are 0 or more (got " + groups + ")");
        }
        if (new LinkedHashSet<>(groups).size() != groups.size()) {
            throw new InvalidInputException("groups", "groups: each group once (got " + groups + ")");
        }
        return groups;
    }

    private static String checkKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 128 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidInputException("Idempotency-Key", "Idempotency-Key: 1 to 128 printable ASCII characters"
                    + " without spaces");
        }
        return key;
    }

    static long range(String field, Long value, long min, long max) {
        if (value == null) {
            throw new InvalidInputException(field, field + ": required; " + min + " to " + max);
        }
        if (value < min || value > max) {
            throw new InvalidInputException(field, field + ": " + value + " is out of range; " + min + " to " + max);
        }
        return value;
    }

    private static String digest(Request r, boolean named) {
        String canonical = String.join("|", String.valueOf(named), String.valueOf(r.unixUser()), String.valueOf(r.pool()),
                String.valueOf(r.count()), String.valueOf(r.groups()), String.valueOf(r.memlockBytes()),
                String.valueOf(r.durationSeconds()), String.valueOf(r.numaNode()), String.valueOf(r.numaPolicy()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String caller() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a == null ? "system" : a.getName();
    }

    private static Role callerRole() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a == null ? Role.VIEWER : Role.highest(a.getAuthorities()).orElse(Role.VIEWER);
    }
}
