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

interface GrantRepository extends JpaRepository<Grant, Long> {

    Optional<Grant> findByRequestedByAndIdempotencyKey(String requestedBy, String idempotencyKey);

    List<Grant> findByStateIn(Collection<GrantState> states);

    @Query("select g from Grant g where (:state is null or g.state = :state)"
            + " and (:user is null or g.unixUser = :user) order by g.id desc")
    List<Grant> search(@Param("state") GrantState state, @Param("user") String user, Pageable page);

    @Query("select count(g) from Grant g where g.state = :state")
    long countByState(@Param("state") GrantState state);

    @Query("select coalesce(sum(g.memlockBytes), 0) from Grant g where g.state = :state")
    long memlockOf(@Param("state") GrantState state);
}
