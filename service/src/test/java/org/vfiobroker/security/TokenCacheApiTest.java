package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

/**
 * The cache of bearer-token authentications in the whole application (default TTL 5 s): changes made through
 * this instance take effect at once; changes made elsewhere (here: straight in the database) once the TTL has
 * passed. The application's clock stands still but for the tests moving it (its own database, then, so that
 * no other test sees its times).
 */
@TestPropertySource(properties =
        "spring.datasource.url=jdbc:h2:mem:vfio-broker-token-cache-test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000")
class TokenCacheApiTest extends ApiTest {

    /** The application's clock: stands still unless a test moves it, so that no test depends on real time. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        @Primary
        TestClock testClock() {
            return new TestClock();
        }
    }

    @Autowired
    TestClock clock;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TokenAuthenticationCache cache;

    @AfterEach
    void forgetCachedTokens() {
        cache.invalidateAll();
    }

    private record Token(String secret, long id) {
        String bearer() {
            return "Bearer " + secret;
        }
    }

    private Token createToken(String owner, Map<String, Object> body) throws Exception {
        Response r = call(post("/api/v1/tokens", basic(owner, PASSWORD), body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode json = r.json();
        return new Token(json.path("token").asString(), json.path("details").path("id").asLong());
    }

    /** A token used once, so that it is cached. */
    /** A token of a new VIEWER account (name from {@code prefix}), used once so that it is cached. */
    private Token cachedViewerToken(String prefix, String name) throws Exception {
        String owner = uniqueName(prefix);
        createAccount(owner, "VIEWER");
        return cachedToken(owner, Map.of("name", name));
    }

    private Token cachedToken(String owner, Map<String, Object> body) throws Exception {
        Token t = createToken(owner, body);
        assertThat(call(get("/api/v1/host", t.bearer())).status()).isEqualTo(200);
        assertThat(cache.lookup(t.secret())).as("cached after a use").isPresent();
        return t;
    }

    @Test
    void aCachedTokenIsRefusedAtOnceWhenRevoked() throws Exception {
        String owner = uniqueName("cache-rev");
        createAccount(owner, "OPERATOR");
        Token t = cachedToken(owner, Map.of("name", "to revoke"));

        assertThat(call(delete("/api/v1/tokens/" + t.id(), basic(owner, PASSWORD))).status()).isEqualTo(204);

        assertRefused(t, "revoked");
    }

    @Test
    void aCachedTokenIsRefusedAtOnceWhenItsOwnerIsDisabled() throws Exception {
        String owner = uniqueName("cache-dis");
        createAccount(owner, "VIEWER");
        Token t = cachedToken(owner, Map.of("name", "x"));

        assertThat(call(put("/api/v1/accounts/" + owner + "/enabled", admin(), Map.of("enabled", false))).status())
                .isEqualTo(200);

        assertRefused(t, "disabled");

        call(put("/api/v1/accounts/" + owner + "/enabled", admin(), Map.of("enabled", true)));
        assertThat(call(get("/api/v1/host", t.bearer())).status()).as("enabled again").isEqualTo(200);
    }

    @Test
    void aCachedTokenLosesPowerAtOnceWhenItsOwnerIsDemoted() throws Exception {
        String owner = uniqueName("cache-demoted");
        createAccount(owner, "ADMIN");
        Token t = cachedToken(owner, Map.of("name", "admin token"));
        assertThat(call(get("/api/v1/accounts", t.bearer())).status()).isEqualTo(200);

        call(put("/api/v1/accounts/" + owner + "/role", admin(), Map.of("role", "VIEWER")));

        assertThat(call(get("/api/v1/accounts", t.bearer())).status()).isEqualTo(403);
        assertThat(cache.lookup(t.secret())).hasValueSatisfying(a -> assertThat(a.scope()).isEqualTo(Role.VIEWER));
        call(delete("/api/v1/accounts/" + owner, admin()));
        assertThat(call(get("/api/v1/host", t.bearer())).status()).as("owner deleted").isEqualTo(401);
    }

    @Test
    void aCachedTokenIsRefusedOnceItHasExpired() throws Exception {
        String owner = uniqueName("cache-exp");
        createAccount(owner, "VIEWER");
        Token t = createToken(owner, Map.of("name", "short lived", "expiresInDays", 1));
        jdbc.update("UPDATE api_token SET expires_at = ? WHERE id = ?",
                OffsetDateTime.ofInstant(clock.instant().plusSeconds(2), ZoneOffset.UTC), t.id());
        assertThat(call(get("/api/v1/host", t.bearer())).status()).isEqualTo(200);
        assertThat(cache.lookup(t.secret())).isPresent();

        clock.advance(Duration.ofSeconds(3)); // within the TTL

        assertRefused(t, "expired");
    }

    @Test
    void aChangeMadeElsewhereIsSeenOnceTheTtlHasPassed() throws Exception {
        Token t = cachedViewerToken("cache-ttl", "revoked by another instance");

        revokeElsewhere(t);
        assertThat(call(get("/api/v1/host", t.bearer())).status()).as("within the TTL: from the cache, no query")
                .isEqualTo(200);

        clock.advance(Duration.ofSeconds(5));

        assertRefused(t, "revoked"); // after the TTL: read again
    }

    /** The token is refused now (401) and the problem says why. */
    private void assertRefused(Token t, String why) throws Exception {
        Response refused = call(get("/api/v1/host", t.bearer()));
        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.json().path("detail").asString()).contains(why);
    }

    @Test
    void aRefusalFoundByTheRefreshInTheSecondHalfOfTheTtlIsFinal() throws Exception {
        Token t = cachedViewerToken("cache-refresh", "revoked elsewhere found by the refresh");
        revokeElsewhere(t);

        clock.advance(Duration.ofSeconds(3)); // second half of the 5 s TTL: the first request reads the token again

        assertThat(cache.size()).isEqualTo(1);
        assertRefused(t, "revoked");
        assertThat(cache.size()).as("the refusal forgot the entry").isZero();
        assertThat(call(get("/api/v1/host", t.bearer())).status()).isEqualTo(401);
    }

    @Test
    void theLastUseIsStillWrittenWhenDue() throws Exception {
        Token t = cachedViewerToken("cache-touch", "busy");
        Instant first = lastUsed(t);

        clock.advance(Duration.ofSeconds(61));
        assertThat(call(get("/api/v1/host", t.bearer())).status()).isEqualTo(200);

        assertThat(lastUsed(t)).isAfterOrEqualTo(first.plusSeconds(61));
    }

    @Test
    void aLastUseThatCannotBeWrittenDoesNotFailTheRequest() throws Exception {
        Token t = cachedViewerToken("cache-touch-fails", "last use unwritable");
        Instant first = lastUsed(t);
        clock.advance(Duration.ofSeconds(61)); // past the cache's TTL and the last use's resolution: due again
        jdbc.execute("CREATE TRIGGER api_token_unwritable BEFORE UPDATE ON api_token FOR EACH ROW CALL \""
                + RefuseWrites.class.getName() + "\"");
        try {
            Response r = call(get("/api/v1/host", t.bearer()));
            assertThat(r.status()).as("the token is good; only its last use could not be written: " + r.body())
                    .isEqualTo(200);
            assertThat(lastUsed(t)).isEqualTo(first);
        } finally {
            jdbc.execute("DROP TRIGGER api_token_unwritable");
        }

        clock.advance(Duration.ofSeconds(6)); // past the TTL of the entry that kept the old last use
        assertThat(call(get("/api/v1/host", t.bearer())).status()).isEqualTo(200);
        assertThat(lastUsed(t)).as("written by the next authentication from the database")
                .isAfterOrEqualTo(first.plusSeconds(67));
    }

    /** An H2 trigger that refuses every write of the rows of its table, as a database failing writes would. */
    public static final class RefuseWrites implements org.h2.api.Trigger {
        @Override
        public void fire(java.sql.Connection connection, Object[] oldRow, Object[] newRow)
                throws java.sql.SQLException {
            throw new java.sql.SQLException("writes refused by the test", "HY000");
        }
    }

    /** Another instance on the same database revokes the token: this one does not hear of it. */
    private void revokeElsewhere(Token t) {
        jdbc.update("UPDATE api_token SET revoked_at = ? WHERE id = ?",
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), t.id());
    }

    private Instant lastUsed(Token t) {
        return jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Instant.class, t.id());
    }
}
