package org.vfiobroker.inventory.web;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.vfiobroker.inventory.InventoryService;

/** The first dashboard page: the host summary and the device table. Works without JavaScript. */
@Controller
class OverviewPageController {

    static final int PAGE_SIZE = 50;

    private final InventoryService inventory;

    OverviewPageController(InventoryService inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/")
    String overview(@RequestParam(name = "class", required = false) String classPrefix,
                    @RequestParam(required = false) String vendor,
                    @RequestParam(required = false) String driver,
                    @RequestParam(required = false) Integer iommuGroup,
                    @RequestParam(defaultValue = "0") int page,
                    Model model) {
        InventoryService.Snapshot snapshot = inventory.snapshot();
        model.addAttribute("host", snapshot.host());
        model.addAttribute("deviceCount", snapshot.devices().size());
        table(snapshot, classPrefix, vendor, driver, iommuGroup, page, model);
        return "overview";
    }

    /** The table alone, for htmx to swap in when a filter changes. */
    @GetMapping("/devices/table")
    String deviceTable(@RequestParam(name = "class", required = false) String classPrefix,
                       @RequestParam(required = false) String vendor,
                       @RequestParam(required = false) String driver,
                       @RequestParam(required = false) Integer iommuGroup,
                       @RequestParam(defaultValue = "0") int page,
                       Model model) {
        table(inventory.snapshot(), classPrefix, vendor, driver, iommuGroup, page, model);
        return "fragments/device-table :: table";
    }

    private static void table(InventoryService.Snapshot snapshot, String classPrefix, String vendor, String driver, Integer iommuGroup, int page, Model model) {
        DeviceFilter filter = PageFilters.lenient(classPrefix, vendor, driver, iommuGroup);
        var matching = snapshot.devices().stream().filter(filter).toList();
        var links = ServletUriComponentsBuilder.fromCurrentRequest().replacePath("/");
        model.addAttribute("filter", filter);
        model.addAttribute("page", DeviceTablePage.of(matching, Math.max(0, page), PAGE_SIZE,
                p -> links.replaceQueryParam("page", p).toUriString() + "#devices"));
    }
}
