package org.vfiobroker.grant;

/**
 * One host-changing step of the operation journal: written STARTED before it, DONE or FAILED after it,
 * RECOVERED by the reconcile.
 */
record JournalEntry(long id, Long grantId, String step, String target, Phase phase, String detail) {

    enum Phase { STARTED, DONE, FAILED, RECOVERED }
}
