package org.vfiobroker.inventory.web;

import java.util.List;
import java.util.Optional;
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

/** The read API of the inventory, as {@code api-spec/openapi.yaml} defines it. */
@RestController
class InventoryController implements InventoryApi {

    private final InventoryService inventory;

    InventoryController(InventoryService inventory) {
        this.inventory = inventory;
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
        List<PciFunction> matching = inventory.devices().stream().filter(filter).toList();
        int total = matching.size();
        long from = Math.min((long) page * size, total);
        int to = (int) Math.min(from + size, total);
        List<Device> items = matching.subList((int) from, to).stream().map(InventoryDtos::device).toList();
        return ResponseEntity.ok(new DevicePage()
                .items(items)
                .page(page)
                .size(size)
                .totalItems(total)
                .totalPages((total + size - 1) / size));
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
