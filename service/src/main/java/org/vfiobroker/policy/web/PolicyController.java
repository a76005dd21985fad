package org.vfiobroker.policy.web;

import java.net.URI;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.PoliciesApi;
import org.vfiobroker.api.model.Policy;
import org.vfiobroker.api.model.PolicyInput;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.PolicyService;

/** The policies API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link PolicyService}. */
@RestController
class PolicyController implements PoliciesApi {

    private final PolicyService policies;

    PolicyController(PolicyService policies) {
        this.policies = policies;
    }

    @Override
    public ResponseEntity<List<Policy>> listPolicies() {
        return ResponseEntity.ok(policies.list().stream().map(PolicyController::dto).toList());
    }

    @Override
    public ResponseEntity<Policy> createPolicy(PolicyInput in) {
        GrantPolicy p = policies.create(input(in));
        return ResponseEntity.created(URI.create("/api/v1/policies/" + p.getId())).body(dto(p));
    }

    @Override
    public ResponseEntity<Policy> getPolicy(Long id) {
        return ResponseEntity.ok(dto(policies.get(id)));
    }

    @Override
    public ResponseEntity<Policy> updatePolicy(Long id, PolicyInput in) {
        return ResponseEntity.ok(dto(policies.update(id, input(in))));
    }

    @Override
    public ResponseEntity<Void> deletePolicy(Long id) {
        policies.delete(id);
        return ResponseEntity.noContent().build();
    }

    private static PolicyService.Input input(PolicyInput in) {
        return new PolicyService.Input(in.getPool(), in.getUnixUser(), in.getUnixGroup(), in.getMaxGroups(),
                in.getMaxMemlockBytes(), in.getMaxLeaseSeconds(), in.getRevokeOnExcess());
    }

    static Policy dto(GrantPolicy p) {
        Policy dto = new Policy()
                .id(p.getId())
                .pool(p.getPool().getName())
                .poolId(p.getPool().getId())
                .maxGroups(p.limits().maxGroups())
                .maxMemlockBytes(p.limits().maxMemlockBytes())
                .maxLeaseSeconds(p.limits().maxLeaseSeconds())
                .revokeOnExcess(p.isRevokeOnExcess())
                .createdAt(p.getCreatedAt().atOffset(ZoneOffset.UTC))
                .updatedAt(p.getUpdatedAt().atOffset(ZoneOffset.UTC));
        if (p.getSubjectKind() == GrantPolicy.SubjectKind.USER) {
            dto.unixUser(p.getSubjectName());
        } else {
            dto.unixGroup(p.getSubjectName());
        }
        return dto;
    }
}
