package org.vfiobroker.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link AuditLog} on the {@code audit_event} table. Each append locks the single chain-head row
 * ({@code SELECT ... FOR UPDATE}), so concurrent writers, in this process or another one on the same
 * database, append strictly one after another and the chain never forks. The lock is held until the caller's
 * transaction ends: keep transactions that audit short.
 */
@Service
class ChainedAuditLog implements AuditLog {

    /** The actor of events without an authenticated account: timers, reconcile, expiry, start-up. */
    static final String SYSTEM = "system";

    static final int ACTOR_MAX = 64;
    static final int TARGET_MAX = 256;
    static final int DETAILS_MAX = 4000;
    private static final Pattern ACTION = Pattern.compile("^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$");

    private final JdbcTemplate jdbc;
    private final Clock clock;

    ChainedAuditLog(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    @Transactional(propagation = Propagation.REQUIRED)
    public AuditEvent record(AuditEvent.Draft draft) {
        if (draft.action() == null || draft.action().length() > 64 || !ACTION.matcher(draft.action()).matches()) {
            throw new IllegalArgumentException("audit action must be dotted lower case like grant.create, got "
                    + draft.action());
        }
        if (draft.outcome() == null) {
            throw new IllegalArgumentException("audit outcome is required");
        }
        String actor = clip(draft.actor() != null ? draft.actor() : currentActor(), ACTOR_MAX);
        String target = clip(draft.target() == null || draft.target().isEmpty() ? "-" : draft.target(), TARGET_MAX);
        String details = draft.details() == null ? null : clip(draft.details(), DETAILS_MAX);

        Head head = jdbc.queryForObject(
                "SELECT last_sequence, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE",
                (rs, n) -> new Head(rs.getLong(1), rs.getString(2)));
        long sequence = head.sequence() + 1;
        Instant at = clock.instant().truncatedTo(AuditChain.PRECISION);
        String hash = AuditChain.hash(head.hash(), sequence, at, actor, draft.action(), target, draft.outcome(),
                details);
        jdbc.update("INSERT INTO audit_event (sequence, recorded_at, actor, action, target, outcome, details,"
                        + " previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                sequence, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), actor, draft.action(), target,
                draft.outcome().name(), details, head.hash(), hash);
        jdbc.update("UPDATE audit_chain_head SET last_sequence = ?, last_hash = ? WHERE id = 1", sequence, hash);
        return new AuditEvent(sequence, at, actor, draft.action(), target, draft.outcome(), details, head.hash(),
                hash);
    }

    /** The authenticated account's name, or {@code system} when there is none. */
    static String currentActor() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
            return SYSTEM;
        }
        return auth.getName();
    }

    /**
     * Values longer than their column are cut with a visible marker rather than failing the change they
     * describe; control characters (other than newline and tab in details) become spaces.
     */
    static String clip(String value, int max) {
        StringBuilder clean = new StringBuilder(value.length());
        value.codePoints().forEach(c -> clean.appendCodePoint(
                Character.isISOControl(c) && c != '\n' && c != '\t' ? ' ' : c));
        String s = clean.toString();
        if (s.length() <= max) {
            return s;
        }
        String marker = "...[" + (s.length() - max) + " more characters cut]";
        return s.substring(0, max - marker.length()) + marker;
    }

    private record Head(long sequence, String hash) {
    }
}
