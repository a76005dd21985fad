package org.vfiobroker.inventory.web;

import org.springframework.stereotype.Controller;
import org.vfiobroker.web.DashboardPage;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;

/**
 * Read pages on the inventory: the PCIe topology as a picture, the IOMMU groups with why each is or is not
 * viable and what a bind would change, and one device with every field. All work without JavaScript.
 * An unknown address or group is a 404 (the problem handler); a malformed address a 400.
 */
@Controller
@DashboardPage
class InventoryPagesController {

    private final InventoryService inventory;

    InventoryPagesController(InventoryService inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/topology")
    String topology(Model model) {
        InventoryService.Snapshot s = inventory.snapshot();
        model.addAttribute("topology", Topology.of(s, inventory));
        return "topology";
    }

    @GetMapping("/groups")
    String groups(Model model) {
        InventoryService.Snapshot s = inventory.snapshot();
        model.addAttribute("groups", s.groups().stream().map(g -> GroupView.of(g, inventory)).toList());
        model.addAttribute("counts", HostCounts.of(s));
        return "groups";
    }

    @GetMapping("/groups/{id}")
    String group(@PathVariable int id, Model model) {
        IommuGroup g = inventory.getGroup(id);
        model.addAttribute("g", GroupView.of(g, inventory));
        return "group";
    }

    @GetMapping("/devices/{address}")
    String device(@PathVariable String address, Model model) {
        PciFunction f = inventory.getDevice(PciAddress.parse(address));
        model.addAttribute("d", f);
        model.addAttribute("g", f.iommuGroup() == null ? null
                : inventory.findGroup(f.iommuGroup()).map(g -> GroupView.of(g, inventory)).orElse(null));
        return "device";
    }
}
