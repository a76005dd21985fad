package org.vfiobroker.inventory.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.vfiobroker.web.DashboardPage;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.vfiobroker.audit.AuditQuery;
import org.vfiobroker.audit.AuditService;
import org.vfiobroker.host.HelperStatus;
import org.vfiobroker.inventory.InventoryService;

/**
 * The first dashboard page: IOMMU status with plain-language warnings, counts, the latest audit events
 * (for those who may read them) and the device table. Works without JavaScript.
 */
@Controller
@DashboardPage
class OverviewPageController {

    static final int PAGE_SIZE = 50;
    static final int RECENT_EVENTS = 8;

    private final InventoryService inventory;
    private final HelperStatus helper;
    private final AuditService audit;
    private final MessageSource messages;
    private final ObjectProvider<GroupHolders> holders;
    private final ObjectProvider<QuotaOverview> quotas;

    OverviewPageController(InventoryService inventory, HelperStatus helper, AuditService audit,
                           MessageSource messages, ObjectProvider<GroupHolders> holders,
                           ObjectProvider<QuotaOverview> quotas) {
        this.quotas = quotas;
        this.inventory = inventory;
        this.helper = helper;
        this.audit = audit;
        this.messages = messages;
        this.holders = holders;
    }

    @GetMapping("/")
    String overview(@RequestParam(name = "class", required = false) String classPrefix,
                    @RequestParam(required = false) String vendor,
                    @RequestParam(required = false) String driver,
                    @RequestParam(required = false) Integer iommuGroup,
                    @RequestParam(defaultValue = "0") int page,
                    HttpServletRequest request, Locale locale, Model model) {
        InventoryService.Snapshot snapshot = inventory.snapshot();
        HelperStatus.State helperState = helper.current();
        model.addAttribute("host", snapshot.host());
        model.addAttribute("helper", helperState);
        model.addAttribute("warnings", HostWarnings.of(snapshot.host(), helperState, messages, locale));
        GroupHolders h = holders.getIfAvailable();
        model.addAttribute("counts", HostCounts.of(snapshot, h == null ? Map.of() : h.holders()));
        model.addAttribute("deviceCount", snapshot.devices().size());
        QuotaOverview q = quotas.getIfAvailable();
        model.addAttribute("quotas", q == null ? List.of() : q.lines());
        boolean auditReader = request.isUserInRole("ADMIN") || request.isUserInRole("OPERATOR")
                || request.isUserInRole("VIEWER");
        model.addAttribute("recentEvents", auditReader
                ? audit.find(new AuditQuery(null, null, null, null, null, null), 0, RECENT_EVENTS).items()
                : List.of());
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
