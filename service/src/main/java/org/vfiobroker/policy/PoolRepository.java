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
 * The pools (table {@code pool}): one statement per method, in the caller's transaction. Plain SQL through
 * {@link JdbcClient}, without JPA: every grant request reads a pool, and a changed {@link Pool} reaches the
 * database only through {@link #update}, never behind the caller's back.
 */
@Component
class PoolRepository {

    /** A pool's columns as {@code pool p}, labelled {@code pool_*}: a query joining the pool reads them too. */
    static final String COLUMNS = "p.id AS pool_id, p.name AS pool_name, p.description AS pool_description,"
            + " p.vendor_devices AS pool_vendor_devices, p.class_prefixes AS pool_class_prefixes,"
            + " p.addresses AS pool_addresses, p.physical_functions AS pool_physical_functions,"
            + " p.created_at AS pool_created_at, p.updated_at AS pool_updated_at";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM pool p";

    private final JdbcClient jdbc;

    PoolRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Pool> findById(long id) {
        return jdbc.sql(SELECT + " WHERE p.id = ?").param(id).query(PoolRepository::map).optional();
    }

    Optional<Pool> findByName(String name) {
        return jdbc.sql(SELECT + " WHERE p.name = ?").param(name).query(PoolRepository::map).optional();
    }

    List<Pool> findAllByOrderByNameAsc() {
        return jdbc.sql(SELECT + " ORDER BY p.name").query(PoolRepository::map).list();
    }

    /** Inserts a new pool and sets its id. */
    void insert(Pool pool) {
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO pool (name, description, vendor_devices, class_prefixes, addresses, physical_functions,"
                        + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(pool.getName(), pool.getDescription(), pool.vendorDevices(), pool.classPrefixes(),
                        pool.addresses(), pool.physicalFunctions(), SqlTime.utc(pool.getCreatedAt()), SqlTime.utc(pool.getUpdatedAt()))
                .update(key, "id");
        pool.setId(key.getKeyAs(Long.class));
    }

    /** Writes what {@link Pool#set} changed. */
    void update(Pool pool) {
        int rows = jdbc.sql("UPDATE pool SET name = ?, description = ?, vendor_devices = ?, class_prefixes = ?,"
                        + " addresses = ?, physical_functions = ?, updated_at = ? WHERE id = ?")
                .params(pool.getName(), pool.getDescription(), pool.vendorDevices(), pool.classPrefixes(),
                        pool.addresses(), pool.physicalFunctions(), SqlTime.utc(pool.getUpdatedAt()), pool.getId())
                .update();
        Rows.changedOne(rows, "pool", pool.getId());
    }

    void delete(long id) {
        Rows.changedOne(jdbc.sql("DELETE FROM pool WHERE id = ?").param(id).update(), "pool", id);
    }

    static Pool map(ResultSet rs, int row) throws SQLException {
        return new Pool(rs.getLong("pool_id"), rs.getString("pool_name"), rs.getString("pool_description"),
                rs.getString("pool_vendor_devices"), rs.getString("pool_class_prefixes"),
                rs.getString("pool_addresses"), rs.getString("pool_physical_functions"),
                SqlTime.instant(rs, "pool_created_at"), SqlTime.instant(rs, "pool_updated_at"));
    }
}
