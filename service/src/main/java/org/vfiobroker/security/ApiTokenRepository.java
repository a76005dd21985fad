package org.vfiobroker.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface ApiTokenRepository extends JpaRepository<ApiToken, Long> {

    Optional<ApiToken> findByPrefix(String prefix);

    boolean existsByPrefix(String prefix);

    List<ApiToken> findAllByOrderByIdDesc();

    List<ApiToken> findByAccountUsernameOrderByIdDesc(String username);

    @Modifying
    @Transactional
    @Query("update ApiToken t set t.lastUsedAt = :at where t.id = :id")
    int touch(@Param("id") long id, @Param("at") Instant at);
}
