package org.vfiobroker.policy.web;

import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.vfiobroker.policy.GrantPolicy;
import org.vfiobroker.policy.PolicyService;
import org.vfiobroker.policy.PoolService;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.web.DashboardPage;
import org.vfiobroker.web.FormErrors;

/**
 * Policies on the dashboard: who may receive devices from which pool, how many groups at once, how much
 * locked memory in all, for how long. Memory is typed in MiB and leases in hours, as people think of them;
 * the service gets bytes and seconds. Authorization is on {@link PolicyService}.
 */
@Controller
@DashboardPage
class PolicyPagesController {

    static final long MIB = 1024L * 1024;

    private static final Map<String, String> FIELDS = Map.of(
            "pool", "pool", "unixUser", "subjectName", "unixGroup", "subjectName", "subject", "subjectName",
            "maxGroups", "maxGroups", "maxMemlockBytes", "maxMemlockMib", "maxLeaseSeconds", "maxLeaseHours");

    private final PolicyService policies;
    private final PoolService pools;

    PolicyPagesController(PolicyService policies, PoolService pools) {
        this.policies = policies;
        this.pools = pools;
    }

    /** The form as typed. {@code subjectKind} is {@code USER} or {@code GROUP}. */
    record PolicyForm(String pool, String subjectKind, String subjectName, Integer maxGroups, Long maxMemlockMib,
                      Long maxLeaseHours, Boolean revokeOnExcess) {

        static PolicyForm of(GrantPolicy p) {
            return new PolicyForm(p.getPool().getName(), p.getSubjectKind().name(), p.getSubjectName(),
                    p.limits().maxGroups(), p.limits().maxMemlockBytes() / MIB, p.limits().maxLeaseSeconds() / 3600,
                    p.isRevokeOnExcess());
        }

        static PolicyForm empty() {
            return new PolicyForm("", "USER", "", 1, 1024L, 24L, false);
        }

        PolicyService.Input input() {
            boolean group = "GROUP".equals(subjectKind);
            String name = subjectName == null || subjectName.isBlank() ? null : subjectName.strip();
            return new PolicyService.Input(pool == null || pool.isBlank() ? null : pool, group ? null : name,
                    group ? name : null, maxGroups, times(maxMemlockMib, MIB, "maxMemlockBytes"),
                    times(maxLeaseHours, 3600, "maxLeaseSeconds"), Boolean.TRUE.equals(revokeOnExcess));
        }

        private static Long times(Long value, long unit, String field) {
            if (value == null) {
                return null;
            }
            if (value > Long.MAX_VALUE / unit) {
                throw new InvalidInputException(field, field + ": too large");
            }
            return value * unit;
        }
    }

    @GetMapping("/policies")
    String list(Model model) {
        model.addAttribute("policies", policies.list());
        return "policies";
    }

    @GetMapping("/policies/new")
    String newPolicy(Model model) {
        return form(model, null, PolicyForm.empty(), Map.of());
    }

    @GetMapping("/policies/{id}/edit")
    String edit(@PathVariable long id, Model model) {
        return form(model, id, PolicyForm.of(policies.get(id)), Map.of());
    }

    @PostMapping("/policies")
    String create(@ModelAttribute PolicyForm form, Model model, RedirectAttributes redirect) {
        try {
            GrantPolicy p = policies.create(form.input());
            redirect.addFlashAttribute("saved", p.getId());
            return "redirect:/policies";
        } catch (ProblemException e) {
            return form(model, null, form, FormErrors.of(e, FIELDS));
        }
    }

    @PostMapping("/policies/{id}")
    String update(@PathVariable long id, @ModelAttribute PolicyForm form, Model model, RedirectAttributes redirect) {
        try {
            policies.update(id, form.input());
            redirect.addFlashAttribute("saved", id);
            return "redirect:/policies";
        } catch (ProblemException e) {
            return form(model, id, form, FormErrors.of(e, FIELDS));
        }
    }

    @PostMapping("/policies/{id}/delete")
    String delete(@PathVariable long id, RedirectAttributes redirect) {
        try {
            policies.delete(id);
            redirect.addFlashAttribute("deleted", true);
        } catch (ProblemException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/policies";
    }

    private String form(Model model, Long id, PolicyForm form, Map<String, String> errors) {
        model.addAttribute("id", id);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("pools", pools.list());
        return "policy-form";
    }
}
