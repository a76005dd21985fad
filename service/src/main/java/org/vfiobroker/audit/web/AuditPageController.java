package org.vfiobroker.audit.web;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.vfiobroker.audit.AuditQuery;
import org.vfiobroker.audit.AuditService;

/** The dashboard's audit page: the latest events and the state of the chain. Authorization is on {@link AuditService}. */
@Controller
class AuditPageController {

    static final int PAGE_SIZE = 50;

    private final AuditService audit;

    AuditPageController(AuditService audit) {
        this.audit = audit;
    }

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) String target, @RequestParam(defaultValue = "0") int page,
                 Model model) {
        AuditQuery query = new AuditQuery(blankToNull(actor), blankToNull(action), blankToNull(target), null, null,
                null);
        model.addAttribute("page", audit.find(query, Math.max(0, Math.min(page, 1_000_000)), PAGE_SIZE));
        model.addAttribute("verification", audit.verify());
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("target", target);
        return "audit";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
