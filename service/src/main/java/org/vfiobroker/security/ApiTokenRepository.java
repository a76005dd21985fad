package org.vfiobroker.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;
import org.vfiobroker.jdbc.SqlTime;

/**
 * The {@code api_token} table, with the statements this package needs and nothing else: plain SQL, no ORM writing
 * back what changed. A token is read together with its owner (one join), so {@link ApiToken#getAccount()} is the
 * owner as it is now. Runs in the caller's transaction when there is one.
 */
@Component
class ApiTokenRepository {

    /** The owner's columns keep their names, for {@link AccountRepository#ROW}; the token's that clash are renamed. */
    private static final String SELECT = "SELECT t.id AS token_id, t.name, t.scope, t.prefix, t.secret_hash,"
            + " t.created_at AS token_created_at, t.expires_at, t.last_used_at, t.revoked_at, "
            + AccountRepository.COLUMNS + " FROM api_token t JOIN account a ON a.id = t.account_id";
    private static final RowMapper<ApiToken> ROW = (rs, n) -> new ApiToken(rs.getLong("token_id"),
            AccountRepository.ROW.mapRow(rs, n), rs.getString("name"), Role.valueOf(rs.getString("scope")),
            rs.getString("prefix"), rs.getString("secret_hash"), SqlTime.instant(rs, "token_created_at"),
            SqlTime.instant(rs, "expires_at"), SqlTime.instant(rs, "last_used_at"), SqlTime.instant(rs, "revoked_at"));

    private final JdbcClient jdbc;

    ApiTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<ApiToken> findById(long id) {
        return jdbc.sql(SELECT + " WHERE t.id = ?").param(id).query(ROW).optional();
    }

    Optional<ApiToken> findByPrefix(String prefix) {
        return jdbc.sql(SELECT + " WHERE t.prefix = ?").param(prefix).query(ROW).optional();
    }

    boolean existsByPrefix(String prefix) {
        return jdbc.sql("SELECT COUNT(*) FROM api_token WHERE prefix = ?").param(prefix).query(Long.class).single() > 0;
    }

    /** All tokens, newest first. */
    List<ApiToken> findAll() {
        return jdbc.sql(SELECT + " ORDER BY t.id DESC").query(ROW).list();
    }

    /** The tokens of this account, newest first. */
    List<ApiToken> findByAccountUsername(String username) {
        return jdbc.sql(SELECT + " WHERE a.username = ? ORDER BY t.id DESC").param(username).query(ROW).list();
    }

    /** Stores a new token (never used, not revoked) and gives it its generated id. */
    void insert(ApiToken token) {
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO api_token (account_id, name, scope, prefix, secret_hash, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(token.getAccount().getId(), token.getName(), token.getScope().name(), token.getPrefix(),
                        token.getSecretHash(), SqlTime.utc(token.getCreatedAt()), SqlTime.utc(token.getExpiresAt()))
                .update(key, "id");
        token.setId(key.getKeyAs(Long.class));
    }

    /** Writes the token's revocation unless it was revoked already; whether this call revoked it. */
    boolean revoke(ApiToken token) {
        return jdbc.sql("UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .params(SqlTime.utc(token.getRevokedAt()), token.getId()).update() == 1;
    }

    /** Writes the token's last use; a token deleted meanwhile is no error (its owner was deleted). */
    void touch(long id, Instant at) {
        jdbc.sql("UPDATE api_token SET last_used_at = ? WHERE id = ?").params(SqlTime.utc(at), id).update();
    }
}
