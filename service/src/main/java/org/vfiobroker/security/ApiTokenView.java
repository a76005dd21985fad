package org.vfiobroker.security;

import java.time.Instant;

/**
 * What may be shown of an API token: everything except the secret.
 *
 * @param prefix {@code vb_<prefix>}, the non-secret start of the token
 */
public record ApiTokenView(long id, String name, String account, Role scope, String prefix, State state,
                           Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {

    public enum State {
        ACTIVE,
        EXPIRED,
        REVOKED
    }

    /**
     * A token just created: {@code token} is the whole bearer token, shown this once.
     */
    public record Created(String token, ApiTokenView details) {
    }
}
