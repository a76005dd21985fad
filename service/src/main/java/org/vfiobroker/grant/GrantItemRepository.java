package org.vfiobroker.grant;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Grant items; what is held now is asked through {@link HoldingQueries}. */
interface GrantItemRepository extends JpaRepository<GrantItem, Long> {

    @Query("select i.grant.id from GrantItem i where i.activeGroup = :group")
    Optional<Long> holderOf(@Param("group") int group);
}
