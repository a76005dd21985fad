package org.vfiobroker.grant;

import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.vfiobroker.host.HostAgent;

/**
 * Every host-changing step of the grant feature goes through here: journaled as STARTED before the call,
 * DONE or FAILED after it.
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

    <T> T run(Long grantId, String step, String target, String detail, Supplier<T> action) {
        long entry = journal.start(grantId, step, target, detail);
        T result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            journal.finish(entry, JournalEntry.Phase.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        }
        journal.finish(entry, JournalEntry.Phase.DONE, null);
        return result;
    }
}
