package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.support.DemoHostTest;

/** A mutating request after the session is gone is a lapsed login: back to the login page, not a 403. */
@DemoHostTest
class SessionExpiryTest {

    @Autowired
    MockMvc mvc;

    @Test
    void anHtmxPostWithoutASessionGets401AndARedirectToTheLoginPage() throws Exception {
        MvcResult r = mvc.perform(post("/tokens").header("HX-Request", "true").param("_csrf", "stale")
                .param("name", "x")).andReturn();

        assertThat(r.getResponse().getStatus()).isEqualTo(401);
        assertThat(r.getResponse().getHeader("HX-Redirect")).isEqualTo("/login?expired");
    }

    @Test
    void aPlainFormPostWithoutASessionIsSentToTheLoginPage() throws Exception {
        MvcResult r = mvc.perform(post("/tokens").param("_csrf", "stale").param("name", "x")).andReturn();

        assertThat(r.getResponse().getStatus()).isEqualTo(302);
        assertThat(r.getResponse().getRedirectedUrl()).isEqualTo("/login?expired");
    }

    @Test
    void aLoggedInPostWithAWrongTokenIsStillRefused() throws Exception {
        MvcResult r = mvc.perform(post("/tokens").with(user("someone").roles("OPERATOR"))
                .header("HX-Request", "true").param("_csrf", "forged").param("name", "x")).andReturn();

        assertThat(r.getResponse().getStatus()).isEqualTo(403);
        assertThat(r.getResponse().getHeader("HX-Redirect")).isNull();
    }
}
