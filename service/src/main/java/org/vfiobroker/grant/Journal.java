package org.vfiobroker.grant;

import java.time.Clock;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The operation journal; each write commits on its own, before and after the host step it describes. */
@Component
class Journal {

    private final JournalRepository entries;
    private final Clock clock;

    Journal(JournalRepository entries, Clock clock) {
        this.entries = entries;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public long start(Long grantId, String step, String target, String detail) {
        return entries.save(new JournalEntry(grantId, step, target, detail, clock.instant())).getId();
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void finish(long id, JournalEntry.Phase phase, String detail) {
        entries.findById(id).ifPresent(e -> e.finish(phase, detail, clock.instant()));
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW, readOnly = true)
    public List<JournalEntry> open() {
        return entries.findByPhaseOrderByIdAsc(JournalEntry.Phase.STARTED);
    }

    @Transactional(readOnly = true)
    public List<JournalEntry> of(long grantId) {
        return entries.findByGrantIdOrderByIdAsc(grantId);
    }
}
