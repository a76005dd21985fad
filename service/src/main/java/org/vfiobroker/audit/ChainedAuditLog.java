package org.vfiobroker.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.vfiobroker.jdbc.SqlTime;

/**
 * {@link AuditLog} on the {@code audit_event} table. Each append moves the single chain-head row on and so holds
 * its row lock, so concurrent writers, in this process or another one on the same database, append strictly one
 * after another and the chain never forks. Within this process the head is known from the last committed append
 * (an append is an UPDATE that compares it and an INSERT; only when the row is not as expected is it read
 * {@code FOR UPDATE}), and appends are ordered by a lock held from a transaction's first append until it ends,
 * as the row lock is: keep transactions that audit short.
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
    /**
     * Held by a transaction from its first append until it ends: the appends of this process chain one after
     * another without each reading the head row first. The head row's lock still orders them against other
     * processes on the same database.
     */
    private final ReentrantLock appendLock = new ReentrantLock();
    private static final long LOCK_WAIT_SECONDS = 10;
    /** The head as this process's last committed append left it; {@code null}: unknown (read it). */
    private volatile Head committedHead;

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

        Head head = appendingHead();
        long sequence = head.sequence() + 1;
        Instant at = clock.instant().truncatedTo(AuditChain.PRECISION);
        String hash = AuditChain.hash(head.hash(), sequence, at, actor, draft.action(), target, draft.outcome(),
                details);
        if (jdbc.update(ADVANCE, sequence, hash, head.sequence(), head.hash()) == 0) {
            // The head is not as this process left it (another process appended, or someone changed the row):
            // read it under its row lock and chain onto what it says.
            head = jdbc.query(con -> con.prepareStatement(LOCK_HEAD), HEAD);
            sequence = head.sequence() + 1;
            hash = AuditChain.hash(head.hash(), sequence, at, actor, draft.action(), target, draft.outcome(), details);
            jdbc.update("UPDATE audit_chain_head SET last_sequence = ?, last_hash = ? WHERE id = 1", sequence, hash);
        }
        jdbc.update("INSERT INTO audit_event (sequence, recorded_at, actor, action, target, outcome, details,"
                        + " previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                sequence, SqlTime.utc(at), actor, draft.action(), target,
                draft.outcome().name(), details, head.hash(), hash);
        Appending appending = (Appending) TransactionSynchronizationManager.getResource(this);
        if (appending != null) {
            appending.head = new Head(sequence, hash);
        }
        return new AuditEvent(sequence, at, actor, draft.action(), target, draft.outcome(), details, head.hash(),
                hash);
    }

    /**
     * The head to chain onto in the caller's transaction: the one its last append left, else the one the last
     * committed append of this process left (read from the table when unknown). The first append of a transaction
     * takes this process's append lock, held until the transaction ends, as the head row's lock is.
     */
    private Head appendingHead() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            // Not in a transaction Spring manages (the statements auto-commit): no lock to hold until the end.
            committedHead = null;
            return jdbc.query(con -> con.prepareStatement(LOCK_HEAD), HEAD);
        }
        Appending appending = (Appending) TransactionSynchronizationManager.getResource(this);
        if (appending == null) {
            appending = new Appending();
            lockForAppends();
            try {
                whileAppending(appending);
            } catch (RuntimeException e) {
                TransactionSynchronizationManager.unbindResourceIfPossible(this);
                appendLock.unlock();
                throw e;
            }
        }
        if (appending.head != null) {
            return appending.head;
        }
        Head committed = committedHead;
        return committed != null ? committed : jdbc.query(con -> con.prepareStatement(LOCK_HEAD), HEAD);
    }

    /** Binds the transaction's appends to it, and, when it ends, notes its head (if committed) and unlocks. */
    private void whileAppending(Appending mine) {
        TransactionSynchronizationManager.bindResource(this, mine);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                committedHead = status == STATUS_COMMITTED ? mine.head : null;
                appendLock.unlock();
            }

            @Override
            public void suspend() {
                TransactionSynchronizationManager.unbindResource(ChainedAuditLog.this);
            }

            @Override
            public void resume() {
                TransactionSynchronizationManager.bindResource(ChainedAuditLog.this, mine);
            }

            @Override
            public void beforeCompletion() {
                TransactionSynchronizationManager.unbindResourceIfPossible(ChainedAuditLog.this);
            }
        });
    }

    /**
     * Waits for the appends of other transactions of this process to end, as long as the database would wait for
     * the head row's lock (H2's LOCK_TIMEOUT in application.properties), and fails as it would after that.
     */
    private void lockForAppends() {
        try {
            if (!appendLock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new CannotAcquireLockException("The audit chain's head was busy for " + LOCK_WAIT_SECONDS
                        + " s (another transaction appends and has not ended)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotAcquireLockException("Interrupted while waiting to append to the audit chain", e);
        }
    }

    /** The appends of one transaction: the head its last append made ({@code null} before the first). */
    private static final class Appending {
        Head head;
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

    private static final String LOCK_HEAD = "SELECT last_sequence, last_hash FROM audit_chain_head WHERE id = 1"
            + " FOR UPDATE";
    /** Moves the head on if it is what this process last saw; its row lock is then this transaction's. */
    private static final String ADVANCE = "UPDATE audit_chain_head SET last_sequence = ?, last_hash = ? WHERE id = 1"
            + " AND last_sequence = ? AND last_hash = ?";
    private static final org.springframework.jdbc.core.ResultSetExtractor<Head> HEAD = rs -> {
        if (!rs.next()) {
            throw new IllegalStateException("the audit chain has no head row");
        }
        return new Head(rs.getLong(1), rs.getString(2));
    };
}
