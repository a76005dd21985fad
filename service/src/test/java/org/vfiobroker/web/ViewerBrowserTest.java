package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** A VIEWER reads every page but finds no control that changes anything, and the server refuses anyway. */
class ViewerBrowserTest extends BrowserTest {

    static final String VIEWER = "vera";
    static final String VIEWER_PASSWORD = "reads-only-please-42";

    private void createViewerOnTheAccountsPage() {
        logInAsAdmin();
        open("/accounts");
        if (pageText().contains(VIEWER)) {
            return;
        }
        find("form input[name=username]").sendKeys(VIEWER);
        find("form input[name=password][autocomplete=new-password]:not([id])").sendKeys(VIEWER_PASSWORD);
        new Select(browser.findElement(By.cssSelector("form select[name=role]:not([id])"))).selectByValue("VIEWER");
        browser.findElement(By.xpath("//form[.//input[@name='username']]//button[@type='submit']")).click();
        waitForText("main", "Created " + VIEWER);
        browser.manage().deleteAllCookies();
    }

    @Test
    void aViewerSeesTheReadPagesWithoutAnyActionControl() {
        createViewerOnTheAccountsPage();
        logIn(VIEWER, VIEWER_PASSWORD);

        for (String path : new String[] {"/", "/topology", "/groups", "/groups/1", "/devices/0000:04:00.0", "/audit"}) {
            open(path);
            assertThat(findAll("form[method=post]:not(.logout)")).as(path).isEmpty();
            assertThat(findAll("[hx-post]")).as(path).isEmpty();
        }
        assertThat(findAll("header nav a")).extracting(e -> e.getText()).doesNotContain("Accounts");
        open("/devices/0000:04:00.0");
        screenshot("device-pf-viewer");
    }

    @Test
    void theServerRefusesAViewerEvenWhenTheRequestIsMadeByHand() {
        createViewerOnTheAccountsPage();
        logIn(VIEWER, VIEWER_PASSWORD);
        open("/accounts");
        assertThat(find("h1").getText()).isEqualTo("Not allowed");

        open("/");
        Object status = asyncScript("""
                const done = arguments[arguments.length - 1];
                const token = document.querySelector('meta[name="_csrf"]').content;
                const header = document.querySelector('meta[name="_csrf_header"]').content;
                fetch('/accounts', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded',
                    [header]: token}, body: 'username=sneaky&password=sneaky-secret-9876&role=ADMIN',
                    redirect: 'manual'}).then(r => done(r.status), e => done('error ' + e));
                """);
        assertThat(status).isEqualTo(403L);
    }
}
