package org.vfiobroker.policy;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface PolicyRepository extends JpaRepository<GrantPolicy, Long> {

    List<GrantPolicy> findByPoolIdOrderByIdAsc(long poolId);

    boolean existsByPoolId(long poolId);

    Optional<GrantPolicy> findByPoolIdAndSubjectKindAndSubjectName(long poolId, GrantPolicy.SubjectKind kind,
                                                                    String name);

    List<GrantPolicy> findAllByOrderByPoolNameAscSubjectKindAscSubjectNameAsc();
}
