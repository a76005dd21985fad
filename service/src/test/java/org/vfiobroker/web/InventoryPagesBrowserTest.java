package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/** The read pages of the inventory in a real browser, with screenshots of each (laptop and phone). */
class InventoryPagesBrowserTest extends BrowserTest {

    @Test
    void theOverviewShowsTheIommuStatusCountsAndRecentEvents() {
        logInAsAdmin();
        open("/");

        assertThat(pageText()).contains("Intel VT-d").contains("whole IOMMU groups can be granted")
                .contains("simulated host").contains("viable once bound").contains("Recent events");
        assertThat(find(".counts li.once-bound strong").getText()).isNotEqualTo("0");
        screenshot("overview");
        phoneScreenshot("overview-phone");
    }

    @Test
    void theTopologyDrawsGroupsAsColouredBoxesAndLeadsToADevice() {
        logInAsAdmin();
        open("/topology");

        assertThat(find(".root-complex h2").getText()).isEqualTo("Root complex 0000:00");
        assertThat(findAll(".cluster.group.once-bound")).isNotEmpty();
        assertThat(findAll(".cluster.group.viable")).isNotEmpty();
        assertThat(findAll(".node.bridge .children .cluster")).isNotEmpty();
        screenshot("topology");
        phoneScreenshot("topology-phone");

        find("a.fn[href$='/devices/0000:01:00.1']").click();
        waitForText("h1", "0000:01:00.1");
        assertThat(pageText()).contains("snd_hda_intel");
    }

    @Test
    void theGroupsPageSaysWhyAGroupIsNotViableAndPreviewsABind() {
        logInAsAdmin();
        open("/groups");

        assertThat(find("article.group.once-bound").getText()).contains("bound to");
        screenshot("groups");

        open("/groups/1");
        assertThat(find("table.preview").getText()).contains("snd_hda_intel lets go; vfio-pci takes it");
        screenshot("group-1");

        open("/groups/20");
        assertThat(find("table.preview").getText()).contains("left alone");
    }

    @Test
    void theDeviceDetailShowsEveryFieldAndTheVirtualFunctions() {
        logInAsAdmin();
        open("/devices/0000:04:00.0");

        assertThat(pageText()).contains("SR-IOV").contains("Upstream bridges").contains("Capabilities")
                .contains("eno1");
        assertThat(findAll("ul.vfs li")).hasSize(8);
        screenshot("device-pf");
        phoneScreenshot("device-pf-phone");
    }

    @Test
    void everyPageCanBeReachedWithTheKeyboard() {
        logInAsAdmin();
        open("/");
        find("body").sendKeys(Keys.TAB); // the skip link first
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");
        for (int i = 0; i < 3; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
        }
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Topology");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        waitForText("h1", "PCIe topology");
    }
}
