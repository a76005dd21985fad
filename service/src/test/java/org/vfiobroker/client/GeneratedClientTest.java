package org.vfiobroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.vfiobroker.client.api.GrantsApi;
import org.vfiobroker.client.api.InventoryApi;
import org.vfiobroker.client.api.PoliciesApi;
import org.vfiobroker.client.api.PoolsApi;
import org.vfiobroker.client.api.TokensApi;
import org.vfiobroker.client.model.Device;
import org.vfiobroker.client.model.Grant;
import org.vfiobroker.client.model.GrantRequest;
import org.vfiobroker.client.model.GrantState;
import org.vfiobroker.client.model.PolicyInput;
import org.vfiobroker.client.model.PoolInput;
import org.vfiobroker.client.model.PoolSelector;
import org.vfiobroker.client.model.Role;
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

    /**
     * A scheduler's whole round with its own client: an administrator sets up a pool and a policy, the
     * scheduler (a SCHEDULER-scoped token) asks for groups for a real Unix user resolved through NSS
     * ({@code nobody}, present on every Debian system), retries with the same Idempotency-Key, reads the
     * usage and revokes.
     */
    @Test
    void aSchedulerGrantsAndRevokesGroupsForARealUnixUser() throws Exception {
        new PoolsApi(basic).createPool(new PoolInput().name("igb-vfs")
                .selector(new PoolSelector().physicalFunctions(java.util.List.of("0000:04:00.0"))));
        new PoliciesApi(basic).createPolicy(new PolicyInput().pool("igb-vfs").unixUser("nobody").maxGroups(2)
                .maxMemlockBytes(1L << 30).maxLeaseSeconds(3600L));
        String token = new TokensApi(basic).createToken(new TokenCreation().name("scheduler").scope(Role.SCHEDULER)
                .expiresInDays(1)).getToken();
        GrantsApi scheduler = new GrantsApi(new ApiClient().setScheme("http").setHost("127.0.0.1").setPort(port)
                .setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token)));
        GrantRequest request = new GrantRequest().unixUser("nobody").pool("igb-vfs").count(2)
                .memlockBytes(256L << 20).durationSeconds(600L);

        Grant grant = scheduler.createGrant(request, "job-4711");
        Grant retry = scheduler.createGrant(request, "job-4711");

        assertThat(grant.getState()).isEqualTo(GrantState.ACTIVE);
        assertThat(grant.getUid()).isEqualTo(65534L);
        assertThat(grant.getGroups()).hasSize(2);
        assertThat(retry.getId()).isEqualTo(grant.getId());
        assertThatThrownBy(() -> scheduler.createGrant(request.count(1), "job-4712"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("urn:vfio-broker:problem:quota-exceeded");
                });
        assertThat(scheduler.getGrantUsage(grant.getId()).getMemlockBytes()).isEqualTo(256L << 20);

        Grant revoked = scheduler.revokeGrant(grant.getId(), null);

        assertThat(revoked.getState()).isIn(GrantState.RELEASED, GrantState.RELEASING);
        assertThat(scheduler.getGrant(grant.getId()).getState()).isEqualTo(GrantState.RELEASED);
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
