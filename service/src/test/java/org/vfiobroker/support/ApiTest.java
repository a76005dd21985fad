package org.vfiobroker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.vfiobroker.contract.OpenApiContract;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the full-context API tests: the real filter chains and services on an in-memory H2 with the real
 * migrations, on the {@code demo} profile's sample workstation (a fixture tree, simulated host).
 * Every response checked with {@link #call} is validated against {@code openapi.yaml}.
 */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:vfio-broker-test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000",
        "vfio-broker.security.initial-admin-password=" + ApiTest.ADMIN_PASSWORD,
        "vfio-broker.data-dir=target/test-data/accounts-${random.uuid}",
        "vfio-broker.security.throttle.max-failures-per-username=3",
        "vfio-broker.security.throttle.max-failures-per-address=1000",
})
@AutoConfigureMockMvc
@ActiveProfiles("demo")
public abstract class ApiTest {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Map<String, String> ROLE_ACCOUNTS = new ConcurrentHashMap<>();

    @Autowired
    protected MockMvc mvc;

    protected final JsonMapper json = JsonMapper.builder().build();

    /** A fresh account name for one test. */
    protected static String uniqueName(String stem) {
        return stem + "-" + NAMES.incrementAndGet();
    }

    /** Basic credentials of the given account. */
    protected static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    protected static String admin() {
        return basic(ADMIN, ADMIN_PASSWORD);
    }

    /** Basic credentials of an account with this role, created on first use (password {@link #PASSWORD}). */
    protected String as(String role) throws Exception {
        if ("ADMIN".equals(role)) {
            return admin();
        }
        String name = ROLE_ACCOUNTS.computeIfAbsent(role, r -> "role-" + r.toLowerCase());
        if (mvc.perform(MockMvcRequestBuilders.get("/api/v1/accounts/" + name).header(HttpHeaders.AUTHORIZATION, admin()))
                .andReturn().getResponse().getStatus() == 404) {
            createAccount(name, role);
        }
        return basic(name, PASSWORD);
    }

    protected void createAccount(String name, String role) throws Exception {
        Response r = call(post("/api/v1/accounts", admin(),
                Map.of("username", name, "password", PASSWORD, "role", role)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    protected static MockHttpServletRequestBuilder get(String path, String authorization) {
        return withAuth(MockMvcRequestBuilders.get(path), authorization);
    }

    protected static MockHttpServletRequestBuilder delete(String path, String authorization) {
        return withAuth(MockMvcRequestBuilders.delete(path), authorization);
    }

    protected MockHttpServletRequestBuilder post(String path, String authorization, Object body) {
        return withAuth(MockMvcRequestBuilders.post(path), authorization)
                .contentType(MediaType.APPLICATION_JSON).content(body instanceof String s ? s : json.writeValueAsString(body));
    }

    protected MockHttpServletRequestBuilder put(String path, String authorization, Object body) {
        return withAuth(MockMvcRequestBuilders.put(path), authorization)
                .contentType(MediaType.APPLICATION_JSON).content(body instanceof String s ? s : json.writeValueAsString(body));
    }

    private static MockHttpServletRequestBuilder withAuth(MockHttpServletRequestBuilder b, String authorization) {
        return authorization == null ? b : b.header(HttpHeaders.AUTHORIZATION, authorization);
    }

    /** The same request sent by {@code n} threads at once (released together), answers in order of sending. */
    protected List<Response> concurrently(int n, Supplier<MockHttpServletRequestBuilder> request)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MockHttpServletRequestBuilder built = request.get();
                answers.add(threads.submit(() -> {
                    start.await();
                    return call(built);
                }));
            }
            start.countDown();
            List<Response> out = new ArrayList<>();
            for (Future<Response> a : answers) {
                out.add(a.get());
            }
            return out;
        } finally {
            threads.shutdown();
        }
    }

    /** Performs the request and checks the response against the contract. */
    protected Response call(MockHttpServletRequestBuilder request) throws Exception {
        MvcResult result = mvc.perform(request).andReturn();
        String method = result.getRequest().getMethod();
        String path = result.getRequest().getRequestURI();
        int status = result.getResponse().getStatus();
        String body = result.getResponse().getContentAsString();
        List<String> violations = OpenApiContract.get().violations(method, path, status, body);
        assertThat(violations).as("%s %s -> %d %s", method, path, status, body).isEmpty();
        return new Response(status, body, result);
    }

    /** A response: status, body and, parsed, its JSON. */
    protected record Response(int status, String body, MvcResult result) {
        public JsonNode json() {
            return JsonMapper.builder().build().readTree(body);
        }

        public String header(String name) {
            return result.getResponse().getHeader(name);
        }
    }
}
