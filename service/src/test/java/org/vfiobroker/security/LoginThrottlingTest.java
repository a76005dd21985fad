package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

/** The test configuration locks an account name after 3 failures (the default is 5). */
class LoginThrottlingTest extends ApiTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void repeatedBasicFailuresAreAnsweredWith429AndRetryAfter() throws Exception {
        String name = uniqueName("victim");
        createAccount(name, "VIEWER");
        for (int i = 0; i < 3; i++) {
            assertThat(call(get("/api/v1/host", basic(name, "wrong password " + i))).status()).isEqualTo(401);
        }

        Response throttled = call(get("/api/v1/host", basic(name, PASSWORD)));

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:login-throttled");
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 30L);
        assertThat(throttled.json().path("retryAfterSeconds").asLong()).isBetween(1L, 30L);
        assertThat(meters.counter(LoginEvents.LOGINS, "method", "basic", "outcome", "throttled").count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aLockIsAudited() throws Exception {
        String name = uniqueName("audited-victim");
        for (int i = 0; i < 3; i++) {
            call(get("/api/v1/host", basic(name, "wrong password " + i)));
        }

        JsonNode events = call(get("/api/v1/audit/events?action=auth.lock&target=account:" + name, admin()))
                .json().path("items");

        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("outcome").asString()).isEqualTo("REFUSED");
        assertThat(events.get(0).path("actor").asString()).isEqualTo("system");
        assertThat(events.get(0).path("details").asString()).contains("3 failed basic logins");
    }

    @Test
    void aSuccessfulLoginClearsTheFailures() throws Exception {
        String name = uniqueName("forgetful");
        createAccount(name, "VIEWER");
        call(get("/api/v1/host", basic(name, "wrong password 1")));
        call(get("/api/v1/host", basic(name, "wrong password 2")));
        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(200);

        call(get("/api/v1/host", basic(name, "wrong password 3")));
        call(get("/api/v1/host", basic(name, "wrong password 4")));

        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(200);
    }

    @Test
    void otherAccountsAreNotAffected() throws Exception {
        String victim = uniqueName("locked");
        for (int i = 0; i < 4; i++) {
            call(get("/api/v1/host", basic(victim, "wrong password " + i)));
        }

        assertThat(call(get("/api/v1/host", admin())).status()).isEqualTo(200);
    }

    @Test
    void theLoginFormSaysWhenToTryAgain() throws Exception {
        String name = uniqueName("form-victim");
        createAccount(name, "VIEWER");
        for (int i = 0; i < 3; i++) {
            MvcResult failed = mvc.perform(MockMvcRequestBuilders.post("/login").with(csrf())
                    .param("username", name).param("password", "wrong password " + i)).andReturn();
            assertThat(failed.getResponse().getRedirectedUrl()).isEqualTo("/login?error");
        }

        MvcResult throttled = mvc.perform(MockMvcRequestBuilders.post("/login").with(csrf())
                .param("username", name).param("password", PASSWORD)).andReturn();

        assertThat(throttled.getResponse().getRedirectedUrl()).matches("/login\\?throttled=\\d+");
        String page = mvc.perform(MockMvcRequestBuilders.get(throttled.getResponse().getRedirectedUrl()))
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("Too many failed logins").contains("try again in");
    }
}
