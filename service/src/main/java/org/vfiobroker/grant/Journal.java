package org.vfiobroker.grant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;
import org.vfiobroker.jdbc.SqlTime;

/**
 * The operation journal (table {@code operation_journal}). Each write is one statement on a connection of its
 * own in auto-commit mode, so it has committed when the method returns, whatever transaction the caller is in:
 * the row saying a step started is durable before the step runs, the row saying it ended only after it did.
 * Plain JDBC: the journal is written twice per host step, on the grant path's hottest loop.
 */
@Component
class Journal {

    private static final int DETAIL_MAX = 4000;
    private static final String START = "INSERT INTO operation_journal (grant_id, step, target, phase, detail,"
            + " started_at) VALUES (?, ?, ?, 'STARTED', ?, ?)";
    private static final String FINISH = "UPDATE operation_journal SET phase = ?, detail = COALESCE(?, detail),"
            + " finished_at = ? WHERE id = ?";

    private final DataSource dataSource;
    private final Clock clock;
    private final SQLExceptionTranslator translator;
    /**
     * Rows this process started and has not finished (their step is running): a periodic reconcile must not take
     * them for interrupted ones. Added once the STARTED row has committed, removed once the finishing statement has
     * returned (committed or failed).
     */
    private final Set<Long> underWay = ConcurrentHashMap.newKeySet();
    /**
     * Writes hold it shared from their statement until {@link #underWay} says the same; {@link #interrupted()}
     * holds it exclusively, so what it reads and {@link #underWay} agree (no step starts or ends in between).
     */
    private final ReadWriteLock consistent = new ReentrantReadWriteLock();

    Journal(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
    }

    /** Records that a step starts now; returns the row's id for {@link #finish}. */
    long start(Long grantId, String step, String target, String detail) {
        consistent.readLock().lock();
        try (Connection c = ownCommit()) {
            long id = insertStarted(c, grantId, step, target, detail);
            underWay.add(id);
            return id;
        } catch (SQLException e) {
            throw translate("journal start of " + step, START, e);
        } finally {
            consistent.readLock().unlock();
        }
    }

    private long insertStarted(Connection c, Long grantId, String step, String target, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(START, Statement.RETURN_GENERATED_KEYS)) {
            if (grantId == null) {
                ps.setNull(1, Types.BIGINT);
            } else {
                ps.setLong(1, grantId);
            }
            ps.setString(2, step);
            ps.setString(3, target);
            ps.setString(4, clip(detail));
            ps.setObject(5, now());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Records how a step ended ({@code detail} null keeps the one it started with). */
    void finish(long id, JournalEntry.Phase phase, String detail) {
        consistent.readLock().lock();
        try (Connection c = ownCommit()) {
            finish(c, id, phase, detail);
        } catch (SQLException e) {
            throw translate("journal finish of row " + id, FINISH, e);
        } finally {
            underWay.remove(id);
            consistent.readLock().unlock();
        }
    }

    private void finish(Connection c, long id, JournalEntry.Phase phase, String detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FINISH)) {
            ps.setString(1, phase.name());
            ps.setString(2, clip(detail));
            ps.setObject(3, now());
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    /**
     * Records that step {@code done} ended well and the next one starts now, in one transaction (one commit where
     * {@link #finish} and {@link #start} make two): for steps run one after another by one caller. Returns the new
     * row's id.
     */
    long finishAndStart(long done, Long grantId, String step, String target, String detail) {
        consistent.readLock().lock();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                finish(c, done, JournalEntry.Phase.DONE, null);
                long id = insertStarted(c, grantId, step, target, detail);
                c.commit();
                underWay.add(id);
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw translate("journal finish of row " + done + " and start of " + step, FINISH + "; " + START, e);
        } finally {
            underWay.remove(done);
            consistent.readLock().unlock();
        }
    }

    /**
     * Rows left STARTED by a step that is not running in this process: interrupted by a crash or a stop. At
     * start-up that is every STARTED row.
     */
    List<JournalEntry> interrupted() {
        String sql = "SELECT id, grant_id, step, target, detail FROM operation_journal WHERE phase = 'STARTED'"
                + " ORDER BY id";
        List<JournalEntry> out = new ArrayList<>();
        consistent.writeLock().lock();
        try (Connection c = ownCommit(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                long grant = rs.getLong(2);
                Long grantId = rs.wasNull() ? null : grant;
                if (!underWay.contains(id)) {
                    out.add(new JournalEntry(id, grantId, rs.getString(3), rs.getString(4),
                            JournalEntry.Phase.STARTED, rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw translate("journal read", sql, e);
        } finally {
            consistent.writeLock().unlock();
        }
        return out;
    }

    /** A pooled connection, outside any transaction of the caller's, that commits each statement. */
    private Connection ownCommit() throws SQLException {
        Connection c = dataSource.getConnection();
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        return c;
    }

    private OffsetDateTime now() {
        return SqlTime.utc(clock.instant());
    }

    private static String clip(String s) {
        return s == null || s.length() <= DETAIL_MAX ? s : s.substring(0, DETAIL_MAX - 3) + "...";
    }

    private DataAccessException translate(String task, String sql, SQLException e) {
        DataAccessException d = translator.translate(task, sql, e);
        return d != null ? d : new org.springframework.jdbc.UncategorizedSQLException(task, sql, e);
    }
}
