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

    record Endpoint(String operation, Set<String> allowed, boolean publicSummary, boolean inContract,
                    RequestFor request) {
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
                new Endpoint("GET /actuator/health", ALL, true, false, (t, a) -> get("/actuator/health", a)),
                new Endpoint("GET /actuator/prometheus", Set.of("ADMIN", "OPERATOR"), false, false,
                        (t, a) -> get("/actuator/prometheus", a)),
                new Endpoint("GET /actuator/info", Set.of("ADMIN"), false, false, (t, a) -> get("/actuator/info", a)));
    }

    private static Endpoint api(String operation, Set<String> allowed, RequestFor request) {
        return new Endpoint(operation, allowed, false, true, request);
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
