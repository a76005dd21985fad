package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * The questions asked on every grant (how many groups the user holds from the pool, which groups are held, the
 * user's memlock sum, and who holds a group) are answered from what is held now, not by walking every grant ever made. The rows are
 * written in the test's transaction and rolled back after it, so no other test sees them.
 */
@Transactional
class HoldingQueriesTest extends GrantTestBase {

    private static final long UID = 5077; // u77 of TestUnixUsers
    private static final int HISTORY = 2000;

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    HoldingQueries holding;

    @Test
    void whatIsHeldNowIsReadFromTheHoldingGrantsNotFromTheHistory() throws Exception {
        long pool = poolId(vfPool("holding-queries"));
        jdbc.update("INSERT INTO device_grant (state, unix_user, uid, gid, pool_id, memlock_bytes, requested_by,"
                + " activation_failed, created_at, expires_at, released_at, updated_at)"
                + " SELECT 'RELEASED', 'u77', ?, ?, ?, ?, 'test', FALSE, CURRENT_TIMESTAMP,"
                + " DATEADD('HOUR', 1, CURRENT_TIMESTAMP), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                + " FROM SYSTEM_RANGE(1, " + HISTORY + ")", UID, UID, pool, MIB);
        jdbc.update("INSERT INTO grant_item (grant_id, iommu_group, members) SELECT id, 9000, '0000:90:00.0'"
                + " FROM device_grant WHERE uid = ?", UID);
        for (int group : List.of(9001, 9002, 9003)) {
            jdbc.update("INSERT INTO device_grant (state, unix_user, uid, gid, pool_id, memlock_bytes, requested_by,"
                    + " activation_failed, created_at, expires_at, updated_at) VALUES ('ACTIVE', 'u77', ?, ?, ?, ?,"
                    + " 'test', FALSE, CURRENT_TIMESTAMP, DATEADD('HOUR', 1, CURRENT_TIMESTAMP), CURRENT_TIMESTAMP)",
                    UID, UID, pool, 2 * MIB);
            jdbc.update("INSERT INTO grant_item (grant_id, iommu_group, active_group, members) SELECT MAX(id), ?, ?,"
                    + " '0000:90:00.0' FROM device_grant WHERE uid = ?", group, group, UID);
        }

        assertThat(holding.heldFromPool(UID, pool)).isEqualTo(3);
        assertThat(holding.heldGroups()).contains(9001, 9002, 9003).doesNotContain(9000);
        assertThat(holding.memlockHeld(UID)).isEqualTo(6 * MIB);
        assertThat(holding.memlockLimited(UID, -1)).isEqualTo(6 * MIB);
        long oneOfThem = jdbc.queryForObject("SELECT MAX(id) FROM device_grant WHERE uid = ?", Long.class, UID);
        assertThat(holding.memlockLimited(UID, oneOfThem)).isEqualTo(4 * MIB);
        assertThat(holding.holderOf(9003)).contains(oneOfThem);
        assertThat(holding.holderOf(9000)).isEmpty();

        // The plans of the very statements: H2 reads the 3 holding grants through device_grant (state, uid), not
        // the user's or the pool's 2,003 grants.
        assertReadsOnlyTheHolding(explain(HoldingQueries.HELD_FROM_POOL, UID, pool));
        assertReadsOnlyTheHolding(explain(HoldingQueries.HELD_GROUPS));
        assertReadsOnlyTheHolding(explain(HoldingQueries.MEMLOCK_HOLDING, UID, -1));
        assertReadsOnlyTheHolding(explain(HoldingQueries.MEMLOCK_LIMITED, UID, -1));
        // Who holds a group: one row through the UNIQUE index of active_group, not the 2,000 items of group 9000.
        String plan = explain(HoldingQueries.HOLDER_OF, 9003);
        assertThat(plan).contains("GRANT_ITEM_ACTIVE_GROUP_UNIQUE");
        assertThat(scanned(plan)).as(plan).isBetween(1, 2); // the row, and the cursor's look past it
    }

    private String explain(String sql, Object... args) {
        return jdbc.queryForObject("EXPLAIN ANALYZE " + sql, String.class, args);
    }

    private static void assertReadsOnlyTheHolding(String plan) {
        assertThat(plan).contains("DEVICE_GRANT_STATE_UID_IDX");
        assertThat(scanned(plan)).as(plan).isPositive().isLessThan(100); // the other tests' holding grants, not 2,003
    }

    /** The rows a plan of EXPLAIN ANALYZE read, over all its tables. */
    private static int scanned(String plan) {
        Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        int reads = 0;
        while (m.find()) {
            reads += Integer.parseInt(m.group(1));
        }
        return reads;
    }

    private long poolId(String name) {
        return jdbc.queryForObject("SELECT id FROM pool WHERE name = ?", Long.class, name);
    }
}
