package org.vfiobroker.audit;

import java.time.Instant;

/**
 * One audit event.
 *
 * @param sequence position in the chain, from 1
 * @param at       when it was recorded
 * @param actor    the service account (or {@code system} for timers, reconcile and expiry)
 * @param action   what was done, dotted lower case, e.g. {@code grant.create}, {@code pool.update}
 * @param target   what it was done to, e.g. {@code grant:42}, {@code iommu-group:12}, {@code account:alice}
 * @param outcome  success, refusal or failure
 * @param details  free text or JSON with the data behind the outcome
 * @param previousHash hash of the previous event (hex), empty for the first
 * @param hash     SHA-256 over the previous hash and this event's fields (hex)
 */
public record AuditEvent(long sequence, Instant at, String actor, String action, String target, Outcome outcome,
                         String details, String previousHash, String hash) {

    public enum Outcome {
        SUCCESS,
        REFUSED,
        FAILED
    }

    /**
     * An event to record.
     *
     * @param actor the actor, or {@code null} for the currently authenticated account ({@code system} when none)
     */
    public record Draft(String actor, String action, String target, Outcome outcome, String details) {
    }
}
