package org.vfiobroker.grant.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.vfiobroker.audit.AuditQuery;
import org.vfiobroker.audit.AuditService;
import org.vfiobroker.grant.ActivationFailedException;
import org.vfiobroker.grant.Grant;
import org.vfiobroker.grant.GrantCheck;
import org.vfiobroker.grant.GrantService;
import org.vfiobroker.grant.GrantState;
import org.vfiobroker.host.HostException;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.PolicyService;
import org.vfiobroker.policy.PoolService;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.web.DashboardPage;
import org.vfiobroker.web.FormErrors;

/**
 * Grants on the dashboard: the list with quota bars per policy, a request form with a live policy check,
 * one grant with its live usage (holders, locked and pinned memory against the quota), its state history,
 * extension and revocation (a forced revocation is confirmed first, naming the processes it ends).
 * Authorization is on {@link GrantService} and {@link GrantCheck}.
 */
@Controller
@DashboardPage
class GrantPagesController {

    static final long MIB = 1024L * 1024;
    static final int LIST_LIMIT = 500;

    private static final Map<String, String> FIELDS = Map.of(
            "unixUser", "unixUser", "pool", "pool", "count", "count", "groups", "groups",
            "memlockBytes", "memlockMib", "durationSeconds", "durationHours", "numaNode", "numaNode");

    private final GrantService grants;
    private final GrantCheck checks;
    private final PoolService pools;
    private final PolicyService policies;
    private final InventoryService inventory;
    private final AuditService audit;
    private final GrantQuotas quotas;

    GrantPagesController(GrantService grants, GrantCheck checks, PoolService pools, PolicyService policies,
                         InventoryService inventory, AuditService audit, GrantQuotas quotas) {
        this.quotas = quotas;
        this.grants = grants;
        this.checks = checks;
        this.pools = pools;
        this.policies = policies;
        this.inventory = inventory;
        this.audit = audit;
    }

    /** The request form as typed; {@code groups} are numbers separated by commas or spaces. */
    record GrantForm(String unixUser, String pool, Integer count, String groups, Long memlockMib, Long durationHours,
                     Integer numaNode, String idempotencyKey) {

        static GrantForm empty() {
            return new GrantForm("", "", 1, "", 1024L, 8L, null, UUID.randomUUID().toString());
        }

        List<Integer> groupList() {
            if (groups == null || groups.isBlank()) {
                return List.of();
            }
            try {
                return Arrays.stream(groups.strip().split("[,\\s]+")).map(Integer::valueOf).toList();
            } catch (NumberFormatException e) {
                throw new InvalidInputException("groups", "groups: IOMMU group numbers separated by commas (got '"
                        + groups + "')");
            }
        }

        Long memlockBytes() {
            return memlockMib == null ? null : Math.multiplyExact(memlockMib, MIB);
        }

        Long durationSeconds() {
            return durationHours == null ? null : Math.multiplyExact(durationHours, 3600L);
        }

        GrantService.Request request() {
            List<Integer> named = groupList();
            return new GrantService.Request(blankToNull(unixUser), named.isEmpty() ? blankToNull(pool) : null,
                    named.isEmpty() ? count : null, named.isEmpty() ? null : named, memlockBytes(), durationSeconds(),
                    numaNode, null);
        }
    }

    @GetMapping("/grants")
    String list(@RequestParam(required = false) String state, @RequestParam(required = false) String user,
                Model model) {
        GrantState stateFilter = state(state);
        String userFilter = user == null || user.isBlank() ? null : user.strip();
        model.addAttribute("grants", grants.list(stateFilter, userFilter, LIST_LIMIT));
        model.addAttribute("states", GrantState.values());
        model.addAttribute("state", stateFilter == null ? "" : stateFilter.name());
        model.addAttribute("user", userFilter == null ? "" : userFilter);
        model.addAttribute("quotas", quotas.uses());
        return "grants";
    }

    @GetMapping("/grants/new")
    String newGrant(Model model) {
        return form(model, GrantForm.empty(), Map.of());
    }

    /** The live policy check: a fragment htmx swaps in as the form changes. */
    @GetMapping("/grants/check")
    String check(@ModelAttribute GrantForm form, Model model) {
        GrantCheck.Result result;
        try {
            List<Integer> named = form.groupList();
            result = checks.check(blankToNull(form.unixUser()), blankToNull(form.pool()), form.count(), named,
                    form.memlockBytes(), form.durationSeconds());
        } catch (ProblemException | ArithmeticException e) {
            result = new GrantCheck.Result(false, List.of(e.getMessage()), null, null, 0);
        }
        model.addAttribute("check", result);
        return "fragments/policy-check :: check";
    }

    @PostMapping("/grants")
    String create(@ModelAttribute GrantForm form, Model model, RedirectAttributes redirect) {
        try {
            GrantService.Request r = form.request();
            GrantService.Created created = r.groups() == null ? grants.request(r, form.idempotencyKey())
                    : grants.grantGroups(r, form.idempotencyKey());
            redirect.addFlashAttribute("created", true);
            return "redirect:/grants/" + created.grant().getId();
        } catch (ActivationFailedException e) {
            // The grant exists and says what happened (FAILED, its reason); show it there.
            redirect.addFlashAttribute("error", e.getMessage());
            return "redirect:/grants/" + e.grantId();
        } catch (HostException e) {
            return form(model, form, Map.of(FormErrors.FORM, e.getMessage()));
        } catch (ProblemException e) {
            return form(model, new GrantForm(form.unixUser(), form.pool(), form.count(), form.groups(),
                    form.memlockMib(), form.durationHours(), form.numaNode(), UUID.randomUUID().toString()),
                    FormErrors.of(e, FIELDS));
        } catch (ArithmeticException e) {
            return form(model, form, Map.of(FormErrors.FORM, "too large"));
        }
    }

    private String form(Model model, GrantForm form, Map<String, String> errors) {
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("pools", pools.list());
        model.addAttribute("takeable", inventory.groups().stream().filter(g -> g.takeable().takeable())
                .filter(g -> inventory.members(g).stream().anyMatch(f -> !f.isBridge()))
                .map(IommuGroup::id).toList());
        return "grant-new";
    }

    @GetMapping("/grants/{id}")
    String grant(@PathVariable long id, HttpServletRequest request, Model model) {
        Grant g = grants.get(id);
        model.addAttribute("g", g);
        model.addAttribute("usage", grants.usage(id));
        model.addAttribute("holding", GrantState.HOLDING.contains(g.getState()));
        model.addAttribute("policy", g.getPolicyId() == null ? null
                : policies.findOptional(g.getPolicyId()).orElse(null));
        model.addAttribute("poolName", g.getPoolName());
        boolean auditReader = request.isUserInRole("ADMIN") || request.isUserInRole("OPERATOR")
                || request.isUserInRole("VIEWER");
        List<org.vfiobroker.audit.AuditEvent> history = new ArrayList<>();
        if (auditReader) {
            history.addAll(audit.find(new AuditQuery(null, null, "grant:" + id, null, null, null), 0, 100).items());
            java.util.Collections.reverse(history); // oldest first
        }
        model.addAttribute("history", history);
        return "grant";
    }

    /** Holders and memory now: polled by htmx on the grant's page. */
    @GetMapping("/grants/{id}/usage")
    String usage(@PathVariable long id, Model model) {
        Grant g = grants.get(id);
        model.addAttribute("g", g);
        model.addAttribute("usage", grants.usage(id));
        model.addAttribute("holding", GrantState.HOLDING.contains(g.getState()));
        return "fragments/grant-usage :: usage";
    }

    @PostMapping("/grants/{id}/extend")
    String extend(@PathVariable long id, @RequestParam(required = false) Long hours, RedirectAttributes redirect) {
        try {
            grants.extend(id, hours == null ? null : Math.multiplyExact(hours, 3600L));
            redirect.addFlashAttribute("extended", hours);
        } catch (ProblemException | ArithmeticException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/grants/" + id;
    }

    /** Revocation; a forced one is confirmed first on a page that names the processes it will end. */
    @PostMapping("/grants/{id}/revoke")
    String revoke(@PathVariable long id, @RequestParam(defaultValue = "false") boolean force,
                  @RequestParam(defaultValue = "false") boolean confirmed, Model model, RedirectAttributes redirect) {
        if (force && !confirmed) {
            model.addAttribute("g", grants.get(id));
            model.addAttribute("usage", grants.usage(id));
            return "grant-revoke";
        }
        try {
            grants.revoke(id, force);
            redirect.addFlashAttribute("revoked", true);
        } catch (ProblemException | HostException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/grants/" + id;
    }

    private static GrantState state(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return GrantState.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
