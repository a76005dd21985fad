package org.vfiobroker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MvcResult;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

class ActuatorTest extends ApiTest {

    @Test
    void theHealthSummaryIsPublicWithoutDetails() throws Exception {
        MvcResult r = mvc.perform(get("/actuator/health", null)).andReturn();

        JsonNode health = json.readTree(r.getResponse().getContentAsString());
        assertThat(r.getResponse().getStatus()).isEqualTo(200);
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.has("components")).isFalse();
    }

    @Test
    void anAccountSeesTheIommuAndDatabaseDetails() throws Exception {
        MvcResult r = mvc.perform(get("/actuator/health", as("VIEWER"))).andReturn();

        JsonNode components = json.readTree(r.getResponse().getContentAsString()).path("components");
        assertThat(components.path("db").path("status").asString()).isEqualTo("UP");
        JsonNode iommu = components.path("iommu");
        assertThat(iommu.path("status").asString()).isEqualTo("UP");
        assertThat(iommu.path("details").has("grantsPossible")).isTrue();
        assertThat(iommu.path("details").path("grantBlockers").isArray()).isTrue();
    }

    @Test
    void prometheusShowsTheLoginCounters() throws Exception {
        mvc.perform(get("/api/v1/host", basic("nobody-at-all", "wrong password"))).andReturn();

        MvcResult r = mvc.perform(get("/actuator/prometheus", as("OPERATOR"))).andReturn();

        assertThat(r.getResponse().getStatus()).isEqualTo(200);
        assertThat(r.getResponse().getContentAsString())
                .contains("vfio_broker_logins_total{method=\"basic\",outcome=\"failure\"}")
                .contains("vfio_broker_logins_total{method=\"basic\",outcome=\"success\"}");
    }
}
