package org.vfiobroker.policy.web;

import java.net.URI;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.PoolsApi;
import org.vfiobroker.api.model.PoolInput;
import org.vfiobroker.policy.Pool;
import org.vfiobroker.policy.PoolSelector;
import org.vfiobroker.policy.PoolService;

/** The pools API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link PoolService}. */
@RestController
class PoolController implements PoolsApi {

    private final PoolService pools;

    PoolController(PoolService pools) {
        this.pools = pools;
    }

    @Override
    public ResponseEntity<List<org.vfiobroker.api.model.Pool>> listPools() {
        return ResponseEntity.ok(pools.list().stream().map(this::dto).toList());
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Pool> createPool(PoolInput in) {
        Pool pool = pools.create(in.getName(), in.getDescription(), selector(in));
        return ResponseEntity.created(URI.create("/api/v1/pools/" + pool.getId())).body(dto(pool));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Pool> getPool(Long id) {
        return ResponseEntity.ok(dto(pools.get(id)));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Pool> updatePool(Long id, PoolInput in) {
        return ResponseEntity.ok(dto(pools.update(id, in.getName(), in.getDescription(), selector(in))));
    }

    @Override
    public ResponseEntity<Void> deletePool(Long id) {
        pools.delete(id);
        return ResponseEntity.noContent().build();
    }

    private static PoolSelector selector(PoolInput in) {
        org.vfiobroker.api.model.PoolSelector s = in.getSelector();
        return PoolSelector.of(s.getVendorDevices(), s.getClassPrefixes(), s.getAddresses(), s.getPhysicalFunctions());
    }

    private org.vfiobroker.api.model.Pool dto(Pool p) {
        PoolSelector s = p.selector();
        return new org.vfiobroker.api.model.Pool()
                .id(p.getId())
                .name(p.getName())
                .description(p.getDescription())
                .selector(new org.vfiobroker.api.model.PoolSelector()
                        .vendorDevices(s.vendorDevices())
                        .classPrefixes(s.classPrefixes())
                        .addresses(s.addresses().stream().map(Object::toString).toList())
                        .physicalFunctions(s.physicalFunctions().stream().map(Object::toString).toList()))
                .groups(pools.groupsOf(s))
                .createdAt(p.getCreatedAt().atOffset(ZoneOffset.UTC))
                .updatedAt(p.getUpdatedAt().atOffset(ZoneOffset.UTC));
    }
}
