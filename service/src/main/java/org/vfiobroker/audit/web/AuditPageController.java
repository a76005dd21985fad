package org.vfiobroker.audit.web;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Controller;
import org.vfiobroker.web.DashboardPage;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditQuery;
import org.vfiobroker.audit.AuditService;

/**
 * The dashboard's audit page: the events filtered by actor, action (exact, or a prefix ending with a dot),
 * target, outcome and time (UTC), and the state of the chain. Authorization is on {@link AuditService}. A
 * time the page cannot read is ignored and named, not refused.
 */
@Controller
@DashboardPage
class AuditPageController {

    static final int PAGE_SIZE = 50;

    private final AuditService audit;

    AuditPageController(AuditService audit) {
        this.audit = audit;
    }

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) String target, @RequestParam(required = false) String outcome,
                 @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                 @RequestParam(defaultValue = "0") int page, Model model) {
        List<String> ignored = new ArrayList<>();
        AuditEvent.Outcome outcomeFilter = outcome(outcome);
        Instant fromTime = time(from, "from", ignored);
        Instant toTime = time(to, "to", ignored);
        AuditQuery query = new AuditQuery(blankToNull(actor), blankToNull(action), blankToNull(target), outcomeFilter,
                fromTime, toTime);
        model.addAttribute("page", audit.find(query, Math.max(0, Math.min(page, 1_000_000)), PAGE_SIZE));
        model.addAttribute("verification", audit.verify());
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("target", target);
        model.addAttribute("outcome", outcomeFilter == null ? "" : outcomeFilter.name());
        model.addAttribute("outcomes", AuditEvent.Outcome.values());
        model.addAttribute("from", fromTime == null ? "" : from.strip());
        model.addAttribute("to", toTime == null ? "" : to.strip());
        model.addAttribute("ignored", ignored);
        UriComponentsBuilder links = UriComponentsBuilder.fromPath("/audit");
        addIfPresent(links, "actor", actor);
        addIfPresent(links, "action", action);
        addIfPresent(links, "target", target);
        addIfPresent(links, "outcome", outcomeFilter == null ? null : outcomeFilter.name());
        addIfPresent(links, "from", fromTime == null ? null : from.strip());
        addIfPresent(links, "to", toTime == null ? null : to.strip());
        model.addAttribute("pageLink", links.toUriString() + (links.build().getQueryParams().isEmpty() ? "?" : "&")
                + "page=");
        return "audit";
    }

    private static AuditEvent.Outcome outcome(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return AuditEvent.Outcome.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code 2026-01-31T12:00} (what a datetime-local input sends) or with seconds, read as UTC. */
    private static Instant time(String text, String name, List<String> ignored) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(text.strip()).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            ignored.add(name);
            return null;
        }
    }

    private static void addIfPresent(UriComponentsBuilder b, String name, String value) {
        if (value != null && !value.isBlank()) {
            b.queryParam(name, value.strip());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
