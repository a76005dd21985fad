package org.vfiobroker.security;

import java.time.Instant;

/**
 * An API token: only the SHA-256 of the token is stored, never the token. A change made here is stored only when
 * {@link ApiTokenRepository} is told to write it.
 */
class ApiToken {

    private Long id;
    private final Account account;
    private final String name;
    private final Role scope;
    private final String prefix;
    private final String secretHash;
    private final Instant createdAt;
    private final Instant expiresAt;
    private Instant lastUsedAt;
    private Instant revokedAt;

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

    /** A token as stored, with its owner. */
    ApiToken(long id, Account account, String name, Role scope, String prefix, String secretHash, Instant createdAt,
             Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
        this(account, name, scope, prefix, secretHash, createdAt, expiresAt);
        this.id = id;
        this.lastUsedAt = lastUsedAt;
        this.revokedAt = revokedAt;
    }

    Long getId() {
        return id;
    }

    /** Set by {@link ApiTokenRepository#insert} to the generated key. */
    void setId(long id) {
        this.id = id;
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
