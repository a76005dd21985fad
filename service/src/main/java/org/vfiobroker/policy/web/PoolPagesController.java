package org.vfiobroker.policy.web;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.vfiobroker.policy.Pool;
import org.vfiobroker.policy.PoolSelector;
import org.vfiobroker.policy.PoolService;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.web.DashboardPage;
import org.vfiobroker.web.FormErrors;

/**
 * Pools on the dashboard: the list with the groups each selects, and (ADMIN) create, edit, delete with the
 * service's refusal next to the field it concerns. Authorization is on {@link PoolService}.
 */
@Controller
@DashboardPage
class PoolPagesController {

    private static final Map<String, String> FIELDS = Map.of(
            "name", "name", "description", "description", "selector", "selector",
            "selector.vendorDevices", "vendorDevices", "selector.classPrefixes", "classPrefixes",
            "selector.addresses", "addresses", "selector.physicalFunctions", "physicalFunctions");

    private final PoolService pools;

    PoolPagesController(PoolService pools) {
        this.pools = pools;
    }

    /** The form as typed: lists separated by commas or spaces. */
    record PoolForm(String name, String description, String vendorDevices, String classPrefixes, String addresses,
                    String physicalFunctions) {

        static PoolForm of(Pool p) {
            PoolSelector s = p.selector();
            return new PoolForm(p.getName(), p.getDescription(), String.join(", ", s.vendorDevices()),
                    String.join(", ", s.classPrefixes()), join(s.addresses()), join(s.physicalFunctions()));
        }

        static PoolForm empty() {
            return new PoolForm("", "", "", "", "", "");
        }

        PoolSelector selector() {
            return PoolSelector.of(split(vendorDevices), split(classPrefixes), split(addresses), split(physicalFunctions));
        }

        private static List<String> split(String s) {
            return s == null || s.isBlank() ? List.of()
                    : Arrays.stream(s.strip().split("[,\\s]+")).map(String::toLowerCase).toList();
        }

        private static String join(List<?> items) {
            return String.join(", ", items.stream().map(Object::toString).toList());
        }
    }

    /** One row of the list. */
    record PoolRow(Pool pool, List<Integer> groups) {
    }

    @GetMapping("/pools")
    String list(Model model) {
        model.addAttribute("pools", pools.list().stream().map(p -> new PoolRow(p, pools.groupsOf(p.selector()))).toList());
        return "pools";
    }

    @GetMapping("/pools/new")
    String newPool(Model model) {
        return form(model, null, PoolForm.empty(), Map.of());
    }

    @GetMapping("/pools/{id}/edit")
    String edit(@PathVariable long id, Model model) {
        return form(model, id, PoolForm.of(pools.get(id)), Map.of());
    }

    @PostMapping("/pools")
    String create(@ModelAttribute PoolForm form, Model model, RedirectAttributes redirect) {
        try {
            Pool p = pools.create(blankToNull(form.name()), blankToNull(form.description()), form.selector());
            redirect.addFlashAttribute("saved", p.getName());
            return "redirect:/pools";
        } catch (ProblemException e) {
            return form(model, null, form, FormErrors.of(e, FIELDS));
        }
    }

    @PostMapping("/pools/{id}")
    String update(@PathVariable long id, @ModelAttribute PoolForm form, Model model, RedirectAttributes redirect) {
        try {
            Pool p = pools.update(id, blankToNull(form.name()), blankToNull(form.description()), form.selector());
            redirect.addFlashAttribute("saved", p.getName());
            return "redirect:/pools";
        } catch (ProblemException e) {
            return form(model, id, form, FormErrors.of(e, FIELDS));
        }
    }

    @PostMapping("/pools/{id}/delete")
    String delete(@PathVariable long id, RedirectAttributes redirect) {
        try {
            pools.delete(id);
            redirect.addFlashAttribute("deleted", true);
        } catch (ProblemException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/pools";
    }

    private static String form(Model model, Long id, PoolForm form, Map<String, String> errors) {
        model.addAttribute("id", id);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        return "pool-form";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
