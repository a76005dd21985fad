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

/**
 * Grant items. The queries about what is held now go through the grant's state (an item's active_group is set
 * exactly while its grant is in a {@link GrantState#HOLDING} state): the index on device_grant (state, uid) then
 * finds the holding grants, so their cost follows what is held now, not every grant ever made (V4).
 */
interface GrantItemRepository extends JpaRepository<GrantItem, Long> {

    /** The groups held now. */
    default List<Integer> heldGroups() {
        return heldGroups(GrantState.HOLDING);
    }

    @Query("select i.activeGroup from GrantItem i where i.grant.state in :holding and i.activeGroup is not null")
    List<Integer> heldGroups(@Param("holding") Collection<GrantState> holding);

    @Query("select i.grant.id from GrantItem i where i.activeGroup = :group")
    Optional<Long> holderOf(@Param("group") int group);

    /** How many groups from this pool the user holds now. */
    default long heldFromPool(long uid, long poolId) {
        return heldFromPool(uid, poolId, GrantState.HOLDING);
    }

    @Query("select count(i) from GrantItem i where i.grant.state in :holding and i.grant.uid = :uid"
            + " and i.grant.poolId = :poolId and i.activeGroup is not null")
    long heldFromPool(@Param("uid") long uid, @Param("poolId") long poolId,
                      @Param("holding") Collection<GrantState> holding);
}
