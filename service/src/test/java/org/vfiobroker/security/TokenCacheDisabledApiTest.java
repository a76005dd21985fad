package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

/** {@code vfio-broker.security.tokens.cache-ttl=0}: every bearer request reads the database. */
@TestPropertySource(properties = "vfio-broker.security.tokens.cache-ttl=0")
class TokenCacheDisabledApiTest extends ApiTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TokenAuthenticationCache cache;

    @Test
    void tokensWorkAndEveryChangeIsSeenAtOnce() throws Exception {
        String owner = uniqueName("nocache");
        createAccount(owner, "VIEWER");
        Response created = call(post("/api/v1/tokens", basic(owner, PASSWORD), Map.of("name", "uncached")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode json = created.json();
        String bearer = "Bearer " + json.path("token").asString();
        long id = json.path("details").path("id").asLong();

        assertThat(call(get("/api/v1/host", bearer)).status()).isEqualTo(200);
        assertThat(call(get("/api/v1/host", bearer)).status()).isEqualTo(200);
        assertThat(cache.size()).isZero();
        assertThat(jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", OffsetDateTime.class, id))
                .isNotNull();

        jdbc.update("UPDATE api_token SET revoked_at = ? WHERE id = ?", OffsetDateTime.now(), id);

        assertThat(call(get("/api/v1/host", bearer)).status()).isEqualTo(401);
    }
}
