package org.vfiobroker.security;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;

/**
 * Managing service accounts: ADMIN only. Every change is an audit event in the same transaction, and clears the
 * cached API token authentications ({@link TokenAuthenticationCache}). At least one enabled ADMIN always remains,
 * and no account disables or deletes itself.
 */
@Service
@Transactional
public class AccountService {

    private final AccountRepository accounts;
    private final PasswordEncoder encoder;
    private final AuditLog audit;
    private final Clock clock;
    private final TokenAuthenticationCache tokenCache;

    AccountService(AccountRepository accounts, PasswordEncoder encoder, AuditLog audit, Clock clock,
                   TokenAuthenticationCache tokenCache) {
        this.accounts = accounts;
        this.encoder = encoder;
        this.audit = audit;
        this.clock = clock;
        this.tokenCache = tokenCache;
    }

    @PreAuthorize(Roles.ADMIN)
    @Transactional(readOnly = true)
    public List<Account> list() {
        return accounts.findAll();
    }

    @PreAuthorize(Roles.ADMIN)
    @Transactional(readOnly = true)
    public Optional<Account> find(String username) {
        return accounts.findByUsername(username);
    }

    /** @throws ProblemException {@code account-not-found} */
    @PreAuthorize(Roles.ADMIN)
    @Transactional(readOnly = true)
    public Account get(String username) {
        return load(username);
    }

    private static ProblemException exists(String username) {
        return new ProblemException(ProblemType.ACCOUNT_EXISTS, "An account named '" + username
                + "' exists already; choose another name").with("username", username);
    }

    @PreAuthorize(Roles.ADMIN)
    public Account create(String username, String displayName, String password, Role role) {
        AccountRules.username(username);
        String display = AccountRules.displayName(displayName);
        AccountRules.password(password, username);
        if (role == null) {
            throw new org.vfiobroker.problem.InvalidInputException("role", "role: one of ADMIN, OPERATOR, SCHEDULER, VIEWER");
        }
        if (accounts.findByUsername(username).isPresent()) {
            throw exists(username);
        }
        Account account = new Account(username, encoder.encode(password), role, now());
        account.setDisplayName(display, account.getCreatedAt());
        try {
            accounts.insert(account);
        } catch (DuplicateKeyException e) {
            throw exists(username); // made by a concurrent request since the look above
        }
        tokenCache.invalidateAll();
        audit.record("account.create", target(username), Outcome.SUCCESS, "role=" + role);
        return account;
    }

    @PreAuthorize(Roles.ADMIN)
    public Account changeRole(String username, Role role) {
        if (role == null) {
            throw new org.vfiobroker.problem.InvalidInputException("role", "role: one of ADMIN, OPERATOR, SCHEDULER, VIEWER");
        }
        Account account = load(username);
        Role before = account.getRole();
        if (before == role) {
            return account;
        }
        if (before == Role.ADMIN) {
            requireAnotherAdministrator(account, "take the ADMIN role from");
        }
        account.setRole(role, now());
        accounts.updateRole(account);
        tokenCache.invalidateAll();
        audit.record("account.role", target(username), Outcome.SUCCESS, "role " + before + " -> " + role);
        return account;
    }

    @PreAuthorize(Roles.ADMIN)
    public Account setEnabled(String username, boolean enabled) {
        Account account = load(username);
        if (account.isEnabled() == enabled) {
            return account;
        }
        if (!enabled) {
            refuseSelf(username, "disable");
            requireAnotherAdministrator(account, "disable");
        }
        account.setEnabled(enabled, now());
        accounts.updateEnabled(account);
        tokenCache.invalidateAll();
        audit.record(enabled ? "account.enable" : "account.disable", target(username), Outcome.SUCCESS, null);
        return account;
    }

    @PreAuthorize(Roles.ADMIN)
    public void resetPassword(String username, String password) {
        Account account = load(username);
        AccountRules.password(password, username);
        account.setPasswordHash(encoder.encode(password), now());
        accounts.updatePasswordHash(account);
        tokenCache.invalidateAll();
        audit.record("account.password", target(username), Outcome.SUCCESS, null);
    }

    /** Deletes the account; its API tokens go with it. */
    @PreAuthorize(Roles.ADMIN)
    public void delete(String username) {
        Account account = load(username);
        refuseSelf(username, "delete");
        requireAnotherAdministrator(account, "delete");
        accounts.delete(account);
        tokenCache.invalidateAll();
        audit.record("account.delete", target(username), Outcome.SUCCESS, "role was " + account.getRole());
    }

    private Account load(String username) {
        return accounts.findByUsername(username).orElseThrow(() -> new ProblemException(ProblemType.ACCOUNT_NOT_FOUND,
                "No account '" + username + "'; GET /api/v1/accounts lists the accounts there are")
                .with("username", username));
    }

    private void requireAnotherAdministrator(Account account, String verb) {
        if (!account.isEnabledAdministrator()) {
            return;
        }
        if (accounts.lockEnabledAdministrators().stream().allMatch(account.getId()::equals)) {
            throw new ProblemException(ProblemType.LAST_ADMINISTRATOR, "Cannot " + verb + " '" + account.getUsername()
                    + "': it is the last enabled ADMIN. Create or enable another ADMIN first.")
                    .with("username", account.getUsername());
        }
    }

    private static void refuseSelf(String username, String verb) {
        String self = SecurityContextHolder.getContext().getAuthentication() == null ? null
                : SecurityContextHolder.getContext().getAuthentication().getName();
        if (username.equals(self)) {
            throw new ProblemException(ProblemType.OWN_ACCOUNT, "An account cannot " + verb
                    + " itself; ask another ADMIN").with("username", username);
        }
    }

    /** Stored times keep microseconds (H2 and PostgreSQL); the API shows what is stored. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    static String target(String username) {
        return "account:" + username;
    }
}
