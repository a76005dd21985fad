package org.vfiobroker.security;

import java.time.Instant;
import java.util.Objects;

/**
 * A service account of the dashboard or the API. A change made here is stored only when {@link AccountRepository}
 * is told to write it.
 */
public class Account {

    private Long id;
    private final String username;
    private String displayName;
    private String passwordHash;
    private Role role;
    private boolean enabled;
    private final Instant createdAt;
    private Instant updatedAt;

    public Account(String username, String passwordHash, Role role, Instant createdAt) {
        this.username = Objects.requireNonNull(username);
        this.passwordHash = Objects.requireNonNull(passwordHash);
        this.role = Objects.requireNonNull(role);
        this.createdAt = Objects.requireNonNull(createdAt);
        this.updatedAt = createdAt;
        this.enabled = true;
    }

    /** An account as stored. */
    Account(long id, String username, String displayName, String passwordHash, Role role, boolean enabled,
            Instant createdAt, Instant updatedAt) {
        this(username, passwordHash, role, createdAt);
        this.id = id;
        this.displayName = displayName;
        this.enabled = enabled;
        this.updatedAt = Objects.requireNonNull(updatedAt);
    }

    public Long getId() {
        return id;
    }

    /** Set by {@link AccountRepository#insert} to the generated key. */
    void setId(long id) {
        this.id = id;
    }

    public String getUsername() {
        return username;
    }

    public String getDisplayName() {
        return displayName;
    }

    public String getPasswordHash() {
        return passwordHash;
    }

    public Role getRole() {
        return role;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    void setDisplayName(String displayName, Instant now) {
        this.displayName = displayName;
        this.updatedAt = now;
    }

    void setPasswordHash(String passwordHash, Instant now) {
        this.passwordHash = Objects.requireNonNull(passwordHash);
        this.updatedAt = now;
    }

    void setRole(Role role, Instant now) {
        this.role = Objects.requireNonNull(role);
        this.updatedAt = now;
    }

    void setEnabled(boolean enabled, Instant now) {
        this.enabled = enabled;
        this.updatedAt = now;
    }

    /** An enabled administrator: the kind of which at least one must always remain. */
    boolean isEnabledAdministrator() {
        return enabled && role == Role.ADMIN;
    }
}
