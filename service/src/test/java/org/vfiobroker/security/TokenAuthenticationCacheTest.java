package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenAuthenticationCacheTest {

    private static final String TOKEN = ApiTokens.newToken("abcdefghij");

    private final LoginThrottleTest.TestClock clock = new LoginThrottleTest.TestClock();

    private TokenAuthenticationCache cache(Duration ttl, int maxEntries) {
        return new TokenAuthenticationCache(clock, new SecurityProperties.Tokens(null, null, Duration.ofMinutes(1), ttl),
                maxEntries);
    }

    /** What the database path remembers: token 7 of alice, OPERATOR, expiring in a day, used now. */
    private TokenAuthenticationCache.Entry entry(Instant expiresAt) {
        return new TokenAuthenticationCache.Entry("alice", 7, Role.OPERATOR, expiresAt, clock.now, clock.now);
    }

    private void remember(TokenAuthenticationCache cache, String token) {
        cache.remember(ApiTokens.hash(token), entry(clock.now.plus(Duration.ofDays(1))), cache.generation());
    }

    @Test
    void aRememberedTokenAuthenticatesAsItsOwnerWithItsEffectiveRole() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        assertThat(cache.lookup(TOKEN)).isEmpty();

        remember(cache, TOKEN);

        TokenAuthentication first = cache.lookup(TOKEN).orElseThrow();
        assertThat(first.getName()).isEqualTo("alice");
        assertThat(first.tokenId()).isEqualTo(7);
        assertThat(first.scope()).isEqualTo(Role.OPERATOR);
        assertThat(first.isAuthenticated()).isTrue();
        assertThat(cache.lookup(TOKEN).orElseThrow()).as("a fresh authentication per request (it gets details)")
                .isNotSameAs(first);
        assertThat(cache.lookup(ApiTokens.newToken("abcdefghij"))).as("another secret, same prefix").isEmpty();
    }

    @Test
    void anEntryIsUsedForTheTtlOnly() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        remember(cache, TOKEN);
        clock.advance(Duration.ofMillis(2500));
        assertThat(cache.lookup(TOKEN)).as("the first request of the second half refreshes").isEmpty();

        clock.advance(Duration.ofMillis(2499)); // that refresh has not come back
        assertThat(cache.lookup(TOKEN)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.lookup(TOKEN)).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void inTheSecondHalfOfTheTtlOneRequestRefreshesAndTheOthersKeepTheEntry() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        remember(cache, TOKEN);

        assertOneLookupGoesToTheDatabaseAfter(cache, Duration.ofMillis(2500));

        remember(cache, TOKEN); // what the database path found
        cache.settled(TOKEN, false);
        assertOneLookupGoesToTheDatabaseAfter(cache, Duration.ofMillis(2500)); // settled: the next can be claimed
    }

    /**
     * Until {@code due} after now every lookup is served from the cache; then the first one goes to the database
     * (a miss) and the others keep the entry.
     */
    private void assertOneLookupGoesToTheDatabaseAfter(TokenAuthenticationCache cache, Duration due) {
        clock.advance(due.minusMillis(1));
        assertThat(cache.lookup(TOKEN)).as("not due yet: from the cache").isPresent();
        assertThat(cache.lookup(TOKEN)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.lookup(TOKEN)).as("due: this one goes to the database").isEmpty();
        assertThat(cache.lookup(TOKEN)).as("the others do not").isPresent();
        assertThat(cache.lookup(TOKEN)).isPresent();
    }

    /** A 5 s cache with TOKEN remembered 3 s ago, and the refresh of it claimed by a lookup. */
    private TokenAuthenticationCache refreshClaimed() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        remember(cache, TOKEN);
        clock.advance(Duration.ofSeconds(3));
        assertThat(cache.lookup(TOKEN)).as("the lookup that claims the refresh").isEmpty();
        return cache;
    }

    @Test
    void aRefusalFoundByTheRefreshForgetsTheEntry() {
        TokenAuthenticationCache cache = refreshClaimed();

        cache.settled(TOKEN, true); // e.g. revoked by another instance

        assertThat(cache.size()).isZero();
        assertThat(cache.lookup(TOKEN)).as("every request asks the database again").isEmpty();
        assertThat(cache.lookup(TOKEN)).isEmpty();
    }

    @Test
    void aRefreshThatFailedWithoutARefusalLeavesTheEntryUntilItsTtl() {
        TokenAuthenticationCache cache = refreshClaimed();

        cache.settled(TOKEN, false); // the database was unreachable

        assertThat(cache.lookup(TOKEN)).as("the next request tries the refresh").isEmpty();
        assertThat(cache.lookup(TOKEN)).isPresent();
    }

    @Test
    void anEntryIsNotUsedOnceTheTokenHasExpired() {
        TokenAuthenticationCache cache = cache(Duration.ofMinutes(10), 10);
        cache.remember(ApiTokens.hash(TOKEN), entry(clock.now.plusSeconds(2)), cache.generation());

        clock.advance(Duration.ofMillis(1999));
        assertThat(cache.lookup(TOKEN)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.lookup(TOKEN)).isEmpty();
    }

    @Test
    void whenTheLastUseIsDueOneRequestWritesItAndTheOthersKeepTheEntry() {
        TokenAuthenticationCache cache = cache(Duration.ofMinutes(10), 10);
        remember(cache, TOKEN);

        assertOneLookupGoesToTheDatabaseAfter(cache, Duration.ofMinutes(1)); // it writes the last use, not all
    }

    @Test
    void anEntryIsNotUsedWhenTheClockWentBack() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        remember(cache, TOKEN);

        clock.advance(Duration.ofHours(-1));

        assertThat(cache.lookup(TOKEN)).isEmpty();
    }

    @Test
    void invalidationForgetsEverything() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        String other = ApiTokens.newToken("klmnopqrst");
        remember(cache, TOKEN);
        remember(cache, other);

        cache.invalidateAll();

        assertThat(cache.lookup(TOKEN)).isEmpty();
        assertThat(cache.lookup(other)).isEmpty();
    }

    @Test
    void whatWasReadBeforeAnInvalidationIsNotRemembered() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 10);
        long beforeRead = cache.generation();

        cache.invalidateAll(); // e.g. the token is revoked while the database path reads it
        cache.remember(ApiTokens.hash(TOKEN), entry(clock.now.plus(Duration.ofDays(1))), beforeRead);

        assertThat(cache.lookup(TOKEN)).isEmpty();
    }

    @Test
    void aZeroTtlDisablesTheCache() {
        TokenAuthenticationCache cache = cache(Duration.ZERO, 10);

        remember(cache, TOKEN);

        assertThat(cache.size()).isZero();
        assertThat(cache.lookup(TOKEN)).isEmpty();
    }

    @Test
    void aNegativeTtlIsRefused() {
        assertThatThrownBy(() -> new SecurityProperties.Tokens(null, null, null, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache-ttl");
    }

    @Test
    void theCacheIsBounded() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 3);
        for (int i = 0; i < 3; i++) {
            remember(cache, ApiTokens.newToken("abcdefghij"));
        }
        assertThat(cache.size()).isEqualTo(3);

        remember(cache, TOKEN);

        assertThat(cache.size()).isLessThanOrEqualTo(3);
        assertThat(cache.lookup(TOKEN)).as("the newest is kept").isPresent();
    }

    @Test
    void whenFullTheUnusableEntriesGoFirst() {
        TokenAuthenticationCache cache = cache(Duration.ofSeconds(5), 3);
        String old = ApiTokens.newToken("abcdefghij");
        remember(cache, old);
        clock.advance(Duration.ofSeconds(3));
        String young1 = ApiTokens.newToken("abcdefghij");
        String young2 = ApiTokens.newToken("abcdefghij");
        remember(cache, young1);
        remember(cache, young2);
        clock.advance(Duration.ofSeconds(2)); // old is past the TTL now

        remember(cache, TOKEN);

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.lookup(young1)).isPresent();
        assertThat(cache.lookup(young2)).isPresent();
        assertThat(cache.lookup(TOKEN)).isPresent();
    }
}
