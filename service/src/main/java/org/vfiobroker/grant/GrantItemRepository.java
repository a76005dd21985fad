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

interface GrantItemRepository extends JpaRepository<GrantItem, Long> {

    @Query("select i.activeGroup from GrantItem i where i.activeGroup is not null")
    List<Integer> heldGroups();

    @Query("select i.grant.id from GrantItem i where i.activeGroup = :group")
    Optional<Long> holderOf(@Param("group") int group);

    @Query("select count(i) from GrantItem i where i.activeGroup is not null and i.grant.uid = :uid"
            + " and i.grant.poolId = :poolId")
    long heldFromPool(@Param("uid") long uid, @Param("poolId") long poolId);
}
