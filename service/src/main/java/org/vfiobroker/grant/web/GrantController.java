package org.vfiobroker.grant.web;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.GrantsApi;
import org.vfiobroker.api.model.GrantExtension;
import org.vfiobroker.api.model.GrantGroup;
import org.vfiobroker.api.model.GrantRequest;
import org.vfiobroker.api.model.GrantState;
import org.vfiobroker.api.model.GrantUsage;
import org.vfiobroker.api.model.NumaPolicy;
import org.vfiobroker.api.model.ProcessLimit;
import org.vfiobroker.api.model.ProcessLimitRequest;
import org.vfiobroker.grant.Grant;
import org.vfiobroker.grant.GrantService;
import org.vfiobroker.host.ProcessMemlockResult;

/** The grants API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link GrantService}. */
@RestController
class GrantController implements GrantsApi {

    private final GrantService grants;

    GrantController(GrantService grants) {
        this.grants = grants;
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Grant> createGrant(GrantRequest body, String idempotencyKey) {
        GrantService.Request r = new GrantService.Request(body.getUnixUser(), body.getPool(), body.getCount(),
                body.getGroups(), body.getMemlockBytes(), body.getDurationSeconds(), body.getNumaNode(),
                body.getNumaPolicy() == null ? null : body.getNumaPolicy().name());
        GrantService.Created created = body.getGroups() != null && !body.getGroups().isEmpty()
                ? grants.grantGroups(r, idempotencyKey) : grants.request(r, idempotencyKey);
        org.vfiobroker.api.model.Grant dto = dto(created.grant());
        return created.replayed() ? ResponseEntity.ok(dto)
                : ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/api/v1/grants/" + dto.getId())).body(dto);
    }

    @Override
    public ResponseEntity<List<org.vfiobroker.api.model.Grant>> listGrants(GrantState state, String unixUser,
                                                                          Integer limit) {
        return ResponseEntity.ok(grants.list(state == null ? null : org.vfiobroker.grant.GrantState.valueOf(state.name()),
                unixUser, limit).stream().map(this::dto).toList());
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Grant> getGrant(Long id) {
        return ResponseEntity.ok(dto(grants.get(id)));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Grant> revokeGrant(Long id, Boolean force) {
        return ResponseEntity.ok(dto(grants.revoke(id, Boolean.TRUE.equals(force))));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Grant> extendGrant(Long id, GrantExtension body) {
        return ResponseEntity.ok(dto(grants.extend(id, body.getExtendBySeconds())));
    }

    @Override
    public ResponseEntity<ProcessLimit> limitGrantProcess(Long id, ProcessLimitRequest body) {
        ProcessMemlockResult r = grants.limitProcess(id, body.getPid());
        return ResponseEntity.ok(new ProcessLimit().pid(r.pid()).uid((long) r.uid()).command(r.comm()).bytes(r.bytes())
                .previousSoftBytes(r.previousSoft()).previousHardBytes(r.previousHard()));
    }

    @Override
    public ResponseEntity<GrantUsage> getGrantUsage(Long id) {
        GrantService.Usage u = grants.usage(id);
        return ResponseEntity.ok(new GrantUsage()
                .grantId(u.grant().getId())
                .state(GrantState.valueOf(u.grant().getState().name()))
                .memlockBytes(u.grant().getMemlockBytes())
                .lockedBytes(u.lockedBytes())
                .pinnedBytes(u.pinnedBytes())
                .excess(u.excess())
                .revokeOnExcess(u.revokeOnExcess())
                .holders(u.holders().stream().map(h -> new org.vfiobroker.api.model.Holder()
                        .pid(h.holder().pid()).uid((long) h.holder().uid()).command(h.holder().comm())
                        .iommuGroup(h.group()).lockedBytes(h.holder().vmLckBytes())
                        .pinnedBytes(h.holder().vmPinBytes())).toList()));
    }

    private org.vfiobroker.api.model.Grant dto(Grant g) {
        org.vfiobroker.api.model.Grant dto = new org.vfiobroker.api.model.Grant()
                .id(g.getId())
                .state(GrantState.valueOf(g.getState().name()))
                .unixUser(g.getUnixUser())
                .uid(g.getUid())
                .gid(g.getGid())
                .policyId(g.getPolicyId())
                .memlockBytes(g.getMemlockBytes())
                .groups(g.getItems().stream().map(i -> new GrantGroup()
                        .iommuGroup(i.getIommuGroup())
                        .members(List.copyOf(i.memberIds().keySet()))
                        .numaNode(i.getNumaNode())
                        .node("/dev/vfio/" + i.getIommuGroup())).toList())
                .numaNode(g.getNumaNode())
                .numaPolicy(g.getNumaPolicy() == null ? null : NumaPolicy.valueOf(g.getNumaPolicy()))
                .requestedBy(g.getRequestedBy())
                .idempotencyKey(g.getIdempotencyKey())
                .reason(g.getReason())
                .createdAt(time(g.getCreatedAt()))
                .activatedAt(time(g.getActivatedAt()))
                .expiresAt(time(g.getExpiresAt()))
                .releasedAt(time(g.getReleasedAt()));
        if (g.getPoolName() != null) {
            dto.pool(g.getPoolName());
        }
        return dto;
    }

    private static OffsetDateTime time(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
