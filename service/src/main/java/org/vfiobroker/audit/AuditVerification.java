package org.vfiobroker.audit;

/**
 * The result of walking the chain.
 *
 * @param intact              every link holds and the head names the last event
 * @param eventsChecked       events read
 * @param lastSequence        the sequence the chain head names
 * @param firstBrokenSequence the first event whose link is broken, {@code null} when intact
 * @param problem             what is wrong with it, {@code null} when intact
 */
public record AuditVerification(boolean intact, long eventsChecked, long lastSequence, Long firstBrokenSequence,
                                String problem) {
}
