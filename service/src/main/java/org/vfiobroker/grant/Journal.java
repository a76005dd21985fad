package org.vfiobroker.grant;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The operation journal; each write commits on its own, before and after the host step it describes. */
@Component
class Journal {

    private final JournalRepository entries;
    private final Clock clock;
    /**
     * Rows this process started and has not finished (their step is running): a periodic reconcile must not take
     * them for interrupted ones. Removed only after the finishing transaction ended, so that the reconcile never
     * sees a row STARTED in the database and absent here while its DONE is about to commit.
     */
    private final Set<Long> underWay = ConcurrentHashMap.newKeySet();

    Journal(JournalRepository entries, Clock clock) {
        this.entries = entries;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public long start(Long grantId, String step, String target, String detail) {
        long id = entries.save(new JournalEntry(grantId, step, target, detail, clock.instant())).getId();
        underWay.add(id);
        return id;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void finish(long id, JournalEntry.Phase phase, String detail) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                underWay.remove(id);
            }
        });
        entries.findById(id).ifPresent(e -> e.finish(phase, detail, clock.instant()));
    }

    /**
     * Rows left STARTED by a step that is not running in this process: interrupted by a crash or a stop. At
     * start-up that is every STARTED row.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW, readOnly = true)
    public List<JournalEntry> interrupted() {
        return entries.findByPhaseOrderByIdAsc(JournalEntry.Phase.STARTED).stream()
                .filter(e -> !underWay.contains(e.getId())).toList();
    }

    @Transactional(readOnly = true)
    public List<JournalEntry> of(long grantId) {
        return entries.findByGrantIdOrderByIdAsc(grantId);
    }
}
