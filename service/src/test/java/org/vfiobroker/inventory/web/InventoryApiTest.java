package org.vfiobroker.inventory.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.contract.OpenApiContract;
import org.vfiobroker.support.DemoHostTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The inventory API on the demo workstation, every response checked against the contract. */
@DemoHostTest
class InventoryApiTest {

    @Autowired
    MockMvc mvc;

    private final JsonMapper json = JsonMapper.builder().build();

    private JsonNode call(String path, int expectedStatus) throws Exception {
        MvcResult result = mvc.perform(get(path).with(httpBasic("admin", DemoHostTest.ADMIN_PASSWORD))).andReturn();
        String body = result.getResponse().getContentAsString();
        assertThat(result.getResponse().getStatus()).as(body).isEqualTo(expectedStatus);
        assertThat(OpenApiContract.get().violations("GET", path, expectedStatus, body)).isEmpty();
        return json.readTree(body);
    }

    @Test
    void hostSaysGrantsArePossibleOnTheWorkstation() throws Exception {
        JsonNode host = call("/api/v1/host", 200);

        assertThat(host.path("iommu").path("present").asBoolean()).isTrue();
        assertThat(host.path("iommu").path("kind").asString()).isEqualTo("INTEL_VT_D");
        assertThat(host.path("grantsPossible").asBoolean()).isTrue();
        assertThat(host.path("grantBlockers")).isEmpty();
        assertThat(host.path("deviceCount").asInt()).isGreaterThan(10);
    }

    @Test
    void listsDevicesInPagesOrderedByAddress() throws Exception {
        JsonNode first = call("/api/v1/devices?size=5", 200);
        JsonNode second = call("/api/v1/devices?size=5&page=1", 200);

        assertThat(first.path("items")).hasSize(5);
        assertThat(first.path("totalItems").asInt()).isGreaterThan(10);
        assertThat(first.path("totalPages").asInt()).isEqualTo((first.path("totalItems").asInt() + 4) / 5);
        String lastOfFirst = first.path("items").get(4).path("address").asString();
        String firstOfSecond = second.path("items").get(0).path("address").asString();
        assertThat(lastOfFirst).isLessThan(firstOfSecond);
    }

    @Test
    void filtersByClassPrefix() throws Exception {
        JsonNode page = call("/api/v1/devices?class=0200&size=1000", 200);

        assertThat(page.path("items")).isNotEmpty();
        assertThat(page.path("items")).allSatisfy(d -> assertThat(d.path("classCode").asString()).startsWith("0200"));
    }

    @Test
    void filtersVirtualFunctionsByTheirPhysicalFunction() throws Exception {
        JsonNode pfs = call("/api/v1/devices?class=0200&size=1000", 200);
        JsonNode pf = java.util.stream.StreamSupport.stream(pfs.path("items").spliterator(), false)
                .filter(d -> d.has("sriov") && d.path("sriov").path("numVfs").asInt() > 0)
                .findFirst().orElseThrow(() -> new AssertionError("the workstation has an SR-IOV PF with VFs"));

        JsonNode vfs = call("/api/v1/devices?physicalFunction=" + pf.path("address").asString() + "&size=1000", 200);

        assertThat(vfs.path("totalItems").asInt()).isEqualTo(pf.path("sriov").path("numVfs").asInt());
        assertThat(vfs.path("items")).allSatisfy(vf ->
                assertThat(vf.path("physicalFunction").asString()).isEqualTo(pf.path("address").asString()));
    }

    @Test
    void selectsFunctionsWithoutDriver() throws Exception {
        JsonNode page = call("/api/v1/devices?driver=none&size=1000", 200);

        assertThat(page.path("items")).isNotEmpty().allSatisfy(d -> assertThat(d.has("driver")).isFalse());
    }

    @Test
    void showsTheRootDiskAsNeverForciblyInUse() throws Exception {
        JsonNode page = call("/api/v1/devices?class=0108&size=1000", 200);
        JsonNode root = java.util.stream.StreamSupport.stream(page.path("items").spliterator(), false)
                .filter(d -> d.path("holdsRootFilesystem").asBoolean())
                .findFirst().orElseThrow(() -> new AssertionError("the workstation has a disk holding /"));
        assertThat(root.path("inUse")).anySatisfy(r -> {
            assertThat(r.path("kind").asString()).isEqualTo("ROOT_FILESYSTEM");
            assertThat(r.path("forcible").asBoolean()).isFalse();
        });
    }

    @Test
    void returnsOneDeviceWithCapabilities() throws Exception {
        String address = call("/api/v1/devices?class=0300&size=1", 200).path("items").get(0).path("address").asString();

        JsonNode device = call("/api/v1/devices/" + address, 200);

        assertThat(device.path("address").asString()).isEqualTo(address);
        assertThat(device.path("capabilities").path("configSpaceComplete").asBoolean()).isTrue();
        assertThat(device.path("capabilities").path("all")).isNotEmpty();
    }

    @Test
    void explainsWhyTheGpuGroupIsNotViable() throws Exception {
        JsonNode group = call("/api/v1/iommu-groups/1", 200);

        assertThat(group.path("members")).hasSize(2);
        assertThat(group.path("viable").asBoolean()).isFalse();
        assertThat(group.path("blockers")).isNotEmpty()
                .allSatisfy(b -> assertThat(b.path("reason").asString()).contains("vfio-pci"));
    }

    @Test
    void listsAllGroups() throws Exception {
        JsonNode groups = call("/api/v1/iommu-groups", 200);

        assertThat(groups.size()).isGreaterThan(5);
    }

    @Test
    void malformedAddressIsABadRequestStatingTheSyntax() throws Exception {
        JsonNode problem = call("/api/v1/devices/0000:00:1g.0", 400);

        assertThat(problem.path("type").asString()).isEqualTo("urn:vfio-broker:problem:invalid-pci-address");
        assertThat(problem.path("expectedSyntax").asString()).contains("DDDD:BB:DD.F");
    }

    @Test
    void unknownAddressIsNotFound() throws Exception {
        JsonNode problem = call("/api/v1/devices/0000:7f:1f.7", 404);

        assertThat(problem.path("type").asString()).isEqualTo("urn:vfio-broker:problem:device-not-found");
        assertThat(problem.path("address").asString()).isEqualTo("0000:7f:1f.7");
    }

    @Test
    void unknownGroupIsNotFound() throws Exception {
        JsonNode problem = call("/api/v1/iommu-groups/9999", 404);

        assertThat(problem.path("type").asString()).isEqualTo("urn:vfio-broker:problem:iommu-group-not-found");
        assertThat(problem.path("iommuGroup").asInt()).isEqualTo(9999);
    }

    @Test
    void malformedFilterIsABadRequestNamingTheParameter() throws Exception {
        JsonNode problem = call("/api/v1/devices?vendor=80861", 400);

        assertThat(problem.path("type").asString()).isEqualTo("urn:vfio-broker:problem:invalid-request");
        assertThat(problem.path("detail").asString()).contains("vendor");
    }

    @Test
    void pageSizeOutOfRangeIsABadRequest() throws Exception {
        assertThat(call("/api/v1/devices?size=0", 400).path("detail").asString()).contains("size");
        assertThat(call("/api/v1/devices?size=1001", 400).path("detail").asString()).contains("size");
        assertThat(call("/api/v1/devices?page=-1", 400).path("detail").asString()).contains("page");
    }

    @Test
    void nonNumericGroupIsABadRequest() throws Exception {
        call("/api/v1/iommu-groups/abc", 400);
    }

    @Test
    void anonymousRequestIsUnauthorizedWithAChallenge() throws Exception {
        MvcResult result = mvc.perform(get("/api/v1/host")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(401);
        assertThat(result.getResponse().getHeader("WWW-Authenticate")).startsWith("Basic");
        assertThat(OpenApiContract.get().violations("GET", "/api/v1/host", 401,
                result.getResponse().getContentAsString())).isEmpty();
    }

    @Test
    void wrongPasswordIsUnauthorized() throws Exception {
        MvcResult result = mvc.perform(get("/api/v1/host").with(httpBasic("admin", "wrong"))).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(401);
    }

    @Autowired
    org.vfiobroker.inventory.InventoryService inventory;

    @Autowired
    org.vfiobroker.host.HostAgent host;

    @Test
    void aCachedDevicePageIsTheSerializedOneAndFollowsTheInventory() throws Exception {
        org.vfiobroker.inventory.IommuGroup group = inventory.groups().stream()
                .filter(g -> g.takeable().takeable() && !g.viability().viable())
                .findFirst().orElseThrow(() -> new AssertionError("the workstation has a takeable group not on vfio-pci"));
        java.util.List<org.vfiobroker.inventory.PciFunction> members = inventory.members(group);
        String path = "/api/v1/devices?iommuGroup=" + group.id() + "&size=50";
        JsonNode before = call(path, 200);
        assertThat(call(path, 200)).as("served again from the cache").isEqualTo(before);
        MvcResult raw = mvc.perform(get(path).with(httpBasic("admin", DemoHostTest.ADMIN_PASSWORD))).andReturn();
        assertThat(raw.getResponse().getHeader("Content-Length")).as("written as pre-serialized bytes")
                .isEqualTo(String.valueOf(raw.getResponse().getContentAsByteArray().length));
        assertThat(raw.getResponse().getContentType()).startsWith("application/json");
        for (JsonNode item : before.path("items")) {
            assertThat(item).as("the page's item is what GET /devices/{address} serializes")
                    .isEqualTo(call("/api/v1/devices/" + item.path("address").asString(), 200));
        }
        assertThat(before.path("items")).anySatisfy(d -> assertThat(d.path("driver").asString()).isNotEqualTo("vfio-pci"));

        host.bindGroup(group.id());
        try {
            inventory.refreshGroups(java.util.List.of(group.id()));
            JsonNode after = call(path, 200);
            assertThat(after.path("items")).hasSize(before.path("items").size());
            assertThat(after.path("items")).filteredOn(d -> !d.path("classCode").asString().startsWith("06"))
                    .isNotEmpty()
                    .allSatisfy(d -> assertThat(d.path("driver").asString()).isEqualTo("vfio-pci"));
        } finally {
            for (org.vfiobroker.inventory.PciFunction f : members) {
                if (!org.vfiobroker.inventory.DmaOwnershipRule.leftAloneByBind(f)) {
                    host.restore(f.address(), java.util.Optional.ofNullable(f.driver()));
                }
            }
            inventory.refreshGroups(java.util.List.of(group.id()));
        }
        assertThat(call(path, 200)).isEqualTo(before);
    }

    @Autowired
    InventoryController controller;

    @Test
    void aPageServedAgainOnANewSnapshotReplacesItsBytesInTheCacheAccount() throws Exception {
        String path = "/api/v1/devices?size=7&page=1";
        call(path, 200);
        long once = controller.cachedBytes();

        inventory.rescan(); // a new snapshot: the same query is serialized again
        call(path, 200);
        inventory.rescan();
        call(path, 200);

        assertThat(controller.cachedBytes()).as("one page's bytes, not three").isEqualTo(once);
    }
}
