package org.vfiobroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.vfiobroker.client.api.InventoryApi;
import org.vfiobroker.client.api.TokensApi;
import org.vfiobroker.client.model.Device;
import org.vfiobroker.client.model.DevicePage;
import org.vfiobroker.client.model.Host;
import org.vfiobroker.client.model.TokenCreation;

/**
 * The client generated from {@code api-spec/openapi.yaml} (module {@code api-client}) against the real
 * server on a random port: what the contract promises, a client built from it can use.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "vfio-broker.data-dir=target/test-data/${random.uuid}",
        "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
        "vfio-broker.security.initial-admin-password=" + GeneratedClientTest.PASSWORD})
@ActiveProfiles("demo")
class GeneratedClientTest {

    static final String PASSWORD = "client-test-password";

    @LocalServerPort
    int port;

    ApiClient basic;

    @BeforeEach
    void client() {
        basic = new ApiClient().setScheme("http").setHost("127.0.0.1").setPort(port)
                .setRequestInterceptor(b -> b.header("Authorization", "Basic "
                        + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes())));
    }

    @Test
    void readsTheHostAndPagesOfDevices() throws Exception {
        InventoryApi inventory = new InventoryApi(basic);

        Host host = inventory.getHost();
        DevicePage page = inventory.listDevices(null, null, "02", null, null, null, null, 0, 5);

        assertThat(host.getGrantsPossible()).isTrue();
        assertThat(page.getItems()).isNotEmpty().allSatisfy(d -> assertThat(d.getClassCode()).startsWith("02"));
    }

    @Test
    void aBearerTokenFromTheApiAuthenticatesTheClient() throws Exception {
        String token = new TokensApi(basic).createToken(new TokenCreation().name("client test").expiresInDays(1))
                .getToken();
        ApiClient bearer = new ApiClient().setScheme("http").setHost("127.0.0.1").setPort(port)
                .setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));

        Device device = new InventoryApi(bearer).getDevice("0000:00:01.0");

        assertThat(device.getAddress()).isEqualTo("0000:00:01.0");
    }

    @Test
    void problemsArriveAsApiExceptionsWithTheProblemBody() {
        InventoryApi inventory = new InventoryApi(basic);

        assertThatThrownBy(() -> inventory.getDevice("0000:00:1g.0"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("urn:vfio-broker:problem:invalid-pci-address");
                });
    }
}
