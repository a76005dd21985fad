package org.vfiobroker.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.audit.AuditLog;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;

/**
 * API tokens: any account creates, lists and revokes its own; an ADMIN lists and revokes everyone's. A token's
 * scope is a role no more powerful than its creator's; it acts with the lesser of that scope and its owner's
 * role at the time of use, and stops working when its owner is disabled or deleted.
 */
@Service
@Transactional
public class ApiTokenService {

    private static final Logger log = LoggerFactory.getLogger(ApiTokenService.class);

    static final int NAME_MAX = 64;
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 ._:-]*$");

    private final ApiTokenRepository tokens;
    private final AccountRepository accounts;
    private final AuditLog audit;
    private final Clock clock;
    private final SecurityProperties.Tokens settings;
    private final TokenAuthenticationCache cache;

    ApiTokenService(ApiTokenRepository tokens, AccountRepository accounts, AuditLog audit, Clock clock,
                    SecurityProperties properties, TokenAuthenticationCache cache) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
        this.settings = properties.tokens();
        this.cache = cache;
    }

    /**
     * Creates a token for the calling account.
     *
     * @param scope         {@code null}: the caller's own role
     * @param expiresInDays {@code null}: the default lifetime
     * @return the token, whose secret is never available again
     */
    @PreAuthorize(Roles.ANY)
    public ApiTokenView.Created create(String name, Role scope, Integer expiresInDays) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        Account owner = accounts.findByUsername(caller.getName()).orElseThrow(() -> new ProblemException(
                ProblemType.FORBIDDEN, "Only a service account can own API tokens."));
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "name: give the token a name, e.g. the host or job that uses it");
        }
        if (name.length() > NAME_MAX) {
            throw new InvalidInputException("name", "name: must be at most " + NAME_MAX + " characters long (got "
                    + name.length() + ")");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException("name", "name: use letters, digits, spaces and . _ : -, starting with a"
                    + " letter or digit");
        }
        int days = expiresInDays == null ? settings.defaultLifetimeDays() : expiresInDays;
        if (days < 1 || days > settings.maxLifetimeDays()) {
            throw new InvalidInputException("expiresInDays", "expiresInDays: must be 1 to "
                    + settings.maxLifetimeDays() + " days (got " + days + ")");
        }
        Role callerRole = Role.highest(caller.getAuthorities()).orElse(Role.VIEWER).cappedAt(owner.getRole());
        Role granted = scope == null ? callerRole : scope;
        if (!callerRole.atLeast(granted)) {
            throw new ProblemException(ProblemType.FORBIDDEN, "A token's scope may not exceed your own role ("
                    + callerRole + "); ask for scope " + callerRole + " or less").with("field", "scope");
        }
        String prefix = ApiTokens.newPrefix();
        while (tokens.existsByPrefix(prefix)) {
            prefix = ApiTokens.newPrefix();
        }
        String token = ApiTokens.newToken(prefix);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ApiToken saved = new ApiToken(owner, name, granted, prefix, ApiTokens.hash(token), now,
                now.plus(Duration.ofDays(days)));
        tokens.insert(saved);
        cache.invalidateAll();
        audit.record("token.create", target(saved), Outcome.SUCCESS, "name=" + name + " account="
                + owner.getUsername() + " scope=" + granted + " prefix=" + ApiTokens.DISPLAY_PREFIX + prefix
                + " expires=" + saved.getExpiresAt());
        return new ApiTokenView.Created(token, saved.view(now));
    }

    /** The caller's tokens, or everyone's for an ADMIN; newest first. */
    @PreAuthorize(Roles.ANY)
    @Transactional(readOnly = true)
    public List<ApiTokenView> list() {
        Instant now = clock.instant();
        List<ApiToken> found = isAdmin() ? tokens.findAll() : tokens.findByAccountUsername(callerName());
        return found.stream().map(t -> t.view(now)).toList();
    }

    /** Revokes a token of the caller's (any token for an ADMIN). Revoking a revoked token changes nothing. */
    @PreAuthorize(Roles.ANY)
    public void revoke(long id) {
        ApiToken token = tokens.findById(id)
                .filter(t -> isAdmin() || t.getAccount().getUsername().equals(callerName()))
                .orElseThrow(() -> new ProblemException(ProblemType.TOKEN_NOT_FOUND, "No API token " + id
                        + " of yours; GET /api/v1/tokens lists them").with("tokenId", id));
        if (token.getRevokedAt() != null) {
            return;
        }
        token.revoke(clock.instant());
        if (!tokens.revoke(token)) {
            return; // a concurrent request revoked it first, and audited that
        }
        cache.invalidateAll();
        audit.record("token.revoke", target(token), Outcome.SUCCESS, "name=" + token.getName() + " account="
                + token.getAccount().getUsername());
    }

    /**
     * Checks a bearer token in the database; used by the API's authentication filter (after
     * {@link TokenAuthenticationCache#lookup}), not subject to authorization. A success is remembered in the cache.
     *
     * @throws TokenRejectedException when it is unknown, malformed, expired, revoked or its owner is disabled
     */
    public TokenAuthentication authenticate(String bearer) {
        long generation = cache.generation();
        String prefix = ApiTokens.prefixOf(bearer).orElseThrow(() -> new TokenRejectedException(
                "The bearer token is not of the form vb_<prefix>_<secret>."));
        String hash = ApiTokens.hash(bearer);
        ApiToken token = tokens.findByPrefix(prefix).filter(t -> ApiTokens.sameHash(t.getSecretHash(), hash))
                .orElseThrow(() -> new TokenRejectedException("The bearer token is unknown."));
        Instant now = clock.instant();
        switch (token.state(now)) {
            case REVOKED -> throw new TokenRejectedException("The API token " + ApiTokens.DISPLAY_PREFIX + prefix
                    + " was revoked at " + token.getRevokedAt() + "; create a new one.");
            case EXPIRED -> throw new TokenRejectedException("The API token " + ApiTokens.DISPLAY_PREFIX + prefix
                    + " expired at " + token.getExpiresAt() + "; create a new one.");
            case ACTIVE -> {
            }
        }
        Account owner = token.getAccount();
        if (!owner.isEnabled()) {
            throw new TokenRejectedException("The account owning this API token is disabled.");
        }
        Instant lastUsed = token.getLastUsedAt();
        if (settings.lastUseDue(lastUsed, now) && recordLastUse(token, prefix, now)) {
            lastUsed = now;
        }
        Role role = token.getScope().cappedAt(owner.getRole());
        cache.remember(hash, new TokenAuthenticationCache.Entry(owner.getUsername(), token.getId(), role,
                token.getExpiresAt(), lastUsed, now), generation);
        return new TokenAuthentication(owner.getUsername(), token.getId(), role);
    }

    /**
     * Writes a token's last use. It is information for people, kept to the minute, so a write that fails (the row
     * locked past the lock timeout by a concurrent change of the token, a database that refuses writes) does not
     * fail the request it came with; the next authentication from the database (after the cache's TTL) tries again.
     * The statement's failure leaves the transaction usable; nothing was written.
     */
    private boolean recordLastUse(ApiToken token, String prefix, Instant now) {
        try {
            tokens.touch(token.getId(), now);
            return true;
        } catch (DataAccessException e) {
            log.warn("could not record the last use of API token {}{} (the request goes on): {}",
                    ApiTokens.DISPLAY_PREFIX, prefix, e.getMostSpecificCause().toString());
            return false;
        }
    }

    private static boolean isAdmin() {
        return Role.highest(SecurityContextHolder.getContext().getAuthentication().getAuthorities())
                .filter(r -> r == Role.ADMIN).isPresent();
    }

    private static String callerName() {
        return SecurityContextHolder.getContext().getAuthentication().getName();
    }

    private static String target(ApiToken token) {
        return "token:" + token.getId();
    }

    /** Why a bearer token was not accepted, in words for the 401 problem. */
    public static class TokenRejectedException extends org.springframework.security.core.AuthenticationException {
        TokenRejectedException(String message) {
            super(message);
        }
    }
}
