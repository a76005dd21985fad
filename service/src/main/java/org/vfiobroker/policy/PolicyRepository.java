package org.vfiobroker.policy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;
import org.vfiobroker.jdbc.Rows;
import org.vfiobroker.jdbc.SqlTime;

/**
 * The policies (table {@code grant_policy}), each read with its pool in one JOIN: one statement per method, in
 * the caller's transaction. Plain SQL through {@link JdbcClient}, without JPA: every grant request reads the
 * policies of a pool, and a changed {@link GrantPolicy} reaches the database only through {@link #update}.
 */
@Component
class PolicyRepository {

    private static final String SELECT = "SELECT gp.id, gp.subject_kind, gp.subject_name, gp.max_groups,"
            + " gp.max_memlock_bytes, gp.max_lease_seconds, gp.revoke_on_excess, gp.created_at, gp.updated_at, "
            + PoolRepository.COLUMNS + " FROM grant_policy gp JOIN pool p ON p.id = gp.pool_id";

    private final JdbcClient jdbc;

    PolicyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<GrantPolicy> findById(long id) {
        return jdbc.sql(SELECT + " WHERE gp.id = ?").param(id).query(PolicyRepository::map).optional();
    }

    List<GrantPolicy> findByPoolIdOrderByIdAsc(long poolId) {
        return jdbc.sql(SELECT + " WHERE gp.pool_id = ? ORDER BY gp.id").param(poolId).query(PolicyRepository::map)
                .list();
    }

    boolean existsByPoolId(long poolId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM grant_policy WHERE pool_id = ?)").param(poolId)
                .query(Boolean.class).single();
    }

    List<GrantPolicy> findAllByOrderByPoolNameAscSubjectKindAscSubjectNameAsc() {
        return jdbc.sql(SELECT + " ORDER BY p.name, gp.subject_kind, gp.subject_name").query(PolicyRepository::map)
                .list();
    }

    /** Inserts a new policy and sets its id. */
    void insert(GrantPolicy policy) {
        KeyHolder key = new GeneratedKeyHolder();
        QuotaRules.Limits limits = policy.limits();
        jdbc.sql("INSERT INTO grant_policy (pool_id, subject_kind, subject_name, max_groups, max_memlock_bytes,"
                        + " max_lease_seconds, revoke_on_excess, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(policy.getPool().getId(), policy.getSubjectKind().name(), policy.getSubjectName(),
                        limits.maxGroups(), limits.maxMemlockBytes(), limits.maxLeaseSeconds(),
                        policy.isRevokeOnExcess(), SqlTime.utc(policy.getCreatedAt()),
                        SqlTime.utc(policy.getUpdatedAt()))
                .update(key, "id");
        policy.setId(key.getKeyAs(Long.class));
    }

    /** Writes what {@link GrantPolicy#set} changed. */
    void update(GrantPolicy policy) {
        QuotaRules.Limits limits = policy.limits();
        int rows = jdbc.sql("UPDATE grant_policy SET pool_id = ?, subject_kind = ?, subject_name = ?, max_groups = ?,"
                        + " max_memlock_bytes = ?, max_lease_seconds = ?, revoke_on_excess = ?, updated_at = ?"
                        + " WHERE id = ?")
                .params(policy.getPool().getId(), policy.getSubjectKind().name(), policy.getSubjectName(),
                        limits.maxGroups(), limits.maxMemlockBytes(), limits.maxLeaseSeconds(),
                        policy.isRevokeOnExcess(), SqlTime.utc(policy.getUpdatedAt()), policy.getId())
                .update();
        Rows.changedOne(rows, "grant_policy", policy.getId());
    }

    void delete(long id) {
        Rows.changedOne(jdbc.sql("DELETE FROM grant_policy WHERE id = ?").param(id).update(), "grant_policy", id);
    }

    private static GrantPolicy map(ResultSet rs, int row) throws SQLException {
        return new GrantPolicy(rs.getLong("id"), PoolRepository.map(rs, row),
                GrantPolicy.SubjectKind.valueOf(rs.getString("subject_kind")), rs.getString("subject_name"),
                new QuotaRules.Limits(rs.getInt("max_groups"), rs.getLong("max_memlock_bytes"),
                        rs.getLong("max_lease_seconds")),
                rs.getBoolean("revoke_on_excess"), SqlTime.instant(rs, "created_at"),
                SqlTime.instant(rs, "updated_at"));
    }
}
