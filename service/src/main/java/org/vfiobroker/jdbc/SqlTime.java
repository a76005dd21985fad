package org.vfiobroker.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The one way instants meet the database: every time column is {@code TIMESTAMP WITH TIME ZONE} (see the
 * migrations in {@code db/}), written as UTC and read back as the instant it names, on H2 and PostgreSQL alike.
 */
public final class SqlTime {

    private SqlTime() {
    }

    /** The value to bind for an instant ({@code null} stays null). */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The instant in this column of the current row, or {@code null}. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
