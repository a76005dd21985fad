package org.vfiobroker.policy;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface PoolRepository extends JpaRepository<Pool, Long> {

    Optional<Pool> findByName(String name);

    List<Pool> findAllByOrderByNameAsc();
}
