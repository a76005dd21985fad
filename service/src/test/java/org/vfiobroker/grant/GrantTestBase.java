package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.vfiobroker.contract.OpenApiContract;
import org.vfiobroker.host.HostAgent;
import org.vfiobroker.host.MeteredHostAgent;
import org.vfiobroker.host.SimulatedHost;
import org.vfiobroker.support.DemoHostTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo workstation host with the simulated host, the fixed NSS of {@link TestUnixUsers}, and helpers that
 * validate every response against the contract. Groups of the workstation: 1 GPU + audio (viable once bound),
 * 2 boot VGA, 3 NVMe holding /, 4 NVMe on vfio-pci, 10 NIC PF (up), 11-18 its VFs, 20 bridge group, 30 NIC.
 */
@DemoHostTest
@Import(TestUnixUsers.class)
@TestPropertySource(properties = "vfio-broker.grants.reconcile-interval=1h")
public abstract class GrantTestBase {

    protected static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString(
            ("admin:" + DemoHostTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    protected static final long MIB = 1024 * 1024;

    @Autowired
    protected MockMvc mvc;
    @Autowired
    protected HostAgent hostAgent;
    @Autowired
    protected Reconciler reconciler;

    protected final JsonMapper json = JsonMapper.builder().build();

    protected SimulatedHost simulated() {
        return (SimulatedHost) ((MeteredHostAgent) hostAgent).delegate();
    }

    protected record Response(int status, String body) {
        JsonNode json() {
            return JsonMapper.builder().build().readTree(body);
        }

        long id() {
            return json().path("id").asLong();
        }

        String type() {
            return json().path("type").asString();
        }
    }

    protected Response call(MockHttpServletRequestBuilder request) throws Exception {
        MvcResult result = mvc.perform(request).andReturn();
        String method = result.getRequest().getMethod();
        String path = result.getRequest().getRequestURI();
        int status = result.getResponse().getStatus();
        String body = result.getResponse().getContentAsString();
        List<String> violations = OpenApiContract.get().violations(method, path, status, body);
        assertThat(violations).as("%s %s -> %d %s", method, path, status, body).isEmpty();
        return new Response(status, body);
    }

    protected Response get(String path) throws Exception {
        return call(MockMvcRequestBuilders.get(path).header(HttpHeaders.AUTHORIZATION, ADMIN));
    }

    protected Response post(String path, Object body) throws Exception {
        return post(path, ADMIN, body);
    }

    protected Response post(String path, String auth, Object body) throws Exception {
        return call(MockMvcRequestBuilders.post(path).header(HttpHeaders.AUTHORIZATION, auth)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body instanceof String s ? s : json.writeValueAsString(body)));
    }

    protected Response put(String path, Object body) throws Exception {
        return call(MockMvcRequestBuilders.put(path).header(HttpHeaders.AUTHORIZATION, ADMIN)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body instanceof String s ? s : json.writeValueAsString(body)));
    }

    protected Response delete(String path) throws Exception {
        return call(MockMvcRequestBuilders.delete(path).header(HttpHeaders.AUTHORIZATION, ADMIN));
    }

    /** A pool of the workstation's VFs (groups 11-18; those of the NIC 0000:04:00.0). */
    protected String vfPool(String name) throws Exception {
        Response r = post("/api/v1/pools", Map.of("name", name, "selector",
                Map.of("physicalFunctions", List.of("0000:04:00.0"))));
        assertThat(r.status()).as(r.body()).isIn(201, 409);
        return name;
    }

    protected long policy(String pool, String user, int maxGroups, long maxMemlock, long maxLease) throws Exception {
        return created(post("/api/v1/policies", Map.of("pool", pool, "unixUser", user, "maxGroups", maxGroups,
                "maxMemlockBytes", maxMemlock, "maxLeaseSeconds", maxLease))).id();
    }

    protected Response requestGrant(String pool, String user, int count, long memlock, long duration) throws Exception {
        return post("/api/v1/grants", Map.of("unixUser", user, "pool", pool, "count", count, "memlockBytes", memlock,
                "durationSeconds", duration));
    }

    protected Response grantGroups(String user, List<Integer> groups, long memlock) throws Exception {
        return post("/api/v1/grants", Map.of("unixUser", user, "groups", groups, "memlockBytes", memlock,
                "durationSeconds", 3600));
    }

    /** {@link #requestGrant}, which must succeed (201). */
    protected Response granted(String pool, String user, int count, long memlock, long duration) throws Exception {
        return created(requestGrant(pool, user, count, memlock, duration));
    }

    /** {@link #grantGroups}, which must succeed (201). */
    protected Response grantedGroups(String user, List<Integer> groups, long memlock) throws Exception {
        return created(grantGroups(user, groups, memlock));
    }

    private static Response created(Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r;
    }
}
