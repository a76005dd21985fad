package org.vfiobroker.security.web;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.AccountsApi;
import org.vfiobroker.api.model.AccountCreation;
import org.vfiobroker.api.model.EnabledChange;
import org.vfiobroker.api.model.PasswordReset;
import org.vfiobroker.api.model.RoleChange;
import org.vfiobroker.security.Account;
import org.vfiobroker.security.AccountService;
import org.vfiobroker.security.Role;

/** The accounts API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link AccountService}. */
@RestController
class AccountController implements AccountsApi {

    private final AccountService accounts;

    AccountController(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    public ResponseEntity<List<org.vfiobroker.api.model.Account>> listAccounts() {
        return ResponseEntity.ok(accounts.list().stream().map(AccountController::dto).toList());
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Account> createAccount(AccountCreation body) {
        Account created = accounts.create(body.getUsername(), body.getDisplayName(), body.getPassword(),
                role(body.getRole()));
        return ResponseEntity.created(URI.create("/api/v1/accounts/" + created.getUsername())).body(dto(created));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Account> getAccount(String username) {
        return ResponseEntity.ok(dto(accounts.get(username)));
    }

    @Override
    public ResponseEntity<Void> deleteAccount(String username) {
        accounts.delete(username);
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Account> changeAccountRole(String username, RoleChange body) {
        return ResponseEntity.ok(dto(accounts.changeRole(username, role(body.getRole()))));
    }

    @Override
    public ResponseEntity<org.vfiobroker.api.model.Account> setAccountEnabled(String username, EnabledChange body) {
        return ResponseEntity.ok(dto(accounts.setEnabled(username, body.getEnabled())));
    }

    @Override
    public ResponseEntity<Void> resetAccountPassword(String username, PasswordReset body) {
        accounts.resetPassword(username, body.getPassword());
        return ResponseEntity.noContent().build();
    }

    static Role role(org.vfiobroker.api.model.Role role) {
        return role == null ? null : Role.valueOf(role.name());
    }

    static org.vfiobroker.api.model.Role dto(Role role) {
        return org.vfiobroker.api.model.Role.valueOf(role.name());
    }

    private static org.vfiobroker.api.model.Account dto(Account a) {
        return new org.vfiobroker.api.model.Account()
                .username(a.getUsername())
                .displayName(a.getDisplayName())
                .role(dto(a.getRole()))
                .enabled(a.isEnabled())
                .createdAt(OffsetDateTime.ofInstant(a.getCreatedAt(), ZoneOffset.UTC))
                .updatedAt(OffsetDateTime.ofInstant(a.getUpdatedAt(), ZoneOffset.UTC));
    }
}
