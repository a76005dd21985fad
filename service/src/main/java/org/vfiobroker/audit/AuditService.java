package org.vfiobroker.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.jdbc.SqlTime;
import org.vfiobroker.security.Roles;

/** Reading the audit log: queries with filters and the verification of the chain. */
@Service
public class AuditService {

    private static final String COLUMNS =
            "sequence, recorded_at, actor, action, target, outcome, details, previous_hash, hash";

    private final JdbcTemplate jdbc;

    AuditService(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One page of events matching the query, newest first. */
    @PreAuthorize(Roles.AUDIT_READERS)
    @Transactional(readOnly = true)
    public Page find(AuditQuery query, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.actor() != null) {
            where.append(" AND actor = ?");
            args.add(query.actor());
        }
        if (query.action() != null) {
            if (query.action().endsWith(".")) {
                where.append(" AND action LIKE ? ESCAPE '\\'");
                args.add(query.action().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            } else {
                where.append(" AND action = ?");
                args.add(query.action());
            }
        }
        if (query.target() != null) {
            where.append(" AND target = ?");
            args.add(query.target());
        }
        if (query.outcome() != null) {
            where.append(" AND outcome = ?");
            args.add(query.outcome().name());
        }
        if (query.from() != null) {
            where.append(" AND recorded_at >= ?");
            args.add(SqlTime.utc(query.from()));
        }
        if (query.to() != null) {
            where.append(" AND recorded_at < ?");
            args.add(SqlTime.utc(query.to()));
        }
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM audit_event" + where, Long.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add((long) page * size);
        pageArgs.add(size);
        List<AuditEvent> items = jdbc.query("SELECT " + COLUMNS + " FROM audit_event" + where
                + " ORDER BY sequence DESC OFFSET ? ROWS FETCH FIRST ? ROWS ONLY",
                (rs, n) -> event(rs), pageArgs.toArray());
        return new Page(items, page, size, total == null ? 0 : total);
    }

    /** Walks the whole chain from the first event and reports the first broken link. */
    @PreAuthorize(Roles.AUDIT_READERS)
    @Transactional(readOnly = true)
    public AuditVerification verify() {
        Walk walk = new Walk();
        jdbc.query("SELECT " + COLUMNS + " FROM audit_event ORDER BY sequence", rs -> {
            if (walk.brokenAt == null) {
                walk.check(event(rs));
            }
        });
        long headSequence = jdbc.queryForObject("SELECT last_sequence FROM audit_chain_head WHERE id = 1", Long.class);
        String headHash = jdbc.queryForObject("SELECT last_hash FROM audit_chain_head WHERE id = 1", String.class);
        if (walk.brokenAt == null && (headSequence != walk.lastSequence || !headHash.equals(walk.lastHash))) {
            walk.brokenAt = walk.lastSequence + 1;
            walk.problem = headSequence > walk.lastSequence
                    ? "events " + (walk.lastSequence + 1) + " to " + headSequence + " are missing: the chain head names "
                    + headSequence + " as the last event"
                    : "the chain head names event " + headSequence + " with another hash than the last stored event "
                    + walk.lastSequence;
        }
        return new AuditVerification(walk.brokenAt == null, walk.checked, headSequence, walk.brokenAt, walk.problem);
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        Instant at = SqlTime.instant(rs, "recorded_at");
        return new AuditEvent(rs.getLong("sequence"), at, rs.getString("actor"), rs.getString("action"),
                rs.getString("target"), AuditEvent.Outcome.valueOf(rs.getString("outcome")), rs.getString("details"),
                rs.getString("previous_hash"), rs.getString("hash"));
    }

    /** One page of events. */
    public record Page(List<AuditEvent> items, int page, int size, long totalItems) {
        public long totalPages() {
            return (totalItems + size - 1) / size;
        }
    }

    private static final class Walk {
        long checked;
        long lastSequence;
        String lastHash = "";
        Long brokenAt;
        String problem;

        void check(AuditEvent e) {
            checked++;
            long expected = lastSequence + 1;
            if (e.sequence() != expected) {
                broken(expected, "event " + expected + " is missing (the next stored event is " + e.sequence() + ")");
            } else if (!e.previousHash().equals(lastHash)) {
                broken(e.sequence(), "event " + e.sequence() + " does not name the hash of event " + lastSequence
                        + " as its previous hash");
            } else if (!AuditChain.hash(e).equals(e.hash())) {
                broken(e.sequence(), "event " + e.sequence()
                        + " was changed after it was recorded: its fields do not give its stored hash");
            } else {
                lastSequence = e.sequence();
                lastHash = e.hash();
            }
        }

        private void broken(long sequence, String why) {
            brokenAt = sequence;
            problem = why;
        }
    }
}
