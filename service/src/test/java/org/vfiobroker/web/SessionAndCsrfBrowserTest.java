package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/** The dashboard's session and request-forgery protections, as a browser meets them. */
class SessionAndCsrfBrowserTest extends BrowserTest {

    @Test
    void anHtmxRequestAfterTheSessionExpiredLoadsTheLoginPageInsteadOfSwappingIt() {
        logInAsAdmin();
        open("/");
        waitFor("#device-table table");
        browser.manage().deleteCookieNamed("JSESSIONID");

        var driver = find("form.filters input[name=driver]");
        driver.sendKeys("vfio-pci");
        driver.sendKeys(Keys.TAB); // change event: htmx asks for the table

        waitUntil(() -> browser.getCurrentUrl().contains("/login?expired"));
        assertThat(findAll("#device-table")).isEmpty();
        assertThat(find("p.info[role=status]").getText()).contains("session has expired");
        screenshot("login-expired");
    }

    @Test
    void anHtmxActionAfterTheSessionExpiredLoadsTheLoginPage() {
        logInAsAdmin();
        open("/tokens");
        browser.manage().deleteCookieNamed("JSESSIONID");

        script("htmx.ajax('POST', '/tokens', {target: '#main', values: {name: 'late', expiresInDays: '1'}})");

        waitUntil(() -> browser.getCurrentUrl().contains("/login?expired"));
        assertThat(find("p.info[role=status]").getText()).contains("session has expired");
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefused() {
        logInAsAdmin();
        open("/accounts");

        Object status = asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/accounts', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                    body: 'username=forged&password=forged-password-1234&role=ADMIN', redirect: 'manual'})
                  .then(r => done(r.status), e => done('error ' + e));
                """);

        assertThat(status).isEqualTo(403L);
        open("/accounts");
        assertThat(pageText()).doesNotContain("forged");
    }

    @Test
    void theSamePostWithTheTokenFromThePageIsAccepted() {
        logInAsAdmin();
        open("/accounts");

        Object status = asyncScript("""
                const done = arguments[arguments.length - 1];
                const token = document.querySelector('meta[name="_csrf"]').content;
                const header = document.querySelector('meta[name="_csrf_header"]').content;
                fetch('/accounts', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded',
                    [header]: token}, body: 'username=witnessed&password=another-secret-9876&role=VIEWER',
                    redirect: 'manual'})
                  .then(r => done(r.type === 'opaqueredirect' ? 302 : r.status), e => done('error ' + e));
                """);

        assertThat(status).isEqualTo(302L);
        open("/accounts");
        assertThat(pageText()).contains("witnessed");
    }

    @Test
    void theLoginPageIsReadableOnAPhone() {
        open("/login");
        phoneScreenshot("login-phone");
        assertThat(find("label[for=username]").getText()).isEqualTo("User name");
    }
}
