package org.vfiobroker.security.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.vfiobroker.web.DashboardPage;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.security.AccountService;
import org.vfiobroker.security.ApiTokenService;
import org.vfiobroker.security.ApiTokenView;
import org.vfiobroker.security.Role;

/**
 * The dashboard's accounts page (ADMIN) and API-tokens page (any account, its own tokens). Authorization is
 * on {@link AccountService} and {@link ApiTokenService}, the same as for the API; forms post, then redirect.
 */
@Controller
@DashboardPage
class AccessPagesController {

    private final AccountService accounts;
    private final ApiTokenService tokens;

    AccessPagesController(AccountService accounts, ApiTokenService tokens) {
        this.accounts = accounts;
        this.tokens = tokens;
    }

    @GetMapping("/accounts")
    String accounts(Model model) {
        model.addAttribute("accounts", accounts.list());
        model.addAttribute("roles", Role.values());
        return "accounts";
    }

    @PostMapping("/accounts")
    String create(@RequestParam String username, @RequestParam(required = false) String displayName,
                  @RequestParam String password, @RequestParam Role role, RedirectAttributes flash) {
        return act(flash, "/accounts", () -> accounts.create(username, displayName, password, role),
                "Created " + username + ".");
    }

    @PostMapping("/accounts/{username}/role")
    String role(@PathVariable String username, @RequestParam Role role, RedirectAttributes flash) {
        return act(flash, "/accounts", () -> accounts.changeRole(username, role), username + " is now " + role + ".");
    }

    @PostMapping("/accounts/{username}/enabled")
    String enabled(@PathVariable String username, @RequestParam boolean enabled, RedirectAttributes flash) {
        return act(flash, "/accounts", () -> accounts.setEnabled(username, enabled),
                username + (enabled ? " is enabled." : " is disabled."));
    }

    @PostMapping("/accounts/{username}/password")
    String password(@PathVariable String username, @RequestParam String password, RedirectAttributes flash) {
        return act(flash, "/accounts", () -> accounts.resetPassword(username, password),
                "The password of " + username + " is changed.");
    }

    @PostMapping("/accounts/{username}/delete")
    String delete(@PathVariable String username, RedirectAttributes flash) {
        return act(flash, "/accounts", () -> accounts.delete(username), "Deleted " + username + ".");
    }

    @GetMapping("/tokens")
    String tokens(Model model) {
        model.addAttribute("tokens", tokens.list());
        model.addAttribute("roles", Role.values());
        return "tokens";
    }

    /** Shows the new token on the page it answers with, once; nothing stores it for a later GET. */
    @PostMapping("/tokens")
    String createToken(@RequestParam String name, @RequestParam(required = false) Role scope,
                       @RequestParam(required = false) Integer expiresInDays, Model model,
                       HttpServletResponse response) {
        try {
            ApiTokenView.Created created = tokens.create(name, scope, expiresInDays);
            response.setHeader("Cache-Control", "no-store");
            model.addAttribute("created", created);
        } catch (ProblemException e) {
            model.addAttribute("error", e.getMessage());
        }
        return tokens(model);
    }

    @PostMapping("/tokens/{id}/revoke")
    String revoke(@PathVariable long id, RedirectAttributes flash) {
        return act(flash, "/tokens", () -> tokens.revoke(id), "Revoked token " + id + ".");
    }

    private static String act(RedirectAttributes flash, String page, Runnable action, String done) {
        try {
            action.run();
            flash.addFlashAttribute("message", done);
        } catch (ProblemException e) {
            flash.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:" + page;
    }
}
