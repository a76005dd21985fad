package org.vfiobroker.security;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;

/** An API token: only the SHA-256 of the token is stored, never the token. */
@Entity
@Table(name = "api_token")
class ApiToken {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "account_id", nullable = false)
    private Account account;

    @Column(nullable = false, length = 64)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Role scope;

    @Column(nullable = false, length = 16, unique = true)
    private String prefix;

    @Column(name = "secret_hash", nullable = false, length = 64)
    private String secretHash;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiToken() {
        // for JPA
    }

    ApiToken(Account account, String name, Role scope, String prefix, String secretHash, Instant createdAt,
             Instant expiresAt) {
        this.account = account;
        this.name = name;
        this.scope = scope;
        this.prefix = prefix;
        this.secretHash = secretHash;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }

    Long getId() {
        return id;
    }

    Account getAccount() {
        return account;
    }

    String getName() {
        return name;
    }

    Role getScope() {
        return scope;
    }

    String getPrefix() {
        return prefix;
    }

    String getSecretHash() {
        return secretHash;
    }

    Instant getCreatedAt() {
        return createdAt;
    }

    Instant getExpiresAt() {
        return expiresAt;
    }

    Instant getLastUsedAt() {
        return lastUsedAt;
    }

    Instant getRevokedAt() {
        return revokedAt;
    }

    void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }

    ApiTokenView.State state(Instant now) {
        if (revokedAt != null) {
            return ApiTokenView.State.REVOKED;
        }
        return now.isBefore(expiresAt) ? ApiTokenView.State.ACTIVE : ApiTokenView.State.EXPIRED;
    }

    ApiTokenView view(Instant now) {
        return new ApiTokenView(id, name, account.getUsername(), scope, ApiTokens.DISPLAY_PREFIX + prefix,
                state(now), createdAt, expiresAt, lastUsedAt, revokedAt);
    }
}
