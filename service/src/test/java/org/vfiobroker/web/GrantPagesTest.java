package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.support.DemoHostTest;

/** Pools, policies, grants and SR-IOV pages: role-aware, refusals next to their field, the live check. */
@DemoHostTest
@Import(BrowserUnixUsers.class)
class GrantPagesTest {

    @Autowired
    MockMvc mvc;

    private String page(String path, String role) throws Exception {
        MvcResult r = mvc.perform(get(path).with(user("someone").roles(role))).andReturn();
        assertThat(r.getResponse().getStatus()).as(path).isEqualTo(200);
        return r.getResponse().getContentAsString();
    }

    @Test
    void aViewerReadsPoolsPoliciesAndGrantsWithoutAnyActionControl() throws Exception {
        for (String path : new String[] {"/pools", "/policies", "/grants", "/devices/0000:04:00.0"}) {
            String html = page(path, "VIEWER").replaceFirst("(?s)<form class=\"logout\".*?</form>", "");
            assertThat(html).as(path).doesNotContain("method=\"post\"").doesNotContain("hx-post")
                    .doesNotContain("/new\"");
        }
    }

    @Test
    void anOperatorAndAViewerSeeAGrantWithItsPolicy() throws Exception {
        api(post("/api/v1/pools"), "{\"name\":\"page-vfs\",\"selector\":{\"physicalFunctions\":[\"0000:04:00.0\"]}}");
        api(post("/api/v1/policies"), "{\"pool\":\"page-vfs\",\"unixUser\":\"alice\",\"maxGroups\":2,"
                + "\"maxMemlockBytes\":1073741824,\"maxLeaseSeconds\":3600}");
        String grant = api(post("/api/v1/grants"), "{\"unixUser\":\"alice\",\"pool\":\"page-vfs\",\"count\":1,"
                + "\"memlockBytes\":1048576,\"durationSeconds\":600}");
        String id = grant.replaceFirst("(?s).*?\"id\":(\\d+).*", "$1");
        try {
            for (String role : new String[] {"OPERATOR", "VIEWER"}) {
                assertThat(page("/grants/" + id, role)).as(role).contains("page-vfs").contains("user alice")
                        .doesNotContain("none (named groups)");
            }
        } finally {
            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete("/api/v1/grants/" + id)
                    .with(httpBasic("admin", DemoHostTest.ADMIN_PASSWORD))).andReturn();
        }
    }

    /** An API call as the first administrator; its answer's body (2xx asserted). */
    private String api(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request, String json)
            throws Exception {
        MvcResult r = mvc.perform(request.with(httpBasic("admin", DemoHostTest.ADMIN_PASSWORD))
                .contentType("application/json").content(json)).andReturn();
        assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isBetween(200, 299);
        return r.getResponse().getContentAsString();
    }

    @Test
    void theServerRefusesAViewersActionsAnyway() throws Exception {
        assertThat(mvc.perform(post("/pools").with(csrf()).with(user("v").roles("VIEWER"))
                .param("name", "x").param("classPrefixes", "02")).andReturn().getResponse().getStatus()).isEqualTo(403);
        assertThat(mvc.perform(post("/devices/0000:04:00.0/sriov").with(csrf()).with(user("v").roles("VIEWER"))
                .param("numVfs", "2")).andReturn().getResponse().getStatus()).isEqualTo(403);
        assertThat(mvc.perform(get("/grants/check").with(user("v").roles("VIEWER")).param("unixUser", "alice"))
                .andReturn().getResponse().getStatus()).isEqualTo(403);
    }

    @Test
    void anOperatorSeesTheSriovControlButNoPoolEditing() throws Exception {
        assertThat(page("/devices/0000:04:00.0", "OPERATOR")).contains("id=\"sriov-form\"");
        assertThat(page("/pools", "OPERATOR")).doesNotContain("/pools/new");
    }

    @Test
    void aRefusedPoolIsShownAgainWithTheMessageNextToTheField() throws Exception {
        String html = mvc.perform(post("/pools").with(csrf()).with(user("a").roles("ADMIN"))
                .param("name", "bad name!").param("classPrefixes", "02")).andReturn().getResponse().getContentAsString();

        assertThat(html).contains("id=\"name-error\"").contains("is not a pool name")
                .contains("aria-describedby=\"name-error\"").contains("value=\"bad name!\"");
    }

    @Test
    void aPolicyWithANonsenseLimitNamesTheField() throws Exception {
        mvc.perform(post("/pools").with(csrf()).with(user("a").roles("ADMIN")).param("name", "pagetest")
                .param("classPrefixes", "0108")).andReturn();
        String html = mvc.perform(post("/policies").with(csrf()).with(user("a").roles("ADMIN"))
                .param("pool", "pagetest").param("subjectKind", "USER").param("subjectName", "nosuchuser")
                .param("maxGroups", "1").param("maxMemlockMib", "10").param("maxLeaseHours", "1"))
                .andReturn().getResponse().getContentAsString();

        assertThat(html).contains("id=\"subjectName-error\"").contains("nosuchuser");
    }

    @Test
    void theLiveCheckSaysWhyARequestWouldBeRefused() throws Exception {
        String html = mvc.perform(get("/grants/check").with(user("o").roles("OPERATOR"))
                .param("unixUser", "alice").param("pool", "no-such-pool").param("count", "1")
                .param("memlockMib", "1").param("durationHours", "1")).andReturn().getResponse().getContentAsString();

        assertThat(html).contains("would be refused").contains("no-such-pool").doesNotContain("<html");
    }

    @Test
    void theSriovFormWorksWithoutJavaScriptByRedirectingBackToTheDevice() throws Exception {
        MvcResult r = mvc.perform(post("/devices/0000:04:00.0/sriov").with(csrf()).with(user("o").roles("OPERATOR"))
                .param("numVfs", "99")).andReturn();

        assertThat(r.getResponse().getRedirectedUrl()).isEqualTo("/devices/0000:04:00.0#sriov");
        assertThat((String) r.getFlashMap().get("sriovError")).contains("99");
    }

    @Test
    void theVfListKeepsPollingWithProgressUntilTheCountIsReached() throws Exception {
        String waiting = page("/devices/0000:04:00.0/vfs?target=5", "OPERATOR");
        assertThat(waiting).contains("hx-get=\"/devices/0000:04:00.0/vfs?target=5\"").contains("<progress")
                .contains("8 virtual functions so far; waiting for 5.").doesNotContain("<html");

        String done = page("/devices/0000:04:00.0/vfs?target=8", "OPERATOR");
        assertThat(done).doesNotContain("hx-get").contains("8 virtual functions are there.");
    }
}
