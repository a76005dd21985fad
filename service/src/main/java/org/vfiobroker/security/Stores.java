package org.vfiobroker.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.JdbcUpdateAffectedIncorrectNumberOfRowsException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What {@link AccountRepository} and {@link ApiTokenRepository} share: instants are written to their
 * {@code TIMESTAMP WITH TIME ZONE} columns as UTC and read back as instants; a change to a row read earlier in the
 * transaction fails when that row is gone (deleted meanwhile), instead of changing nothing while the caller audits
 * it as done.
 */
final class Stores {

    private Stores() {
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The instant in this column, or null. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    /** Runs a write that must change exactly one row. */
    static void changeOne(JdbcClient jdbc, String sql, Object... params) {
        int rows = jdbc.sql(sql).params(params).update();
        if (rows != 1) {
            throw new JdbcUpdateAffectedIncorrectNumberOfRowsException(sql, 1, rows);
        }
    }
}
