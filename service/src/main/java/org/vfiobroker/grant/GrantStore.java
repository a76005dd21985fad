package org.vfiobroker.grant;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.QuotaRules;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;

/** The grant feature's transactions; each method is one short transaction, never around a host call. */
@Component
class GrantStore {

    private final GrantRepository grants;
    private final GrantItemRepository items;
    private final GranteeRepository grantees;
    private final AuditLog audit;
    private final Clock clock;
    private final HoldingQueries holding;

    GrantStore(GrantRepository grants, GrantItemRepository items, GranteeRepository grantees, AuditLog audit,
               Clock clock, HoldingQueries holding) {
        this.holding = holding;
        this.grants = grants;
        this.items = items;
        this.grantees = grantees;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * A group the reservation may take, with what it holds now: its members' ids, NUMA node, and the drivers a
     * bind would replace (recorded with the reservation, so that an activation cut short anywhere is undone).
     */
    record Candidate(int group, String members, Integer numaNode, Map<String, String> driversToRestore) {
    }

    /**
     * What to reserve: either named groups ({@code policy} null) or {@code count} of the candidates, in order of
     * preference, that nobody holds (read only as far as needed).
     */
    record Reservation(UnixUser user, Long poolId, String poolName, GrantPolicy policy, int count,
                       Iterable<Candidate> candidates, boolean named, long memlockBytes, long durationSeconds,
                       Integer numaNode, String numaPolicy, String requestedBy, String idempotencyKey,
                       String digest) {
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void ensureGrantee(long uid, String name) {
        if (grantees.findById(uid).isEmpty()) {
            grantees.saveAndFlush(new Grantee(uid, name));
        }
    }

    /**
     * Checks the policy under the grantee's row lock and reserves the groups (items with {@code active_group}
     * set). A group held by another grant fails the flush on the UNIQUE constraint; the caller retries or
     * refuses.
     */
    @Transactional
    public Grant reserve(Reservation r) {
        grantees.lock(r.user().uid()).orElseThrow();
        if (r.policy() != null) {
            QuotaRules.Holding held = new QuotaRules.Holding(
                    (int) Math.min(Integer.MAX_VALUE, holding.heldFromPool(r.user().uid(), r.poolId())),
                    holding.memlockHeld(r.user().uid()));
            QuotaRules.Decision d = QuotaRules.check(r.policy().limits(), held, r.count(), r.memlockBytes(),
                    r.durationSeconds());
            if (!d.allowed()) {
                throw refusal(r, d);
            }
        }
        Set<Integer> held = holding.heldGroups();
        List<Candidate> chosen = new ArrayList<>();
        for (Candidate c : r.candidates()) {
            if (chosen.size() == r.count()) {
                break;
            }
            if (held.contains(c.group())) {
                if (r.named()) {
                    throw alreadyGranted(c.group());
                }
                continue;
            }
            chosen.add(c);
        }
        if (chosen.size() < r.count()) {
            throw new ProblemException(ProblemType.NO_GROUP_AVAILABLE, "Pool '" + r.poolName() + "' has "
                    + chosen.size() + " free takeable group(s)" + (r.numaNode() != null && "REQUIRED".equals(r.numaPolicy())
                    ? " on NUMA node " + r.numaNode() : "") + ", " + r.count() + " requested; retry later or ask for fewer")
                    .with("requested", r.count()).with("available", chosen.size());
        }
        Instant now = now();
        Grant grant = new Grant(r.user().name(), r.user().uid(), r.user().gid(), r.poolId(),
                r.policy() == null ? null : r.policy().getId(), r.memlockBytes(), r.numaNode(), r.numaPolicy(),
                r.requestedBy(), r.idempotencyKey(), r.digest(), now, now.plusSeconds(r.durationSeconds()));
        chosen.forEach(c -> grant.addItem(c.group(), c.members(), c.numaNode(), c.driversToRestore()));
        grants.saveAndFlush(grant);
        audit.record("grant.create", "grant:" + grant.getId(), Outcome.SUCCESS, "user=" + r.user().name() + " uid="
                + r.user().uid() + " groups=" + grant.groups() + " memlockBytes=" + r.memlockBytes() + " expiresAt="
                + grant.getExpiresAt() + (r.poolName() == null ? " named" : " pool=" + r.poolName()));
        return grant;
    }

    private static ProblemException refusal(Reservation r, QuotaRules.Decision d) {
        String who = "Unix user '" + r.user().name() + "'";
        return switch (d.breach()) {
            case GROUPS -> new ProblemException(ProblemType.QUOTA_EXCEEDED, who + " may hold " + d.limit()
                    + " group(s) from pool '" + r.poolName() + "' at once and has " + (d.limit() - d.remaining())
                    + "; " + d.requested() + " more asked for").with("limit", d.limit())
                    .with("requestedGroups", d.requested()).with("remainingGroups", d.remaining())
                    .with("unixUser", r.user().name());
            case MEMLOCK -> new ProblemException(ProblemType.QUOTA_EXCEEDED, who + " may lock " + d.limit()
                    + " bytes across its grants and " + d.remaining() + " remain; " + d.requested() + " asked for")
                    .with("requestedBytes", d.requested()).with("remainingBytes", d.remaining())
                    .with("limit", d.limit()).with("unixUser", r.user().name());
            case LEASE -> new ProblemException(ProblemType.POLICY_DENIED, "The policy allows leases of at most "
                    + d.limit() + " seconds; " + d.requested() + " asked for").with("maxLeaseSeconds", d.limit())
                    .with("requestedSeconds", d.requested()).with("unixUser", r.user().name());
            case NONE -> throw new IllegalStateException();
        };
    }

    ProblemException alreadyGranted(int group) {
        Optional<Long> holder = items.holderOf(group);
        ProblemException e = new ProblemException(ProblemType.ALREADY_GRANTED, "IOMMU group " + group
                + " is held by grant " + holder.map(String::valueOf).orElse("(another)")
                + "; one grant per group. Wait for it to end or revoke it").with("iommuGroup", group);
        holder.ifPresent(id -> e.with("grantId", id));
        return e;
    }

    @Transactional(readOnly = true)
    public Optional<Grant> find(long id) {
        return grants.findById(id);
    }

    @Transactional(readOnly = true)
    public Optional<Grant> byIdempotencyKey(String requestedBy, String key) {
        return grants.findByRequestedByAndIdempotencyKey(requestedBy, key);
    }

    @Transactional(readOnly = true)
    public List<Grant> search(GrantState state, String user, int limit) {
        return grants.search(state, user, PageRequest.of(0, limit));
    }

    @Transactional(readOnly = true)
    public List<Grant> inStates(Set<GrantState> states) {
        return grants.findByStateIn(states);
    }

    @Transactional(readOnly = true)
    public long count(GrantState state) {
        return grants.countByState(state);
    }

    @Transactional(readOnly = true)
    public long memlockOf(GrantState state) {
        return grants.memlockOf(state);
    }

    /** Records the drivers to restore for a group's members as the bind reported them, when not as predicted. */
    @Transactional
    public void previousDrivers(long grantId, int group, Map<String, String> drivers) {
        grants.findById(grantId).orElseThrow().getItems().stream().filter(i -> i.getIommuGroup() == group)
                .forEach(i -> i.previousDrivers(drivers));
    }

    /**
     * Moves a grant from one of {@code from} to {@code to}, with an audit event; empty when it was in another
     * state (someone else moved it first).
     */
    @Transactional
    public Optional<Grant> transition(long id, Set<GrantState> from, GrantState to, String reason, String actor,
                                      String action, Outcome outcome, String details) {
        Grant g = grants.findById(id).orElseThrow();
        if (!from.contains(g.getState())) {
            return Optional.empty();
        }
        g.state(to, reason, now());
        grants.flush();
        audit.record(new AuditEvent.Draft(actor, action, "grant:" + id, outcome, details));
        return Optional.of(g);
    }

    /**
     * Starts a release in one transaction: a grant that holds its groups moves to RELEASING (with an audit event);
     * one already RELEASING is returned as it is (the release continues where it stopped), and so is one already
     * RELEASED or FAILED (nothing to do).
     */
    @Transactional
    public Grant beginRelease(long id, String reason, String actor, String action, String details) {
        Grant g = grants.findById(id).orElseThrow();
        if (g.getState() == GrantState.RELEASING || g.getState() == GrantState.RELEASED
                || g.getState() == GrantState.FAILED) {
            return g;
        }
        g.state(GrantState.RELEASING, reason, now());
        grants.flush();
        audit.record(new AuditEvent.Draft(actor, action, "grant:" + id, Outcome.SUCCESS, details));
        return g;
    }

    @Transactional
    public void markActivationFailed(long id) {
        grants.findById(id).orElseThrow().activationFailed();
    }

    @Transactional
    public Grant extend(long id, Instant newExpiry, String details) {
        Grant g = grants.findById(id).orElseThrow();
        g.expiresAt(newExpiry, now());
        audit.record("grant.extend", "grant:" + id, Outcome.SUCCESS, details);
        return g;
    }

    /** An audit event in a transaction of its own, for refusals (whose request transaction rolls back). */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void recordOwn(String action, String target, Outcome outcome, String details) {
        audit.record(action, target, outcome, details);
    }

    @Transactional
    public void record(AuditEvent.Draft draft) {
        audit.record(draft);
    }
}
