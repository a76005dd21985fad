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

interface GranteeRepository extends JpaRepository<Grantee, Long> {

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select g from Grantee g where g.uid = :uid")
    Optional<Grantee> lock(@Param("uid") long uid);
}
