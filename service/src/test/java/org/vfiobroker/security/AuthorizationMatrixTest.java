package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every role, and no account at all, against every endpoint of the contract and of the actuator: the
 * allowed get a 2xx, the others 403, the anonymous 401 (except the public health summary).
 */
class AuthorizationMatrixTest extends ApiTest {

    private static final List<String> ROLES = List.of("ADMIN", "OPERATOR", "SCHEDULER", "VIEWER");
    private static final Set<String> ALL = Set.of("ADMIN", "OPERATOR", "SCHEDULER", "VIEWER");
    private static final String TARGET = "matrix-target";

    /** Builds the request for a caller (the caller's Authorization header; null when anonymous). */
    @FunctionalInterface
    interface RequestFor {
        MockHttpServletRequestBuilder build(AuthorizationMatrixTest test, String authorization) throws Exception;
    }

    /**
     * @param hostDependent whether success needs host state this machine may lack (an IOMMU, a grant): an allowed
     *                      role must then get past authorization (neither 401 nor 403, no 5xx), not a 2xx
     */
    record Endpoint(String operation, Set<String> allowed, boolean publicSummary, boolean inContract,
                    RequestFor request, boolean hostDependent) {
        Endpoint(String operation, Set<String> allowed, boolean publicSummary, boolean inContract, RequestFor request) {
            this(operation, allowed, publicSummary, inContract, request, false);
        }

        @Override
        public String toString() {
            return operation;
        }
    }

    static List<Endpoint> endpoints() {
        return List.of(
                api("GET /api/v1/host", ALL, (t, a) -> get("/api/v1/host", a)),
                api("GET /api/v1/devices", ALL, (t, a) -> get("/api/v1/devices?size=1", a)),
                api("GET /api/v1/devices/{address}", ALL, (t, a) -> get("/api/v1/devices/" + t.someDevice(), a)),
                api("GET /api/v1/iommu-groups", ALL, (t, a) -> get("/api/v1/iommu-groups", a)),
                api("GET /api/v1/iommu-groups/{id}", ALL, (t, a) -> get("/api/v1/iommu-groups/" + t.someGroup(), a)),
                api("GET /api/v1/accounts", Set.of("ADMIN"), (t, a) -> get("/api/v1/accounts", a)),
                api("POST /api/v1/accounts", Set.of("ADMIN"), (t, a) -> t.post("/api/v1/accounts", a,
                        Map.of("username", uniqueName("matrix"), "password", PASSWORD, "role", "VIEWER"))),
                api("GET /api/v1/accounts/{username}", Set.of("ADMIN"), (t, a) -> get("/api/v1/accounts/" + t.target(), a)),
                api("DELETE /api/v1/accounts/{username}", Set.of("ADMIN"),
                        (t, a) -> delete("/api/v1/accounts/" + t.freshAccount(), a)),
                api("PUT /api/v1/accounts/{username}/role", Set.of("ADMIN"),
                        (t, a) -> t.put("/api/v1/accounts/" + t.target() + "/role", a, Map.of("role", "VIEWER"))),
                api("PUT /api/v1/accounts/{username}/enabled", Set.of("ADMIN"),
                        (t, a) -> t.put("/api/v1/accounts/" + t.target() + "/enabled", a, Map.of("enabled", true))),
                api("PUT /api/v1/accounts/{username}/password", Set.of("ADMIN"),
                        (t, a) -> t.put("/api/v1/accounts/" + t.target() + "/password", a, Map.of("password", PASSWORD))),
                api("GET /api/v1/tokens", ALL, (t, a) -> get("/api/v1/tokens", a)),
                api("POST /api/v1/tokens", ALL, (t, a) -> t.post("/api/v1/tokens", a,
                        Map.of("name", "matrix", "scope", "VIEWER"))),
                api("DELETE /api/v1/tokens/{id}", ALL, (t, a) -> delete("/api/v1/tokens/" + t.ownToken(a), a)),
                api("GET /api/v1/audit/events", Set.of("ADMIN", "OPERATOR", "VIEWER"),
                        (t, a) -> get("/api/v1/audit/events?size=5", a)),
                api("GET /api/v1/audit/verify", Set.of("ADMIN", "OPERATOR", "VIEWER"),
                        (t, a) -> get("/api/v1/audit/verify", a)),
                api("GET /api/v1/pools", ALL, (t, a) -> get("/api/v1/pools", a)),
                api("POST /api/v1/pools", Set.of("ADMIN"), (t, a) -> t.post("/api/v1/pools", a, t.poolBody())),
                api("GET /api/v1/pools/{id}", ALL, (t, a) -> get("/api/v1/pools/" + t.freshPool(), a)),
                api("PUT /api/v1/pools/{id}", Set.of("ADMIN"),
                        (t, a) -> t.put("/api/v1/pools/" + t.freshPool(), a, t.poolBody())),
                api("DELETE /api/v1/pools/{id}", Set.of("ADMIN"), (t, a) -> delete("/api/v1/pools/" + t.freshPool(), a)),
                api("GET /api/v1/policies", ALL, (t, a) -> get("/api/v1/policies", a)),
                api("POST /api/v1/policies", Set.of("ADMIN"), (t, a) -> t.post("/api/v1/policies", a,
                        t.policyBody(t.freshPoolName()))),
                api("GET /api/v1/policies/{id}", ALL, (t, a) -> get("/api/v1/policies/" + t.freshPolicy(), a)),
                api("PUT /api/v1/policies/{id}", Set.of("ADMIN"), (t, a) -> t.put("/api/v1/policies/" + t.freshPolicy(),
                        a, t.policyBody(t.freshPoolName()))),
                api("DELETE /api/v1/policies/{id}", Set.of("ADMIN"),
                        (t, a) -> delete("/api/v1/policies/" + t.freshPolicy(), a)),
                api("GET /api/v1/grants", ALL, (t, a) -> get("/api/v1/grants", a)),
                hostApi("POST /api/v1/grants", GRANTERS, (t, a) -> t.post("/api/v1/grants", a, Map.of("unixUser",
                        "nobody", "pool", t.freshPoolName(), "count", 1, "memlockBytes", 1048576, "durationSeconds", 600))),
                hostApi("GET /api/v1/grants/{id}", ALL, (t, a) -> get("/api/v1/grants/999999", a)),
                hostApi("DELETE /api/v1/grants/{id}", GRANTERS, (t, a) -> delete("/api/v1/grants/999999", a)),
                hostApi("POST /api/v1/grants/{id}/extension", GRANTERS,
                        (t, a) -> t.post("/api/v1/grants/999999/extension", a, Map.of("extendBySeconds", 60))),
                hostApi("POST /api/v1/grants/{id}/processes", GRANTERS,
                        (t, a) -> t.post("/api/v1/grants/999999/processes", a, Map.of("pid", 1))),
                hostApi("GET /api/v1/grants/{id}/usage", ALL, (t, a) -> get("/api/v1/grants/999999/usage", a)),
                hostApi("PUT /api/v1/devices/{address}/sriov", Set.of("ADMIN", "OPERATOR"),
                        (t, a) -> t.put("/api/v1/devices/0000:00:00.0/sriov", a, Map.of("numVfs", 0))),
                new Endpoint("GET /actuator/health", ALL, true, false, (t, a) -> get("/actuator/health", a)),
                new Endpoint("GET /actuator/prometheus", Set.of("ADMIN", "OPERATOR"), false, false,
                        (t, a) -> get("/actuator/prometheus", a)),
                new Endpoint("GET /actuator/info", Set.of("ADMIN"), false, false, (t, a) -> get("/actuator/info", a)));
    }

    private static final Set<String> GRANTERS = Set.of("ADMIN", "OPERATOR", "SCHEDULER");

    private static Endpoint api(String operation, Set<String> allowed, RequestFor request) {
        return new Endpoint(operation, allowed, false, true, request);
    }

    private static Endpoint hostApi(String operation, Set<String> allowed, RequestFor request) {
        return new Endpoint(operation, allowed, false, true, request, true);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : endpoints()) {
            for (String role : ROLES) {
                cases.add(Arguments.of(e, role));
            }
            cases.add(Arguments.of(e, "anonymous"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void eachRoleGetsWhatTheDesignSays(Endpoint endpoint, String role) throws Exception {
        String authorization = "anonymous".equals(role) ? null : as(role);
        MockHttpServletRequestBuilder request = endpoint.request().build(this, authorization);

        int status = endpoint.inContract() ? call(request).status()
                : mvc.perform(request).andReturn().getResponse().getStatus();

        if ("anonymous".equals(role)) {
            assertThat(status).isEqualTo(endpoint.publicSummary() ? 200 : 401);
        } else if (endpoint.allowed().contains(role) && endpoint.hostDependent()) {
            assertThat(status).isBetween(200, 499).isNotIn(401, 403);
        } else if (endpoint.allowed().contains(role)) {
            assertThat(status).isBetween(200, 299);
        } else {
            assertThat(status).isEqualTo(403);
        }
    }

    @Test
    void theMatrixCoversEveryOperationOfTheContract() throws Exception {
        Set<String> operations = new TreeSet<>();
        try (InputStream in = getClass().getResourceAsStream("/openapi/openapi.yaml")) {
            JsonNode paths = YAMLMapper.builder().build().readTree(in).path("paths");
            for (String path : paths.propertyNames()) {
                for (String method : paths.path(path).propertyNames()) {
                    if (!"parameters".equals(method)) {
                        operations.add(method.toUpperCase() + " " + path);
                    }
                }
            }
        }
        Set<String> covered = new TreeSet<>();
        endpoints().stream().filter(Endpoint::inContract).forEach(e -> covered.add(e.operation()));

        assertThat(covered).as("add new operations to the authorization matrix").isEqualTo(operations);
    }

    private String target() throws Exception {
        if (call(get("/api/v1/accounts/" + TARGET, admin())).status() == 404) {
            createAccount(TARGET, "VIEWER");
        }
        return TARGET;
    }

    private String freshAccount() throws Exception {
        String name = uniqueName("doomed");
        createAccount(name, "VIEWER");
        return name;
    }

    private long ownToken(String authorization) throws Exception {
        // The anonymous and the forbidden need some token id; an admin's will do.
        Response r = call(post("/api/v1/tokens", authorization == null ? admin() : authorization,
                Map.of("name", "to revoke", "scope", "VIEWER")));
        return r.json().path("details").path("id").asLong();
    }

    private Map<String, Object> poolBody() {
        return Map.of("name", uniqueName("matrix-pool"), "selector", Map.of("classPrefixes", List.of("02")));
    }

    private String freshPoolName() throws Exception {
        Response r = call(post("/api/v1/pools", admin(), poolBody()));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("name").asString();
    }

    private long freshPool() throws Exception {
        Response r = call(post("/api/v1/pools", admin(), poolBody()));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asLong();
    }

    private Map<String, Object> policyBody(String pool) {
        // nobody (uid 65534) resolves through the real NSS on any Debian machine.
        return Map.of("pool", pool, "unixUser", "nobody", "maxGroups", 1, "maxMemlockBytes", 1048576,
                "maxLeaseSeconds", 3600);
    }

    private long freshPolicy() throws Exception {
        Response r = call(post("/api/v1/policies", admin(), policyBody(freshPoolName())));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asLong();
    }

    private String someDevice() throws Exception {
        JsonNode items = call(get("/api/v1/devices?size=1", admin())).json().path("items");
        org.junit.jupiter.api.Assumptions.assumeTrue(!items.isEmpty(), "this machine shows no PCI function");
        return items.get(0).path("address").asString();
    }

    private int someGroup() throws Exception {
        JsonNode groups = call(get("/api/v1/iommu-groups", admin())).json();
        org.junit.jupiter.api.Assumptions.assumeTrue(!groups.isEmpty(), "this machine has no IOMMU group");
        return groups.get(0).path("id").asInt();
    }
}
