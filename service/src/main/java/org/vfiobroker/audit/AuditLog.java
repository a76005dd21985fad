package org.vfiobroker.audit;

/**
 * The append-only, hash-chained record of every state change: the one way any feature reports what it
 * did. An event is written in the caller's transaction, so a change and its event commit together.
 */
public interface AuditLog {

    /** Appends one event and returns it as stored (with its sequence number and chain hash). */
    AuditEvent record(AuditEvent.Draft draft);

    /** Convenience for {@link #record(AuditEvent.Draft)} with the current authenticated actor. */
    default AuditEvent record(String action, String target, AuditEvent.Outcome outcome, String details) {
        return record(new AuditEvent.Draft(null, action, target, outcome, details));
    }
}
