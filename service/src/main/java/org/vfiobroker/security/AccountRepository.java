package org.vfiobroker.security;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;
import org.vfiobroker.jdbc.Rows;
import org.vfiobroker.jdbc.SqlTime;

/**
 * The {@code account} table, with the statements this package needs and nothing else: plain SQL, no ORM writing
 * back what changed. Each change of an {@link Account} is stored by the statement its service method calls here,
 * which writes only the columns that change. Runs in the caller's transaction when there is one.
 */
@Component
class AccountRepository {

    /** The columns {@link #ROW} reads, of {@code account} as {@code a}; they keep their names. */
    static final String COLUMNS = "a.id, a.username, a.display_name, a.password_hash, a.role, a.enabled,"
            + " a.created_at, a.updated_at";
    static final RowMapper<Account> ROW = (rs, n) -> new Account(rs.getLong("id"), rs.getString("username"),
            rs.getString("display_name"), rs.getString("password_hash"), Role.valueOf(rs.getString("role")),
            rs.getBoolean("enabled"), SqlTime.instant(rs, "created_at"), SqlTime.instant(rs, "updated_at"));
    private static final String SELECT = "SELECT " + COLUMNS + " FROM account a";

    private final JdbcClient jdbc;

    AccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Account> findByUsername(String username) {
        return jdbc.sql(SELECT + " WHERE a.username = ?").param(username).query(ROW).optional();
    }

    /** All accounts by name. */
    List<Account> findAll() {
        return jdbc.sql(SELECT + " ORDER BY a.username").query(ROW).list();
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM account").query(Long.class).single();
    }

    /**
     * The ids of the enabled administrators, locked until the transaction ends: two administrators removing each
     * other at the same time are serialised, so the last one always stays.
     */
    List<Long> lockEnabledAdministrators() {
        return jdbc.sql("SELECT id FROM account WHERE role = ? AND enabled = TRUE FOR UPDATE")
                .param(Role.ADMIN.name()).query(Long.class).list();
    }

    /** Stores a new account and gives it its generated id. */
    void insert(Account account) {
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO account (username, display_name, password_hash, role, enabled, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(account.getUsername(), account.getDisplayName(), account.getPasswordHash(),
                        account.getRole().name(), account.isEnabled(), SqlTime.utc(account.getCreatedAt()),
                        SqlTime.utc(account.getUpdatedAt()))
                .update(key, "id");
        account.setId(key.getKeyAs(Long.class));
    }

    void updateRole(Account account) {
        Rows.changedOne(jdbc.sql("UPDATE account SET role = ?, updated_at = ? WHERE id = ?")
                .params(account.getRole().name(), SqlTime.utc(account.getUpdatedAt()), account.getId()).update(),
                "account", account.getId());
    }

    void updateEnabled(Account account) {
        Rows.changedOne(jdbc.sql("UPDATE account SET enabled = ?, updated_at = ? WHERE id = ?")
                .params(account.isEnabled(), SqlTime.utc(account.getUpdatedAt()), account.getId()).update(),
                "account", account.getId());
    }

    void updatePasswordHash(Account account) {
        Rows.changedOne(jdbc.sql("UPDATE account SET password_hash = ?, updated_at = ? WHERE id = ?")
                .params(account.getPasswordHash(), SqlTime.utc(account.getUpdatedAt()), account.getId()).update(),
                "account", account.getId());
    }

    /** Deletes the account; the database deletes its API tokens with it ({@code ON DELETE CASCADE}). */
    void delete(Account account) {
        Rows.changedOne(jdbc.sql("DELETE FROM account WHERE id = ?").param(account.getId()).update(), "account",
                account.getId());
    }
}
