package org.vfiobroker.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Successful bearer-token authentications, kept briefly in memory so that a request with a token used moments
 * ago needs no transaction and no database access. Keyed by the token's SHA-256 hash ({@link ApiTokens#hash}),
 * an entry holds what {@link ApiTokenService#authenticate} found: owner, token id, effective role, expiry and
 * last use. It is used until the earlier of the token's expiry and {@code vfio-broker.security.tokens.cache-ttl}
 * after it was read. In the second half of that time, or when the token's last use is due to be written, one
 * request (the first to ask) is sent to the database path, which reads the token again and writes its last use,
 * while the others keep using the entry: a busy token never makes all concurrent requests query, and write, the
 * same row at once. A refusal found that way forgets the entry ({@link #settled}); refusals are never kept.
 *
 * <p>Every change of an account or a token in this instance clears the whole cache at once
 * ({@link #invalidateAll}), and again when its transaction ends, so that a lookup that read the database before
 * the change was committed cannot put the old state back ({@link #generation}). Another instance on the same
 * database sees a change within the TTL. A TTL of zero disables the cache.
 */
@Component
class TokenAuthenticationCache {

    /** At most this many tokens are kept; when full, the expired entries go, or else all. */
    static final int MAX_ENTRIES = 10_000;

    /** One successful authentication: {@code readAt} is when it was read from the database. */
    record Entry(String username, long tokenId, Role role, Instant expiresAt, Instant lastUsedAt, Instant readAt) {
    }

    private final Clock clock;
    private final SecurityProperties.Tokens settings;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Hashes whose entry one request is refreshing from the database (see the class comment). */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Incremented by every invalidation; an entry read before the latest one is not stored. */
    private final AtomicLong generation = new AtomicLong();

    @Autowired
    TokenAuthenticationCache(Clock clock, SecurityProperties properties) {
        this(clock, properties.tokens(), MAX_ENTRIES);
    }

    TokenAuthenticationCache(Clock clock, SecurityProperties.Tokens settings, int maxEntries) {
        this.clock = clock;
        this.settings = settings;
        this.maxEntries = maxEntries;
    }

    private boolean enabled() {
        return !settings.cacheTtl().isZero();
    }

    /** A fresh authentication for a bearer token authenticated recently, or empty: ask the database. */
    Optional<TokenAuthentication> lookup(String bearer) {
        if (!enabled() || entries.isEmpty()) {
            return Optional.empty();
        }
        String hash = ApiTokens.hash(bearer);
        Entry e = entries.get(hash);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!usable(e, now)) {
            entries.remove(hash, e);
            return Optional.empty();
        }
        if (refreshDue(e, now) && refreshing.add(hash)) {
            return Optional.empty(); // this request refreshes it; it must call settled() when done
        }
        return Optional.of(new TokenAuthentication(e.username(), e.tokenId(), e.role()));
    }

    private boolean usable(Entry e, Instant now) {
        return now.isBefore(e.expiresAt())
                && now.isBefore(e.readAt().plus(settings.cacheTtl()))
                && !now.isBefore(e.readAt()); // the clock went back: do not trust the age
    }

    private boolean refreshDue(Entry e, Instant now) {
        return !now.isBefore(e.readAt().plus(settings.cacheTtl().dividedBy(2)))
                || settings.lastUseDue(e.lastUsedAt(), now);
    }

    /**
     * Called by the database path when it finished with this token, whether or not {@link #lookup} sent it
     * there: ends a refresh, and forgets the entry when the database refused the token (revoked, expired or
     * disabled by another instance).
     */
    void settled(String bearer, boolean refused) {
        String hash = ApiTokens.hash(bearer);
        if (refused) {
            entries.remove(hash);
        }
        refreshing.remove(hash);
    }

    /** The current generation: take it before reading a token from the database, pass it to {@link #remember}. */
    long generation() {
        return generation.get();
    }

    /**
     * Keeps a successful authentication of the token with this hash, unless the cache was invalidated since
     * {@code generationBeforeRead} (what was read may be what the invalidating change replaced).
     */
    synchronized void remember(String hash, Entry entry, long generationBeforeRead) {
        if (!enabled() || generation.get() != generationBeforeRead) {
            return;
        }
        if (entries.size() >= maxEntries && !entries.containsKey(hash)) {
            Instant now = clock.instant();
            entries.values().removeIf(e -> !usable(e, now));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(hash, entry);
    }

    /**
     * Forgets every authentication, now and again when the current transaction (if any) ends: call it when an
     * account or a token changes.
     */
    void invalidateAll() {
        clear();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    clear();
                }
            });
        }
    }

    private synchronized void clear() {
        generation.incrementAndGet();
        entries.clear();
    }

    /** How many authentications are kept (for tests). */
    int size() {
        return entries.size();
    }
}
