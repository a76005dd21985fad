package org.vfiobroker.grant;

import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.vfiobroker.host.HostAgent;

/**
 * Every host-changing step of the grant feature goes through here: journaled as STARTED before the call,
 * DONE or FAILED after it. Steps that one caller runs one after another go through a {@link Sequence}, which
 * writes a step's DONE and the next one's STARTED in one transaction.
 */
@Component
class HostSteps {

    private final HostAgent host;
    private final Journal journal;

    HostSteps(HostAgent host, Journal journal) {
        this.host = host;
        this.journal = journal;
    }

    HostAgent host() {
        return host;
    }

    /** One step on its own: a sequence of one. */
    <T> T run(Long grantId, String step, String target, String detail, Supplier<T> action) {
        try (Sequence sequence = sequence()) {
            return sequence.run(grantId, step, target, detail, action);
        }
    }

    /** Steps run one after another by one caller; close it (try-with-resources) when the last has run. */
    Sequence sequence() {
        return new Sequence();
    }

    /**
     * A step's DONE row is written together with the next step's STARTED row, or by {@link #close}. Until then
     * the finished step still counts as under way (a periodic reconcile leaves it alone), and after a crash it
     * is found STARTED and recovered, as a crash right after the step and before its DONE row always was. A step
     * that fails is finished FAILED at once. Not for sharing between threads.
     */
    final class Sequence implements AutoCloseable {

        /** The row of a step that ended well and whose DONE is not written yet; -1: none. */
        private long done = -1;

        <T> T run(Long grantId, String step, String target, String detail, Supplier<T> action) {
            long previous = done;
            done = -1;
            long entry = previous < 0 ? journal.start(grantId, step, target, detail)
                    : journal.finishAndStart(previous, grantId, step, target, detail);
            T result;
            try {
                result = action.get();
            } catch (RuntimeException e) {
                journal.finish(entry, JournalEntry.Phase.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
                throw e;
            }
            done = entry;
            return result;
        }

        @Override
        public void close() {
            if (done >= 0) {
                long last = done;
                done = -1;
                journal.finish(last, JournalEntry.Phase.DONE, null);
            }
        }
    }
}
