package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The administrator's whole round in a real browser: a pool and a policy (with a refused field shown next
 * to it), a grant with the live policy check, the group's holder and the quota bar changing, revocation
 * (plain, and forced after a confirmation), the audit entries; and SR-IOV with progress while VFs appear.
 * The pool holds the spare NVMe drive (group 4), so the VFs of the NIC stay free for the SR-IOV test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GrantsBrowserTest extends BrowserTest {

    private void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    private void submit(String formCss) {
        find(formCss + " button[type=submit]").click();
    }

    @Test
    @Order(1)
    void anAdministratorCreatesAPoolAndSeesARefusedFieldNextToIt() {
        logInAsAdmin();
        open("/pools/new");
        type("#name", "spare-nvme");
        type("#vendorDevices", "not-an-id");
        submit("form.stacked");

        WebElement error = waitFor("#vendorDevices-error");
        assertThat(error.getText()).contains("vendorDevices");
        assertThat(find("#vendorDevices").getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("pool-form-error");

        type("#vendorDevices", "");
        type("#classPrefixes", "0108");
        type("#description", "NVMe drives not holding the host");
        submit("form.stacked");

        waitForText("main", "Pool spare-nvme saved.");
        WebElement row = browser.findElement(By.xpath("//tr[td/strong[text()='spare-nvme']]"));
        assertThat(row.getText()).contains("class 0108").contains("4");
        screenshot("pools");
    }

    @Test
    @Order(2)
    void anAdministratorCreatesAPolicy() {
        logInAsAdmin();
        open("/policies/new");
        new Select(find("#pool")).selectByValue("spare-nvme");
        type("#subjectName", "alice");
        type("#maxGroups", "1");
        type("#maxMemlockMib", "2048");
        type("#maxLeaseHours", "24");
        submit("form.stacked");

        waitForText("main", "saved");
        assertThat(find("table").getText()).contains("user alice").contains("2 GiB").contains("spare-nvme");
        screenshot("policies");
    }

    @Test
    @Order(3)
    void aGrantIsCheckedLiveThenMadeAndTheOwnerAndQuotaChangeThenItIsRevokedAndAudited() {
        logInAsAdmin();
        open("/grants");
        WebElement quota = browser.findElement(By.xpath("//table[contains(@class,'quotas')]//tr[td[text()='spare-nvme']]"));
        assertThat(quota.findElement(By.cssSelector(".groups-used")).getText()).isEqualTo("0 of 1");

        open("/grants/new");
        type("#unixUser", "alice");
        new Select(find("#pool")).selectByValue("spare-nvme");
        type("#memlockMib", "4096");
        waitForText("#policy-check", "of locked memory in all");
        assertThat(find("#policy-check").getText()).contains("would be refused").contains("4 GiB are asked for");
        screenshot("grant-new-refused");

        type("#memlockMib", "1024");
        waitForText("#policy-check", "The policy allows this request");
        screenshot("grant-new-allowed");
        phoneScreenshot("grant-new-phone");
        submit("#grant-form");

        waitForText("main", "Granted");
        assertThat(find("h1").getText()).contains("for alice").contains("ACTIVE");
        String grantUrl = browser.getCurrentUrl();
        String id = grantUrl.substring(grantUrl.lastIndexOf('/') + 1);
        screenshot("grant");

        open("/groups/4");
        assertThat(find(".held-note").getText()).contains("Held by alice (grant " + id + ")");
        open("/topology");
        assertThat(findAll(".cluster.group.held")).isNotEmpty();
        open("/grants");
        quota = browser.findElement(By.xpath("//table[contains(@class,'quotas')]//tr[td[text()='spare-nvme']]"));
        assertThat(quota.findElement(By.cssSelector(".groups-used")).getText()).isEqualTo("1 of 1");
        assertThat(quota.findElement(By.cssSelector(".memlock-used")).getText()).isEqualTo("1 GiB of 2 GiB");
        screenshot("grants");
        open("/");
        assertThat(find(".quota-overview").getText()).contains("spare-nvme").contains("1 of 1").contains("1 GiB of 2 GiB");
        screenshot("overview-with-grant");
        phoneScreenshot("grants-phone");

        open("/grants/" + id);
        submit("form[action$='/revoke']");
        waitForText("main", "Revoked");
        assertThat(find("h1").getText()).contains("RELEASED");
        open("/groups/4");
        assertThat(findAll(".held-note")).isEmpty();
        assertThat(pageText()).contains("Can be granted now.");

        open("/audit?target=grant:" + id);
        assertThat(find("table").getText()).contains("grant.create").contains("grant.revoke");
        screenshot("audit-grant");
    }

    @Test
    @Order(4)
    void aForcedRevocationIsConfirmedFirst() {
        logInAsAdmin();
        open("/grants/new");
        type("#unixUser", "alice");
        new Select(find("#pool")).selectByValue("spare-nvme");
        waitForText("#policy-check", "The policy allows this request");
        submit("#grant-form");
        waitForText("main", "Granted");

        find("input[name=force]").click();
        submit("form[action$='/revoke']");
        waitForText("h1", "by force?");
        screenshot("grant-revoke-confirm");
        find("button.danger").click();

        waitForText("main", "Revoked");
        assertThat(find("h1").getText()).contains("RELEASED");
    }

    @Test
    @Order(5)
    void setVirtualFunctionsWithProgressWhileTheyAppear() {
        logInAsAdmin();
        open("/devices/0000:04:00.0");
        assertThat(findAll("ul.vfs li")).hasSize(8);

        type("#numVfs", "4");
        submit("#sriov-form");
        waitForText("#vf-list", "4 virtual functions are there");
        assertThat(findAll("ul.vfs li")).hasSize(4);
        screenshot("device-sriov");

        type("#numVfs", "8");
        submit("#sriov-form");
        waitForText("#vf-list", "8 virtual functions are there");
        assertThat(findAll("ul.vfs li")).hasSize(8);
    }
}
