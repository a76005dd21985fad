package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.vfiobroker.support.ApiTest;

/** The dashboard pages share the services' authorization with the API. */
class AccessPagesTest extends ApiTest {

    private MvcResult page(String path, String username, String role) throws Exception {
        return mvc.perform(MockMvcRequestBuilders.get(path).with(user(username).roles(role))).andReturn();
    }

    @Test
    void anAdministratorManagesAccountsOnTheAccountsPage() throws Exception {
        String name = uniqueName("paged");

        MvcResult created = mvc.perform(MockMvcRequestBuilders.post("/accounts").with(csrf())
                .with(user(ADMIN).roles("ADMIN"))
                .param("username", name).param("password", PASSWORD).param("role", "OPERATOR")).andReturn();

        assertThat(created.getResponse().getRedirectedUrl()).isEqualTo("/accounts");
        assertThat(created.getFlashMap().get("message")).isEqualTo("Created " + name + ".");
        assertThat(page("/accounts", ADMIN, "ADMIN").getResponse().getContentAsString()).contains(name);
    }

    @Test
    void theAccountsPageSaysWhyAChangeWasRefused() throws Exception {
        MvcResult refused = mvc.perform(MockMvcRequestBuilders.post("/accounts").with(csrf())
                .with(user(ADMIN).roles("ADMIN"))
                .param("username", uniqueName("weak")).param("password", "short").param("role", "VIEWER")).andReturn();

        assertThat((String) refused.getFlashMap().get("error")).contains("at least 12 characters");
    }

    @Test
    void onlyAnAdministratorSeesTheAccountsPage() throws Exception {
        assertThat(page("/accounts", "someone", "OPERATOR").getResponse().getStatus()).isEqualTo(403);
        assertThat(mvc.perform(MockMvcRequestBuilders.post("/accounts/admin/delete").with(csrf())
                .with(user("someone").roles("OPERATOR"))).andReturn().getResponse().getStatus()).isEqualTo(403);
    }

    @Test
    void aFormWithoutTheCsrfTokenIsRefused() throws Exception {
        MvcResult r = mvc.perform(MockMvcRequestBuilders.post("/accounts/" + ADMIN + "/enabled")
                .with(user(ADMIN).roles("ADMIN")).param("enabled", "false")).andReturn();

        assertThat(r.getResponse().getStatus()).isEqualTo(403);
    }

    @Test
    void theTokensPageShowsANewTokenOnlyOnce() throws Exception {
        String owner = uniqueName("pager");
        createAccount(owner, "SCHEDULER");

        String answer = mvc.perform(MockMvcRequestBuilders.post("/tokens").with(csrf())
                .with(user(owner).roles("SCHEDULER")).param("name", "from the page").param("expiresInDays", "30"))
                .andReturn().getResponse().getContentAsString();

        Matcher token = Pattern.compile("vb_[a-z0-9]{10}_[A-Za-z0-9_-]{43}").matcher(answer);
        assertThat(token.find()).isTrue();
        String later = page("/tokens", owner, "SCHEDULER").getResponse().getContentAsString();
        assertThat(later).contains("from the page").doesNotContain(token.group());
    }

    @Test
    void theAuditPageShowsTheChainStateToReaders() throws Exception {
        assertThat(page("/audit", "someone", "VIEWER").getResponse().getContentAsString()).contains("is intact");
        assertThat(page("/audit", "someone", "SCHEDULER").getResponse().getStatus()).isEqualTo(403);
    }

    @Test
    void theNavigationOffersWhatTheRoleMayUse() throws Exception {
        String asViewer = page("/tokens", "someone", "VIEWER").getResponse().getContentAsString();
        String asAdmin = page("/tokens", ADMIN, "ADMIN").getResponse().getContentAsString();

        assertThat(asViewer).doesNotContain("href=\"/accounts\"").contains("href=\"/audit\"");
        assertThat(asAdmin).contains("href=\"/accounts\"");
    }
}
