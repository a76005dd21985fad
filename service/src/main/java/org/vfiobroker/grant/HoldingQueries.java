package org.vfiobroker.grant;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What is held now, asked on every grant request, activation and release: how many groups a user holds from a
 * pool, which groups are held and by which grant, a user's memlock sum. One place for these questions and their SQL.
 *
 * <p>They go through the grant's state (an item's {@code active_group} is set exactly while its grant is in a
 * {@link GrantState#HOLDING} state), so the index on {@code device_grant (state, uid)} finds the holding grants
 * and the cost follows what is held now, not every grant ever made (V4; {@code HoldingQueriesTest} checks the
 * plans of these very statements). Plain JDBC with the states as literals: Hibernate re-translates a query with
 * a collection parameter on every execution. Run in the caller's transaction when there is one (the reservation
 * reads them under the grantee's row lock), else each on its own.
 */
@Component
class HoldingQueries {

    static final String HELD_FROM_POOL = "SELECT COUNT(i.id) FROM grant_item i JOIN device_grant g ON g.id = i.grant_id"
            + " WHERE g.state IN (" + literals(GrantState.HOLDING) + ") AND g.uid = ? AND g.pool_id = ?"
            + " AND i.active_group IS NOT NULL";
    static final String HELD_GROUPS = "SELECT i.active_group FROM grant_item i JOIN device_grant g ON g.id = i.grant_id"
            + " WHERE g.state IN (" + literals(GrantState.HOLDING) + ") AND i.active_group IS NOT NULL";
    static final String HOLDER_OF = "SELECT grant_id FROM grant_item WHERE active_group = ?";
    /** The memlock of a user's grants in the given states but one ({@code -1}: none). */
    static final String MEMLOCK_HOLDING = memlockSum(GrantState.HOLDING);
    static final String MEMLOCK_LIMITED = memlockSum(GrantState.LIMITED);

    private final JdbcTemplate jdbc;

    HoldingQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** How many groups from this pool the user holds now. */
    long heldFromPool(long uid, long poolId) {
        Long n = jdbc.queryForObject(HELD_FROM_POOL, Long.class, uid, poolId);
        return n == null ? 0 : n;
    }

    /** The groups held now. */
    Set<Integer> heldGroups() {
        return new HashSet<>(jdbc.queryForList(HELD_GROUPS, Integer.class));
    }

    /** The memlock of the user's holding grants: what its quota counts. */
    long memlockHeld(long uid) {
        return sum(MEMLOCK_HOLDING, uid, -1);
    }

    /** The memlock of the user's requested and active grants but {@code excludeGrant}: what its drop-in says. */
    long memlockLimited(long uid, long excludeGrant) {
        return sum(MEMLOCK_LIMITED, uid, excludeGrant);
    }

    /** The grant that holds this group now, if any. */
    Optional<Long> holderOf(int group) {
        return jdbc.queryForList(HOLDER_OF, Long.class, group).stream().findFirst();
    }

    private long sum(String sql, long uid, long exclude) {
        Long sum = jdbc.queryForObject(sql, Long.class, uid, exclude);
        return sum == null ? 0 : sum;
    }

    private static String memlockSum(Set<GrantState> states) {
        return "SELECT COALESCE(SUM(g.memlock_bytes), 0) FROM device_grant g WHERE g.uid = ? AND g.state IN ("
                + literals(states) + ") AND g.id <> ?";
    }

    private static String literals(Set<GrantState> states) {
        return states.stream().map(s -> "'" + s.name() + "'").sorted().collect(Collectors.joining(", "));
    }
}
