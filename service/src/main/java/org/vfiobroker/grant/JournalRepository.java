package org.vfiobroker.grant;

import jakarta.persistence.LockModeType;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface JournalRepository extends JpaRepository<JournalEntry, Long> {

    List<JournalEntry> findByPhaseOrderByIdAsc(JournalEntry.Phase phase);

    List<JournalEntry> findByGrantIdOrderByIdAsc(long grantId);
}
