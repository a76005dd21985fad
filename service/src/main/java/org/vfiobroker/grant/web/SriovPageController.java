package org.vfiobroker.grant.web;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.vfiobroker.grant.SriovService;
import org.vfiobroker.host.HostException;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.web.DashboardPage;

/**
 * The SR-IOV control of the device page (ADMIN, OPERATOR: {@link SriovService}). With htmx the answer is
 * the VF list, which polls itself until the VFs the count asks for have appeared; without JavaScript the
 * form posts and is redirected back to the device page.
 */
@Controller
@DashboardPage
class SriovPageController {

    private final SriovService sriov;
    private final InventoryService inventory;

    SriovPageController(SriovService sriov, InventoryService inventory) {
        this.sriov = sriov;
        this.inventory = inventory;
    }

    @PostMapping("/devices/{address}/sriov")
    String setNumVfs(@PathVariable String address, @RequestParam(required = false) Integer numVfs,
                     @RequestHeader(name = "HX-Request", required = false) String htmx, Model model,
                     RedirectAttributes redirect) {
        String error = null;
        try {
            sriov.setNumVfs(address, numVfs);
        } catch (ProblemException | HostException e) {
            error = e.getMessage();
        }
        if (!"true".equals(htmx)) {
            if (error != null) {
                redirect.addFlashAttribute("sriovError", error);
            }
            return "redirect:/devices/" + PciAddress.parse(address) + "#sriov";
        }
        return vfs(address, error == null ? numVfs : null, model, error);
    }

    /** The VF list; polls again while fewer VFs than {@code target} are there. */
    @GetMapping("/devices/{address}/vfs")
    String vfs(@PathVariable String address, @RequestParam(required = false) Integer target, Model model) {
        return vfs(address, target, model, null);
    }

    private String vfs(String address, Integer target, Model model, String error) {
        PciFunction d = inventory.getDevice(PciAddress.parse(address));
        boolean done = d.sriov() == null || target == null || d.sriov().vfs().size() == target;
        model.addAttribute("d", d);
        model.addAttribute("target", done ? null : target);
        model.addAttribute("reached", target != null && done ? target : null);
        model.addAttribute("sriovError", error);
        return "fragments/sriov :: vfs";
    }
}
