package org.vfiobroker.inventory.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.support.DemoHostTest;

/** Topology, groups and device pages: rendered on the server, readable without JavaScript. */
@DemoHostTest
class InventoryPagesTest {

    @Autowired
    MockMvc mvc;

    private MvcResult get200(String path) throws Exception {
        MvcResult result = mvc.perform(get(path).with(user("viewer").roles("VIEWER"))).andReturn();
        assertThat(result.getResponse().getStatus()).as(path).isEqualTo(200);
        return result;
    }

    private String page(String path) throws Exception {
        return get200(path).getResponse().getContentAsString();
    }

    @Test
    void theOverviewNamesTheSimulatedHelperAndCountsGroupsByViability() throws Exception {
        String html = page("/");

        assertThat(html).contains("simulated host").contains("viable once bound").contains("Recent events");
    }

    @Test
    void theTopologyNestsFunctionsUnderTheirBridgesInGroupBoxes() throws Exception {
        String html = page("/topology");

        assertThat(html).contains("Root complex 0000:00").contains("cluster group once-bound")
                .contains("href=\"/devices/0000:09:00.0\"").contains("Group 20");
    }

    @Test
    void theGroupsPageExplainsInPlainWordsWhyAGroupIsNotViable() throws Exception {
        assertThat(page("/groups")).contains("0000:01:00.1 is bound to snd_hda_intel");
    }

    @Test
    void aGroupPagePreviewsWhichDriverLeavesWhichDeviceAndLeavesBridgesAlone() throws Exception {
        assertThat(page("/groups/1")).contains("snd_hda_intel lets go; vfio-pci takes it").contains("stays on vfio-pci");
        assertThat(page("/groups/20")).contains("left alone (bridge keeps");
    }

    @Test
    void theRootDiskGroupSaysItIsNeverTaken() throws Exception {
        assertThat(page("/groups/3")).contains("Cannot be granted now").contains("never taken");
    }

    @Test
    void theDevicePageShowsEveryInventoryField() throws Exception {
        String html = page("/devices/0000:04:00.0");

        assertThat(html).contains("I350 Gigabit Network Connection").contains("0000:00:01.3")
                .contains("8 of 8 virtual functions enabled").contains("eno1").contains("Capabilities")
                .contains("NUMA node");
    }

    @Test
    void aVirtualFunctionLinksToItsPhysicalFunction() throws Exception {
        assertThat(page("/devices/0000:05:00.0")).contains("Virtual function of").contains("href=\"/devices/0000:04:00.0\"");
    }

    @Test
    void anUnknownDeviceIsNotFoundAndAMalformedAddressIsBadInput() throws Exception {
        assertThat(mvc.perform(get("/devices/0000:7f:00.0").with(user("v").roles("VIEWER"))).andReturn()
                .getResponse().getStatus()).isEqualTo(404);
        assertThat(mvc.perform(get("/devices/nonsense").with(user("v").roles("VIEWER"))).andReturn()
                .getResponse().getStatus()).isEqualTo(400);
        assertThat(mvc.perform(get("/groups/999").with(user("v").roles("VIEWER"))).andReturn()
                .getResponse().getStatus()).isEqualTo(404);
    }

    @Test
    void aViewerSeesNoActionControlsOnTheReadPages() throws Exception {
        for (String path : new String[] {"/", "/topology", "/groups", "/groups/1", "/devices/0000:04:00.0"}) {
            String html = page(path);
            assertThat(html.replaceFirst("(?s)<form class=\"logout\".*?</form>", ""))
                    .as(path).doesNotContain("method=\"post\"");
        }
    }

    @Test
    void theAuditPageFiltersByOutcomeAndTimeAndNamesATimeItCannotRead() throws Exception {
        String html = mvc.perform(get("/audit?outcome=REFUSED&from=2000-01-01T00:00&to=nonsense")
                .with(user("auditor").roles("VIEWER"))).andReturn().getResponse().getContentAsString();

        assertThat(html).contains("Not a date and time, ignored: to").contains("value=\"2000-01-01T00:00\"")
                .contains("<option value=\"REFUSED\" selected=\"selected\">");
        String future = mvc.perform(get("/audit?from=2999-01-01T00:00").with(user("auditor").roles("VIEWER")))
                .andReturn().getResponse().getContentAsString();
        assertThat(future).contains("0 events match.");
    }
}
