package org.vfiobroker.inventory.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.InventoryApi;
import org.vfiobroker.api.model.Device;
import org.vfiobroker.api.model.DevicePage;
import org.vfiobroker.api.model.Host;
import org.vfiobroker.api.model.IommuGroup;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroupNotFoundException;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.web.PreSerializedJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read API of the inventory, as {@code api-spec/openapi.yaml} defines it. Device pages are serialized once
 * per inventory snapshot and query and then served as bytes: the inventory changes far more rarely than it is
 * read.
 */
@RestController
class InventoryController implements InventoryApi {

    /**
     * Pages kept, and their JSON bytes in all (a page of 1,000 devices is ~1.5 MB); beyond either the cache is
     * cleared and refills with the queries asked for. Each page also holds its DTOs, about as large again.
     */
    static final int CACHED_PAGES = 256;
    static final long CACHED_BYTES = 8L << 20;

    private final InventoryService inventory;
    private final JsonMapper json;
    private final Map<PageQuery, CachedPage> pages = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong cachedBytes = new java.util.concurrent.atomic.AtomicLong();

    InventoryController(InventoryService inventory, JsonMapper json) {
        this.inventory = inventory;
        this.json = json;
    }

    private record PageQuery(DeviceFilter filter, int page, int size) {
    }

    /** A page serialized once for one snapshot: valid while that snapshot is the current one. */
    private record CachedPage(InventoryService.Snapshot snapshot, SerializedDevicePage body) {
    }

    /** A device page with its JSON, written as is by the web layer's pre-serialized converter. */
    static final class SerializedDevicePage extends DevicePage implements PreSerializedJson {
        private final byte[] json;

        SerializedDevicePage(DevicePage page, byte[] json) {
            items(page.getItems()).page(page.getPage()).size(page.getSize()).totalItems(page.getTotalItems())
                    .totalPages(page.getTotalPages());
            this.json = json;
        }

        @Override
        public byte[] json() {
            return json;
        }
    }

    @Override
    public ResponseEntity<Host> getHost() {
        InventoryService.Snapshot snapshot = inventory.snapshot();
        return ResponseEntity.ok(InventoryDtos.host(snapshot.host(), snapshot.devices().size()));
    }

    @Override
    public ResponseEntity<DevicePage> listDevices(String vendor, String device, String propertyClass, String driver,
                                                  Integer numaNode, Integer iommuGroup, String physicalFunction,
                                                  Integer page, Integer size) {
        DeviceFilter filter = DeviceFilter.of(vendor, device, propertyClass, driver, numaNode, iommuGroup,
                physicalFunction);
        InventoryService.Snapshot snapshot = inventory.snapshot();
        PageQuery query = new PageQuery(filter, page, size);
        CachedPage cached = pages.get(query);
        if (cached == null || cached.snapshot() != snapshot) {
            CachedPage replaced = cached; // the same query on an older snapshot: its bytes go
            DevicePage body = page(snapshot, filter, page, size);
            byte[] bytes = json.writeValueAsBytes(body);
            cached = new CachedPage(snapshot, new SerializedDevicePage(body, bytes));
            long grown = bytes.length - (replaced == null ? 0 : replaced.body().json().length);
            if ((replaced == null && pages.size() >= CACHED_PAGES) || cachedBytes.addAndGet(grown) > CACHED_BYTES) {
                pages.clear();
                cachedBytes.set(bytes.length);
            }
            pages.put(query, cached);
        }
        return ResponseEntity.ok(cached.body());
    }

    /** The JSON bytes the cached pages hold (approximate while pages are being replaced concurrently). */
    long cachedBytes() {
        return cachedBytes.get();
    }

    private static DevicePage page(InventoryService.Snapshot snapshot, DeviceFilter filter, int page, int size) {
        List<PciFunction> matching = snapshot.devices().stream().filter(filter).toList();
        int total = matching.size();
        long from = Math.min((long) page * size, total);
        int to = (int) Math.min(from + size, total);
        List<Device> items = matching.subList((int) from, to).stream().map(InventoryDtos::device).toList();
        return new DevicePage()
                .items(items)
                .page(page)
                .size(size)
                .totalItems(total)
                .totalPages((total + size - 1) / size);
    }

    @Override
    public ResponseEntity<Device> getDevice(String address) {
        return ResponseEntity.ok(InventoryDtos.device(inventory.getDevice(PciAddress.parse(address))));
    }

    @Override
    public ResponseEntity<List<IommuGroup>> listIommuGroups() {
        InventoryService.Snapshot snapshot = inventory.snapshot();
        return ResponseEntity.ok(snapshot.groups().stream()
                .map(g -> InventoryDtos.group(g, snapshot.devicesByAddress()))
                .toList());
    }

    @Override
    public ResponseEntity<IommuGroup> getIommuGroup(Integer id) {
        InventoryService.Snapshot snapshot = inventory.snapshot();
        IommuGroup group = Optional.ofNullable(snapshot.groupsById().get(id))
                .map(g -> InventoryDtos.group(g, snapshot.devicesByAddress()))
                .orElseThrow(() -> new IommuGroupNotFoundException(id));
        return ResponseEntity.ok(group);
    }
}
