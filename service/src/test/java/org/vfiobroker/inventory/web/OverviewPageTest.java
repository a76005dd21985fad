package org.vfiobroker.inventory.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.support.DemoHostTest;

/** The first dashboard page: host summary and device table, rendered on the server. */
@DemoHostTest
class OverviewPageTest {

    @Autowired
    MockMvc mvc;

    private String page(String path) throws Exception {
        MvcResult result = mvc.perform(get(path).with(user("viewer").roles("VIEWER"))).andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        return result.getResponse().getContentAsString();
    }

    @Test
    void showsHostSummaryAndDeviceTable() throws Exception {
        String html = page("/");

        assertThat(html).contains("Intel VT-d").contains("whole IOMMU groups can be granted")
                .contains("<table class=\"devices\">").contains("<code>0000:00:01.0</code>");
    }

    @Test
    void marksTheRootDiskAsNeverTaken() throws Exception {
        assertThat(page("/?class=0108")).contains("class=\"reason hard\"").contains("never taken");
    }

    @Test
    void filtersTheTableWithoutJavaScript() throws Exception {
        String html = page("/?class=0300");

        assertThat(html).contains("VGA compatible controller").doesNotContain("Non-Volatile memory controller");
    }

    @Test
    void servesTheTableAloneForHtmx() throws Exception {
        String fragment = page("/devices/table?class=0200");

        assertThat(fragment).contains("<table class=\"devices\">").doesNotContain("<html");
    }

    @Test
    void ignoresMalformedFiltersOnThePage() throws Exception {
        assertThat(page("/?class=zz&vendor=12345")).contains("<code>0000:00:01.0</code>");
    }

    @Test
    void sendsAnonymousBrowsersToTheLoginPage() throws Exception {
        MvcResult result = mvc.perform(get("/").accept("text/html")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(302);
        assertThat(result.getResponse().getRedirectedUrl()).endsWith("/login");
    }

    @Test
    void reloadsToTheLoginPageWhenTheSessionExpiresDuringAnHtmxRequest() throws Exception {
        MvcResult result = mvc.perform(get("/devices/table").header("HX-Request", "true")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(401);
        assertThat(result.getResponse().getHeader("HX-Redirect")).isEqualTo("/login?expired");
        assertThat(result.getResponse().getContentAsString()).isEmpty();
    }

    @Test
    void loginPageIsPublic() throws Exception {
        MvcResult result = mvc.perform(get("/login")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        assertThat(result.getResponse().getContentAsString()).contains("name=\"_csrf\"");
    }
}
