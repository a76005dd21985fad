package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

class TokenApiTest extends ApiTest {

    @Autowired
    JdbcTemplate jdbc;

    private JsonNode createToken(String authorization, Map<String, Object> body) throws Exception {
        Response r = call(post("/api/v1/tokens", authorization, body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void aNewTokenIsShownOnceAndWorksAsBearer() throws Exception {
        String owner = uniqueName("sched");
        createAccount(owner, "SCHEDULER");

        JsonNode created = createToken(basic(owner, PASSWORD), Map.of("name", "slurm on node12"));
        String token = created.path("token").asString();

        assertThat(token).matches("vb_[a-z0-9]{10}_[A-Za-z0-9_-]{43}");
        assertThat(created.path("details").path("scope").asString()).isEqualTo("SCHEDULER");
        assertThat(created.path("details").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(token).startsWith(created.path("details").path("prefix").asString() + "_");
        Response host = call(get("/api/v1/host", "Bearer " + token));
        assertThat(host.status()).isEqualTo(200);
        Response listed = call(get("/api/v1/tokens", basic(owner, PASSWORD)));
        assertThat(listed.body()).doesNotContain(token.substring(14));
        assertThat(listed.json().get(0).path("lastUsedAt").isMissingNode()).isFalse();
        String stored = jdbc.queryForObject("SELECT secret_hash FROM api_token WHERE id = ?", String.class,
                created.path("details").path("id").asLong());
        assertThat(stored).hasSize(64).doesNotContain(token.substring(14));
    }

    @Test
    void theDefaultLifetimeIsNinetyDays() throws Exception {
        JsonNode details = createToken(admin(), Map.of("name", "default life")).path("details");

        Instant created = Instant.parse(details.path("createdAt").asString());
        Instant expires = Instant.parse(details.path("expiresAt").asString());
        assertThat(ChronoUnit.DAYS.between(created, expires)).isEqualTo(90);
    }

    @Test
    void lastUseIsWrittenAtMostOncePerResolution() throws Exception {
        JsonNode created = createToken(admin(), Map.of("name", "busy"));
        String bearer = "Bearer " + created.path("token").asString();
        long id = created.path("details").path("id").asLong();

        call(get("/api/v1/host", bearer));
        Instant first = jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Instant.class, id);
        call(get("/api/v1/host", bearer));
        Instant second = jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Instant.class, id);

        assertThat(first).isNotNull();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aRevokedTokenIsRefused() throws Exception {
        String owner = uniqueName("rev");
        createAccount(owner, "OPERATOR");
        JsonNode created = createToken(basic(owner, PASSWORD), Map.of("name", "to revoke"));
        String bearer = "Bearer " + created.path("token").asString();
        long id = created.path("details").path("id").asLong();

        assertThat(call(delete("/api/v1/tokens/" + id, bearer)).status()).isEqualTo(204);

        Response refused = call(get("/api/v1/host", bearer));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("detail").asString()).contains("revoked");
        assertThat(refused.result().getResponse().getHeaders("WWW-Authenticate")).anyMatch(h -> h.contains("invalid_token"));
        JsonNode listed = call(get("/api/v1/tokens", basic(owner, PASSWORD))).json();
        assertThat(listed.get(0).path("state").asString()).isEqualTo("REVOKED");
        assertThat(call(delete("/api/v1/tokens/" + id, basic(owner, PASSWORD))).status()).isEqualTo(204);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        JsonNode created = createToken(admin(), Map.of("name", "short lived", "expiresInDays", 1));
        long id = created.path("details").path("id").asLong();
        jdbc.update("UPDATE api_token SET created_at = ?, expires_at = ? WHERE id = ?",
                java.time.OffsetDateTime.now().minusDays(2), java.time.OffsetDateTime.now().minusMinutes(1), id);

        Response refused = call(get("/api/v1/host", "Bearer " + created.path("token").asString()));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("detail").asString()).contains("expired");
    }

    @Test
    void aTokenOfADisabledAccountIsRefused() throws Exception {
        String owner = uniqueName("dis");
        createAccount(owner, "VIEWER");
        String bearer = "Bearer " + createToken(basic(owner, PASSWORD), Map.of("name", "x")).path("token").asString();

        call(put("/api/v1/accounts/" + owner + "/enabled", admin(), Map.of("enabled", false)));

        assertThat(call(get("/api/v1/host", bearer)).status()).isEqualTo(401);
    }

    @Test
    void deletingAnAccountDeletesItsTokens() throws Exception {
        String owner = uniqueName("gone");
        createAccount(owner, "VIEWER");
        JsonNode created = createToken(basic(owner, PASSWORD), Map.of("name", "orphan"));

        call(delete("/api/v1/accounts/" + owner, admin()));

        assertThat(call(get("/api/v1/host", "Bearer " + created.path("token").asString())).status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM api_token WHERE id = ?", Long.class,
                created.path("details").path("id").asLong())).isZero();
    }

    @Test
    void aTokenActsWithItsScopeNotItsOwnersRole() throws Exception {
        String bearer = "Bearer " + createToken(admin(), Map.of("name", "read only", "scope", "VIEWER"))
                .path("token").asString();

        assertThat(call(get("/api/v1/host", bearer)).status()).isEqualTo(200);
        assertThat(call(get("/api/v1/accounts", bearer)).status()).isEqualTo(403);
    }

    @Test
    void aTokenLosesPowerWhenItsOwnerIsDemoted() throws Exception {
        String owner = uniqueName("demoted");
        createAccount(owner, "ADMIN");
        String bearer = "Bearer " + createToken(basic(owner, PASSWORD), Map.of("name", "admin token"))
                .path("token").asString();
        assertThat(call(get("/api/v1/accounts", bearer)).status()).isEqualTo(200);

        call(put("/api/v1/accounts/" + owner + "/role", admin(), Map.of("role", "VIEWER")));

        assertThat(call(get("/api/v1/accounts", bearer)).status()).isEqualTo(403);
        call(delete("/api/v1/accounts/" + owner, admin()));
    }

    @Test
    void theScopeMayNotExceedTheOwnersRole() throws Exception {
        String owner = uniqueName("viewer");
        createAccount(owner, "VIEWER");

        Response r = call(post("/api/v1/tokens", basic(owner, PASSWORD), Map.of("name", "escalate", "scope", "ADMIN")));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("detail").asString()).contains("may not exceed your own role (VIEWER)");
    }

    @Test
    void onlyTheOwnerOrAnAdminRevokes() throws Exception {
        String owner = uniqueName("own");
        String other = uniqueName("other");
        createAccount(owner, "SCHEDULER");
        createAccount(other, "SCHEDULER");
        long id = createToken(basic(owner, PASSWORD), Map.of("name", "mine")).path("details").path("id").asLong();

        assertThat(call(delete("/api/v1/tokens/" + id, basic(other, PASSWORD))).status()).isEqualTo(404);
        assertThat(call(get("/api/v1/tokens", basic(other, PASSWORD))).json()).isEmpty();
        assertThat(call(get("/api/v1/tokens", admin())).json()).anyMatch(t -> t.path("id").asLong() == id);
        assertThat(call(delete("/api/v1/tokens/" + id, admin())).status()).isEqualTo(204);
    }

    @Test
    void tokenChangesAreAudited() throws Exception {
        long id = createToken(admin(), Map.of("name", "audited")).path("details").path("id").asLong();
        call(delete("/api/v1/tokens/" + id, admin()));

        JsonNode events = call(get("/api/v1/audit/events?target=token:" + id, admin())).json().path("items");

        assertThat(events).extracting(e -> e.path("action").asString()).containsExactly("token.revoke", "token.create");
    }

    @Test
    void concurrentRevocationsOfOneTokenRevokeItOnceAndAuditItOnce() throws Exception {
        long id = createToken(admin(), Map.of("name", "revoked at once")).path("details").path("id").asLong();

        List<Response> answers = concurrently(6, () -> delete("/api/v1/tokens/" + id, admin()));

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(204));
        JsonNode events = call(get("/api/v1/audit/events?target=token:" + id, admin())).json().path("items");
        assertThat(events).extracting(e -> e.path("action").asString()).containsExactly("token.revoke", "token.create");
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("empty name", "", null, null),
                Arguments.of("blank name", "   ", null, null),
                Arguments.of("too long name", "n".repeat(65), null, null),
                Arguments.of("name with a line break", "a\nb", null, null),
                Arguments.of("name starting with a dash", "-x", null, null),
                Arguments.of("zero days", "t", null, 0),
                Arguments.of("negative days", "t", null, -5),
                Arguments.of("more than a year", "t", null, 366),
                Arguments.of("huge days", "t", null, Integer.MAX_VALUE),
                Arguments.of("unknown scope", "t", "ROOT", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void refusesBadInput(String why, String name, String scope, Integer days) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        if (scope != null) {
            body.put("scope", scope);
        }
        if (days != null) {
            body.put("expiresInDays", days);
        }
        Response r = call(post("/api/v1/tokens", admin(), body));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("detail").asString()).isNotBlank();
    }

    @Test
    void refusesANumberTooBigForItsField() throws Exception {
        assertThat(call(post("/api/v1/tokens", admin(), "{\"name\":\"t\",\"expiresInDays\":99999999999}")).status())
                .isEqualTo(400);
    }

    @Test
    void refusesMalformedTokenIds() throws Exception {
        assertThat(call(delete("/api/v1/tokens/0", admin())).status()).isEqualTo(400);
        assertThat(call(delete("/api/v1/tokens/-1", admin())).status()).isEqualTo(400);
        assertThat(call(delete("/api/v1/tokens/abc", admin())).status()).isEqualTo(400);
        assertThat(call(delete("/api/v1/tokens/99999999999999999999", admin())).status()).isEqualTo(400);
        assertThat(call(delete("/api/v1/tokens/424242", admin())).status()).isEqualTo(404);
    }

    @Test
    void refusesMalformedAndUnknownBearers() throws Exception {
        for (String bearer : new String[] {"", "garbage", "vb_short_x", "vb_abcdefghij_" + "A".repeat(43),
                "vb_ABCDEFGHIJ_" + "A".repeat(43)}) {
            Response r = call(get("/api/v1/host", "Bearer " + bearer));
            assertThat(r.status()).as(bearer).isEqualTo(401);
        }
    }
}
