package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vfiobroker.host.DeviceNode;

class GrantLifecycleTest extends GrantTestBase {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MeterRegistry meters;

    @Test
    void activatesANamedGroupAndReleasesItBackToTheHost() throws Exception {
        Response created = grantedGroups("alice", List.of(1), 64 * MIB);
        assertThat(created.json().path("state").asString()).isEqualTo("ACTIVE");
        DeviceNode node = hostAgent.groupNode(1).orElseThrow();
        assertThat(node.uid()).isEqualTo(2001);
        assertThat(node.mode()).isEqualTo(0600);
        assertThat(simulated().userMemlock("alice")).contains(64 * MIB);

        Response revoked = delete("/api/v1/grants/" + created.id());

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().path("state").asString()).isEqualTo("RELEASED");
        assertThat(simulated().userMemlock("alice")).isEmpty();
        assertThat(hostAgent.inspectGroup(1).members()).filteredOn(m -> m.address().equals("0000:01:00.1"))
                .extracting(m -> m.driver()).containsExactly("snd_hda_intel");
    }

    @Test
    void refusesASecondGrantOfAHeldGroup() throws Exception {
        Response first = grantedGroups("bob", List.of(20), 16 * MIB);

        Response second = grantGroups("carol", List.of(20), 16 * MIB);

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.type()).isEqualTo("urn:vfio-broker:problem:already-granted");
        assertThat(second.json().path("grantId").asLong()).isEqualTo(first.id());
        delete("/api/v1/grants/" + first.id());
    }

    @Test
    void allocatesFromAPoolWithinPolicy() throws Exception {
        String pool = vfPool("vfs-lifecycle");
        policy(pool, "carol", 2, 256 * MIB, 7200);

        Response r = granted(pool, "carol", 2, 64 * MIB, 600);
        assertThat(r.json().path("groups")).hasSize(2);
        Response over = requestGrant(pool, "carol", 1, 64 * MIB, 600);
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.type()).isEqualTo("urn:vfio-broker:problem:quota-exceeded");
        delete("/api/v1/grants/" + r.id());
    }

    @Test
    void aPreferredNumaNodeFallsBackToAnotherNodeARequiredOneDoesNot() throws Exception {
        String pool = vfPool("vfs-numa"); // the workstation's VFs are all on NUMA node 0
        policy(pool, "u41", 4, 256 * MIB, 7200);

        Response required = numaGrant(pool, "u41", 1, "REQUIRED");
        assertThat(required.status()).as(required.body()).isEqualTo(409);
        assertThat(required.type()).isEqualTo("urn:vfio-broker:problem:no-group-available");
        assertThat(required.json().path("detail").asString()).contains("on NUMA node 1");

        Response preferred = numaGrant(pool, "u41", 1, "PREFERRED");
        assertThat(preferred.status()).as(preferred.body()).isEqualTo(201);
        assertThat(preferred.json().path("groups").get(0).path("numaNode").asInt()).isZero();

        Response onItsNode = numaGrant(pool, "u41", 0, "REQUIRED");
        assertThat(onItsNode.status()).as(onItsNode.body()).isEqualTo(201);
        assertThat(onItsNode.json().path("groups").get(0).path("numaNode").asInt()).isZero();
        assertThat(onItsNode.json().path("groups").get(0).path("iommuGroup").asInt())
                .isNotEqualTo(preferred.json().path("groups").get(0).path("iommuGroup").asInt());
        delete("/api/v1/grants/" + preferred.id());
        delete("/api/v1/grants/" + onItsNode.id());
    }

    private Response numaGrant(String pool, String user, int node, String policy) throws Exception {
        return post("/api/v1/grants", Map.of("unixUser", user, "pool", pool, "count", 1, "memlockBytes", 16 * MIB,
                "durationSeconds", 600, "numaNode", node, "numaPolicy", policy));
    }

    @Test
    void aGrantNamesItsPoolAsThePoolIsNamedNow() throws Exception {
        String pool = vfPool("vfs-before-rename");
        policy(pool, "u43", 1, 64 * MIB, 3600);
        Response granted = granted(pool, "u43", 1, 16 * MIB, 600);
        assertThat(granted.json().path("pool").asString()).isEqualTo(pool);
        long poolId = json.readTree(get("/api/v1/pools").body()).valueStream()
                .filter(p -> p.path("name").asString().equals(pool)).findFirst().orElseThrow().path("id").asLong();

        Response renamed = put("/api/v1/pools/" + poolId, Map.of("name", "vfs-after-rename", "selector",
                Map.of("physicalFunctions", List.of("0000:04:00.0"))));

        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(get("/api/v1/grants/" + granted.id()).json().path("pool").asString()).isEqualTo("vfs-after-rename");
        assertThat(get("/api/v1/grants?unixUser=u43").json()).isNotEmpty()
                .allSatisfy(g -> assertThat(g.path("pool").asString()).isEqualTo("vfs-after-rename"));
        assertThat(delete("/api/v1/grants/" + granted.id()).json().path("pool").asString())
                .isEqualTo("vfs-after-rename");
    }

    @Test
    void aRefusalIsAnsweredRecordedAndCounted() throws Exception {
        String pool = vfPool("vfs-no-policy"); // no policy lets u42 receive from it
        double before = refusals("policy-denied");

        Response r = requestGrant(pool, "u42", 1, 16 * MIB, 600);

        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.type()).isEqualTo("urn:vfio-broker:problem:policy-denied");
        assertThat(r.json().path("pool").asString()).isEqualTo(pool);
        assertThat(jdbc.queryForList("SELECT details FROM audit_event WHERE action = 'grant.refuse'"
                + " AND target = 'unix-user:u42' AND outcome = 'REFUSED'", String.class))
                .singleElement().asString().startsWith("policy-denied: No policy lets Unix user 'u42'");
        assertThat(refusals("policy-denied")).isEqualTo(before + 1);
    }

    private double refusals(String reason) {
        Counter c = meters.find("vfio.broker.grant.refusals").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void refusesTheGroupHoldingTheRootFilesystem() throws Exception {
        Response r = grantGroups("alice", List.of(3), 16 * MIB);

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.type()).isEqualTo("urn:vfio-broker:problem:group-in-use");
        assertThat(r.json().path("inUseBy")).isNotEmpty();
    }

    @Test
    void namesEveryInvalidFieldOfTheBodyAndTheHeader() throws Exception {
        Response r = call(MockMvcRequestBuilders.post("/api/v1/grants").header(HttpHeaders.AUTHORIZATION, ADMIN)
                .header("Idempotency-Key", "k".repeat(129)).contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Map.of("unixUser", "alice", "pool", "any", "count", 0,
                        "memlockBytes", 1, "durationSeconds", 600))));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.type()).isEqualTo("urn:vfio-broker:problem:invalid-request");
        assertThat(r.json().path("detail").asString()).contains("count: must be greater than or equal to 1 (got '0')",
                "memlockBytes: must be greater than or equal to 1024 (got '1')", "idempotencyKey: size must be between");
        assertThat(r.json().path("field").asString()).isIn("count", "memlockBytes");

        Response body = post("/api/v1/grants", Map.of("unixUser", "alice", "pool", "any", "count", 1,
                "memlockBytes", MIB, "durationSeconds", 59));
        assertThat(body.status()).isEqualTo(400);
        assertThat(body.json().path("detail").asString())
                .isEqualTo("durationSeconds: must be greater than or equal to 60 (got '59')");
        assertThat(body.json().path("field").asString()).isEqualTo("durationSeconds");
    }

    @Test
    void refusesRoot() throws Exception {
        Response r = post("/api/v1/grants", Map.of("unixUser", "root", "groups", List.of(30), "memlockBytes", MIB,
                "durationSeconds", 600));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.type()).isEqualTo("urn:vfio-broker:problem:unix-user-not-allowed");
    }
}
