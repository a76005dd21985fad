package org.vfiobroker.security;

import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface AccountRepository extends JpaRepository<Account, Long> {

    Optional<Account> findByUsername(String username);

    List<Account> findAllByOrderByUsernameAsc();

    /**
     * The enabled administrators, locked until the transaction ends: two administrators removing each other
     * at the same time are serialised, so the last one always stays.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select a from Account a where a.role = org.vfiobroker.security.Role.ADMIN and a.enabled = true")
    List<Account> lockEnabledAdministrators();
}
