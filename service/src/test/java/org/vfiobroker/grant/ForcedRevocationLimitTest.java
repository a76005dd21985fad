package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * A forced revocation holds its request thread while holders get their grace period; beyond
 * {@code vfio-broker.grants.forced-revocations-at-once} the next one is asked to retry (503 {@code busy}, with
 * {@code Retry-After}), so that forced revocations never take every request thread. Graceful revocations and other
 * requests are not limited.
 */
@Import(FaultyHost.Config.class)
@TestPropertySource(properties = {"vfio-broker.grants.forced-revocations-at-once=2",
        "vfio-broker.grants.terminate-grace=7s"})
class ForcedRevocationLimitTest extends GrantTestBase {

    @Autowired
    FaultyHost faulty;

    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void letGo() {
        faulty.stopHoldingTerminations();
        threads.shutdownNow();
    }

    /** Three active grants (alice, bob, carol); the first two being revoked with force, held in their grace period. */
    private record TwoHeld(long a, long b, long c, Future<Response> first, Future<Response> second) {
    }

    private TwoHeld twoForcedRevocationsHeld() throws Exception {
        long a = grantedGroups("alice", List.of(1), 32 * MIB).id();
        long b = grantedGroups("bob", List.of(20), 16 * MIB).id();
        long c = grantedGroups("carol", List.of(30), 16 * MIB).id();
        faulty.holdTerminations();
        Future<Response> first = threads.submit(() -> delete("/api/v1/grants/" + a + "?force=true"));
        Future<Response> second = threads.submit(() -> delete("/api/v1/grants/" + b + "?force=true"));
        faulty.awaitHeldTerminations(2);
        return new TwoHeld(a, b, c, first, second);
    }

    @Test
    void aForcedRevocationBeyondTheLimitIsAskedToRetryWhileTheOthersRun() throws Exception {
        TwoHeld held = twoForcedRevocationsHeld();
        long c = held.c();

        Response third = delete("/api/v1/grants/" + c + "?force=true"); // checked against the contract
        assertThat(third.status()).as(third.body()).isEqualTo(503);
        assertThat(third.type()).isEqualTo("urn:vfio-broker:problem:busy");
        assertThat(third.json().path("retryAfterSeconds").asLong()).isEqualTo(7);
        assertThat(third.json().path("detail").asString()).contains("2 forced revocations are running")
                .contains("forced-revocations-at-once");
        MvcResult again = mvc.perform(MockMvcRequestBuilders.delete("/api/v1/grants/" + c + "?force=true")
                .header(HttpHeaders.AUTHORIZATION, ADMIN)).andReturn();
        assertThat(again.getResponse().getStatus()).isEqualTo(503);
        assertThat(again.getResponse().getHeader(HttpHeaders.RETRY_AFTER)).isEqualTo("7");
        assertThat(get("/api/v1/grants/" + c).json().path("state").asString()).as("untouched").isEqualTo("ACTIVE");

        faulty.stopHoldingTerminations();
        assertThat(held.first().get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(held.second().get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        Response retried = delete("/api/v1/grants/" + c + "?force=true");
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("state").asString()).isEqualTo("RELEASED");
        for (long id : List.of(held.a(), held.b())) {
            assertThat(get("/api/v1/grants/" + id).json().path("state").asString()).isEqualTo("RELEASED");
        }
    }

    @Test
    void gracefulRevocationsAreNotLimited() throws Exception {
        TwoHeld held = twoForcedRevocationsHeld();

        Response graceful = delete("/api/v1/grants/" + held.c());

        assertThat(graceful.status()).as(graceful.body()).isEqualTo(200);
        assertThat(graceful.json().path("state").asString()).isEqualTo("RELEASED");
        faulty.stopHoldingTerminations();
        assertThat(held.first().get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(held.second().get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
}
