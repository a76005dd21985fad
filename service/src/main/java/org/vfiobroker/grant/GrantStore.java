package org.vfiobroker.grant;

import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.jdbc.SqlTime;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.QuotaRules;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;

/**
 * The grant feature's storage and transactions: grants with their items, the grantees' lock rows; each writing
 * method is one short transaction, never around a host call. Plain JDBC: a grant is read with its items in one
 * statement, and a change writes exactly the columns it changed. A state change is a compare-and-set on the
 * state the grant was read in, so two concurrent changes of one grant never both win.
 */
@Component
class GrantStore {

    private static final String COLUMNS = "g.id, g.state, g.unix_user, g.uid, g.gid, g.pool_id, g.policy_id,"
            + " g.memlock_bytes, g.numa_node, g.numa_policy, g.requested_by, g.idempotency_key, g.request_digest,"
            + " g.activation_failed, g.reason, g.created_at, g.activated_at, g.expires_at, g.released_at,"
            + " g.updated_at, i.iommu_group, i.active_group, i.members, i.previous_drivers,"
            + " i.numa_node AS item_numa_node, p.name AS pool_name";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM device_grant g"
            + " LEFT JOIN pool p ON p.id = g.pool_id LEFT JOIN grant_item i ON i.grant_id = g.id";
    static final String BY_ID = SELECT + " WHERE g.id = ? ORDER BY i.iommu_group";
    static final String BY_IDEMPOTENCY_KEY = SELECT + " WHERE g.requested_by = ? AND g.idempotency_key = ?"
            + " ORDER BY i.iommu_group";
    static final String INSERT_GRANT = "INSERT INTO device_grant (state, unix_user, uid, gid, pool_id, policy_id,"
            + " memlock_bytes, numa_node, numa_policy, requested_by, idempotency_key, request_digest,"
            + " activation_failed, created_at, expires_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?)";
    static final String INSERT_ITEM = "INSERT INTO grant_item (grant_id, iommu_group, active_group, members,"
            + " previous_drivers, numa_node) VALUES (?, ?, ?, ?, ?, ?)";
    static final String CHANGE_STATE = "UPDATE device_grant SET state = ?, reason = ?, activated_at = ?,"
            + " released_at = ?, updated_at = ? WHERE id = ? AND state = ?";
    static final String LET_GO = "UPDATE grant_item SET active_group = NULL WHERE grant_id = ?"
            + " AND active_group IS NOT NULL";
    static final String LOCK_GRANTEE = "SELECT uid FROM grantee WHERE uid = ? FOR UPDATE";

    private final JdbcTemplate jdbc;
    private final AuditLog audit;
    private final Clock clock;
    private final HoldingQueries holding;

    GrantStore(JdbcTemplate jdbc, AuditLog audit, Clock clock, HoldingQueries holding) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
        this.holding = holding;
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

    /** The grantee's row, made the first time a Unix user receives a grant (a concurrent maker fails on the key). */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void ensureGrantee(long uid, String name) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM grantee WHERE uid = ?", Long.class, uid);
        if (n == null || n == 0) {
            jdbc.update("INSERT INTO grantee (uid, username) VALUES (?, ?)", uid, name);
        }
    }

    /**
     * Checks the policy under the grantee's row lock and reserves the groups (items with {@code active_group}
     * set). A group held by another grant fails the insert on the UNIQUE constraint; the caller retries or
     * refuses.
     */
    @Transactional
    public Grant reserve(Reservation r) {
        if (jdbc.queryForList(LOCK_GRANTEE, Long.class, r.user().uid()).isEmpty()) {
            throw new IllegalStateException("no grantee row for uid " + r.user().uid());
        }
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
        Grant grant = new Grant(r.user().name(), r.user().uid(), r.user().gid(), r.poolId(), r.poolName(),
                r.policy() == null ? null : r.policy().getId(), r.memlockBytes(), r.numaNode(), r.numaPolicy(),
                r.requestedBy(), r.idempotencyKey(), r.digest(), now, now.plusSeconds(r.durationSeconds()));
        chosen.forEach(c -> grant.addItem(c.group(), c.members(), c.numaNode(), c.driversToRestore()));
        insert(grant);
        audit.record("grant.create", "grant:" + grant.getId(), Outcome.SUCCESS, "user=" + r.user().name() + " uid="
                + r.user().uid() + " groups=" + grant.groups() + " memlockBytes=" + r.memlockBytes() + " expiresAt="
                + grant.getExpiresAt() + (r.poolName() == null ? " named" : " pool=" + r.poolName()));
        return grant;
    }

    private void insert(Grant g) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement s = con.prepareStatement(INSERT_GRANT, new String[] {"id"});
            s.setString(1, g.getState().name());
            s.setString(2, g.getUnixUser());
            s.setLong(3, g.getUid());
            s.setLong(4, g.getGid());
            s.setObject(5, g.getPoolId(), Types.BIGINT);
            s.setObject(6, g.getPolicyId(), Types.BIGINT);
            s.setLong(7, g.getMemlockBytes());
            s.setObject(8, g.getNumaNode(), Types.INTEGER);
            s.setString(9, g.getNumaPolicy());
            s.setString(10, g.getRequestedBy());
            s.setString(11, g.getIdempotencyKey());
            s.setString(12, g.getRequestDigest());
            s.setObject(13, SqlTime.utc(g.getCreatedAt()));
            s.setObject(14, SqlTime.utc(g.getExpiresAt()));
            s.setObject(15, SqlTime.utc(g.getUpdatedAt()));
            return s;
        }, key);
        g.inserted(key.getKeyAs(Long.class));
        for (GrantItem item : g.getItems()) {
            // One statement per item (a grant has few): a group held by another grant fails right here, and the
            // exception names the constraint (the caller tells it from the idempotency key's).
            jdbc.update(INSERT_ITEM, g.getId(), item.getIommuGroup(), item.getActiveGroup(), item.membersText(),
                    item.previousDriversText(), item.getNumaNode());
        }
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
        Optional<Long> holder = holding.holderOf(group);
        ProblemException e = new ProblemException(ProblemType.ALREADY_GRANTED, "IOMMU group " + group
                + " is held by grant " + holder.map(String::valueOf).orElse("(another)")
                + "; one grant per group. Wait for it to end or revoke it").with("iommuGroup", group);
        holder.ifPresent(id -> e.with("grantId", id));
        return e;
    }

    // Reads of one statement run in the caller's transaction when there is one, else on their own.

    public Optional<Grant> find(long id) {
        return jdbc.query(BY_ID, GRANTS, id).stream().findFirst();
    }

    public Optional<Grant> byIdempotencyKey(String requestedBy, String key) {
        return jdbc.query(BY_IDEMPOTENCY_KEY, GRANTS, requestedBy, key).stream().findFirst();
    }

    /** The newest grants first, at most {@code limit}, in a state and of a user when given. */
    public List<Grant> search(GrantState state, String user, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (state != null) {
            where.append(" WHERE state = ?");
            args.add(state.name());
        }
        if (user != null) {
            where.append(where.isEmpty() ? " WHERE" : " AND").append(" unix_user = ?");
            args.add(user);
        }
        args.add(limit);
        return jdbc.query(SELECT + " WHERE g.id IN (SELECT id FROM device_grant" + where
                + " ORDER BY id DESC FETCH FIRST ? ROWS ONLY) ORDER BY g.id DESC, i.iommu_group", GRANTS, args.toArray());
    }

    /** The grants in these states, oldest first. */
    public List<Grant> inStates(Set<GrantState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        return jdbc.query(SELECT + " WHERE g.state IN (" + states.stream().map(s -> "?")
                .collect(Collectors.joining(", ")) + ") ORDER BY g.id, i.iommu_group", GRANTS,
                states.stream().map(GrantState::name).sorted().toArray());
    }

    public long count(GrantState state) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM device_grant WHERE state = ?", Long.class, state.name());
        return n == null ? 0 : n;
    }

    public long memlockOf(GrantState state) {
        Long sum = jdbc.queryForObject("SELECT COALESCE(SUM(memlock_bytes), 0) FROM device_grant WHERE state = ?",
                Long.class, state.name());
        return sum == null ? 0 : sum;
    }

    /** Records the drivers to restore for a group's members as the bind reported them, when not as predicted. */
    @Transactional
    public void previousDrivers(long grantId, int group, Map<String, String> drivers) {
        jdbc.update("UPDATE grant_item SET previous_drivers = ? WHERE grant_id = ? AND iommu_group = ?",
                GrantItem.format(drivers), grantId, group);
    }

    /**
     * Moves a grant from one of {@code from} to {@code to}, with an audit event; empty when it was in another
     * state (someone else moved it first).
     */
    @Transactional
    public Optional<Grant> transition(long id, Set<GrantState> from, GrantState to, String reason, String actor,
                                      String action, Outcome outcome, String details) {
        return transition(find(id).orElseThrow(), from, to, reason, actor, action, outcome, details);
    }

    /**
     * The same for a grant the caller has read (just reserved, or begun releasing), without reading it again: the
     * state it was read in is what the database compares. Returns the grant as moved; {@code read} stays as it was.
     */
    @Transactional
    public Optional<Grant> transition(Grant read, Set<GrantState> from, GrantState to, String reason, String actor,
                                      String action, Outcome outcome, String details) {
        if (!from.contains(read.getState())) {
            return Optional.empty();
        }
        Optional<Grant> moved = changeState(read, to, reason);
        moved.ifPresent(g -> audit.record(new AuditEvent.Draft(actor, action, "grant:" + g.getId(), outcome,
                details)));
        return moved;
    }

    /**
     * Starts a release in one transaction: a grant that holds its groups moves to RELEASING (with an audit event);
     * one already RELEASING is returned as it is (the release continues where it stopped), and so is one already
     * RELEASED or FAILED (nothing to do).
     */
    @Transactional
    public Grant beginRelease(long id, String reason, String actor, String action, String details) {
        while (true) {
            Grant g = find(id).orElseThrow();
            if (g.getState() == GrantState.RELEASING || g.getState() == GrantState.RELEASED
                    || g.getState() == GrantState.FAILED) {
                return g;
            }
            Optional<Grant> releasing = changeState(g, GrantState.RELEASING, reason);
            if (releasing.isPresent()) {
                audit.record(new AuditEvent.Draft(actor, action, "grant:" + id, Outcome.SUCCESS, details));
                return releasing.get();
            }
            // moved by someone else since it was read: look again
        }
    }

    /**
     * Writes the move of a grant to {@code to} if it is still in the state it was read in, and returns it as
     * moved; a grant that lets go of its groups frees them (its items' {@code active_group}) in the same
     * transaction. Empty when someone else moved it first.
     */
    private Optional<Grant> changeState(Grant read, GrantState to, String reason) {
        Grant g = read.inState(to, reason, now());
        int changed = jdbc.update(CHANGE_STATE, to.name(), g.getReason(), SqlTime.utc(g.getActivatedAt()),
                SqlTime.utc(g.getReleasedAt()), SqlTime.utc(g.getUpdatedAt()), g.getId(), read.getState().name());
        if (changed == 0) {
            return Optional.empty();
        }
        if (!GrantState.HOLDING.contains(to)) {
            jdbc.update(LET_GO, g.getId());
        }
        return Optional.of(g);
    }

    @Transactional
    public void markActivationFailed(long id) {
        jdbc.update("UPDATE device_grant SET activation_failed = TRUE WHERE id = ?", id);
    }

    @Transactional
    public Grant extend(long id, Instant newExpiry, String details) {
        Grant g = find(id).orElseThrow();
        g.expiresAt(newExpiry, now());
        jdbc.update("UPDATE device_grant SET expires_at = ?, updated_at = ? WHERE id = ?", SqlTime.utc(g.getExpiresAt()),
                SqlTime.utc(g.getUpdatedAt()), id);
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

    /** Grants with their items from rows of {@link #SELECT}, ordered by grant and then group. */
    private static final ResultSetExtractor<List<Grant>> GRANTS = rs -> {
        Map<Long, Grant> grants = new LinkedHashMap<>();
        while (rs.next()) {
            long id = rs.getLong("id");
            Grant g = grants.get(id);
            if (g == null) {
                g = Grant.loaded(id, GrantState.valueOf(rs.getString("state")), rs.getString("unix_user"),
                        rs.getLong("uid"), rs.getLong("gid"), rs.getObject("pool_id", Long.class),
                        rs.getString("pool_name"),
                        rs.getObject("policy_id", Long.class), rs.getLong("memlock_bytes"),
                        rs.getObject("numa_node", Integer.class), rs.getString("numa_policy"),
                        rs.getString("requested_by"), rs.getString("idempotency_key"), rs.getString("request_digest"),
                        rs.getBoolean("activation_failed"), rs.getString("reason"), SqlTime.instant(rs, "created_at"),
                        SqlTime.instant(rs, "activated_at"), SqlTime.instant(rs, "expires_at"), SqlTime.instant(rs, "released_at"),
                        SqlTime.instant(rs, "updated_at"));
                grants.put(id, g);
            }
            Integer group = rs.getObject("iommu_group", Integer.class);
            if (group != null) {
                g.loadedItem(GrantItem.loaded(group, rs.getObject("active_group", Integer.class),
                        rs.getString("members"), rs.getString("previous_drivers"),
                        rs.getObject("item_numa_node", Integer.class)));
            }
        }
        return new ArrayList<>(grants.values());
    };
}
