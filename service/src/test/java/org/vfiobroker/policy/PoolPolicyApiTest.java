package org.vfiobroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfiobroker.grant.GrantTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Pools and policies through the API: what a change answers is what a later read finds (every change is
 * written, none is left to someone else to save), and a name or subject taken twice answers 409 with the
 * service's own message. Names start with {@code pp-}: the context, and its database, are shared with the
 * grant tests.
 */
class PoolPolicyApiTest extends GrantTestBase {

    @Test
    void aPoolChangeIsWhatALaterReadFinds() throws Exception {
        JsonNode made = created(post("/api/v1/pools", Map.of("name", "pp-first", "description", "before",
                "selector", Map.of("classPrefixes", List.of("02")))));
        long id = made.path("id").asLong();

        Response updated = put("/api/v1/pools/" + id, Map.of("name", "pp-renamed", "description", "after",
                "selector", Map.of("vendorDevices", List.of("8086:*"), "addresses", List.of("0000:04:00.0"),
                        "physicalFunctions", List.of("0000:04:00.0"))));

        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        JsonNode read = tree(get("/api/v1/pools/" + id));
        assertThat(read.path("name").asString()).isEqualTo("pp-renamed");
        assertThat(read.path("description").asString()).isEqualTo("after");
        assertThat(strings(read.path("selector").path("vendorDevices"))).containsExactly("8086:*");
        assertThat(strings(read.path("selector").path("classPrefixes"))).isEmpty();
        assertThat(strings(read.path("selector").path("addresses"))).containsExactly("0000:04:00.0");
        assertThat(strings(read.path("selector").path("physicalFunctions"))).containsExactly("0000:04:00.0");
        assertThat(read.path("createdAt").asString()).isEqualTo(made.path("createdAt").asString());
        assertThat(read.path("updatedAt").asString()).isEqualTo(tree(updated).path("updatedAt").asString());
        List<String> names = new ArrayList<>();
        tree(get("/api/v1/pools")).forEach(p -> names.add(p.path("name").asString()));
        assertThat(names).contains("pp-renamed").doesNotContain("pp-first").isSorted();
    }

    @Test
    void aPoolNameIsTakenOnce() throws Exception {
        created(post("/api/v1/pools", pool("pp-taken")));
        long other = created(post("/api/v1/pools", pool("pp-other"))).path("id").asLong();

        Response again = post("/api/v1/pools", pool("pp-taken"));
        Response renamed = put("/api/v1/pools/" + other, pool("pp-taken"));

        for (Response r : List.of(again, renamed)) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(tree(r).path("type").asString()).isEqualTo("urn:vfio-broker:problem:pool-exists");
            assertThat(tree(r).path("detail").asString())
                    .isEqualTo("A pool named 'pp-taken' exists already; choose another name");
        }
        assertThat(tree(get("/api/v1/pools/" + other)).path("name").asString()).isEqualTo("pp-other");
    }

    @Test
    void aPoolNamedByAPolicyStaysUntilThePolicyGoes() throws Exception {
        long pool = created(post("/api/v1/pools", pool("pp-used"))).path("id").asLong();
        long policy = policy("pp-used", "alice", 1, MIB, 600);

        Response inUse = delete("/api/v1/pools/" + pool);

        assertThat(inUse.status()).as(inUse.body()).isEqualTo(409);
        assertThat(tree(inUse).path("detail").asString()).isEqualTo(
                "Pool 'pp-used' is named by policies; delete or change them first (GET /api/v1/policies)");
        assertThat(delete("/api/v1/policies/" + policy).status()).isEqualTo(204);
        assertThat(get("/api/v1/policies/" + policy).status()).isEqualTo(404);
        assertThat(delete("/api/v1/pools/" + pool).status()).isEqualTo(204);
        Response gone = get("/api/v1/pools/" + pool);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(tree(gone).path("detail").asString()).isEqualTo("No pool " + pool + "; GET /api/v1/pools lists them");
    }

    @Test
    void aPolicyChangeIsWhatALaterReadFinds() throws Exception {
        created(post("/api/v1/pools", pool("pp-from")));
        long to = created(post("/api/v1/pools", pool("pp-to"))).path("id").asLong();
        long id = policy("pp-from", "alice", 1, MIB, 600);
        JsonNode before = tree(get("/api/v1/policies/" + id));

        Response updated = put("/api/v1/policies/" + id, Map.of("pool", "pp-to", "unixGroup", "hpc", "maxGroups", 3,
                "maxMemlockBytes", 2 * MIB, "maxLeaseSeconds", 7200, "revokeOnExcess", true));

        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        JsonNode read = tree(get("/api/v1/policies/" + id));
        assertThat(read.path("pool").asString()).isEqualTo("pp-to");
        assertThat(read.path("poolId").asLong()).isEqualTo(to);
        assertThat(read.path("unixGroup").asString()).isEqualTo("hpc");
        assertThat(read.has("unixUser")).isFalse();
        assertThat(read.path("maxGroups").asInt()).isEqualTo(3);
        assertThat(read.path("maxMemlockBytes").asLong()).isEqualTo(2 * MIB);
        assertThat(read.path("maxLeaseSeconds").asLong()).isEqualTo(7200);
        assertThat(read.path("revokeOnExcess").asBoolean()).isTrue();
        assertThat(read.path("createdAt").asString()).isEqualTo(before.path("createdAt").asString());
        assertThat(read.path("updatedAt").asString()).isEqualTo(tree(updated).path("updatedAt").asString());
    }

    @Test
    void aPolicyForAPoolAndSubjectIsMadeOnce() throws Exception {
        created(post("/api/v1/pools", pool("pp-once")));
        policy("pp-once", "alice", 1, MIB, 600);
        long carol = policy("pp-once", "carol", 1, MIB, 600);

        Response again = post("/api/v1/policies", Map.of("pool", "pp-once", "unixUser", "alice", "maxGroups", 2,
                "maxMemlockBytes", MIB, "maxLeaseSeconds", 600));
        Response changed = put("/api/v1/policies/" + carol, Map.of("pool", "pp-once", "unixUser", "alice",
                "maxGroups", 2, "maxMemlockBytes", MIB, "maxLeaseSeconds", 600));

        for (Response r : List.of(again, changed)) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(tree(r).path("type").asString()).isEqualTo("urn:vfio-broker:problem:policy-exists");
            assertThat(tree(r).path("detail").asString()).isEqualTo(
                    "A policy for this pool and this Unix user or group exists already; change it instead (PUT)");
        }
        JsonNode kept = tree(get("/api/v1/policies/" + carol));
        assertThat(kept.path("unixUser").asString()).isEqualTo("carol");
        assertThat(kept.path("maxGroups").asInt()).isEqualTo(1);
    }

    @Test
    void policiesAreListedByPoolNameThenKindThenSubject() throws Exception {
        created(post("/api/v1/pools", pool("pp-list-b")));
        created(post("/api/v1/pools", pool("pp-list-a")));
        policy("pp-list-b", "alice", 1, MIB, 600);
        policy("pp-list-a", "carol", 1, MIB, 600);
        Response group = post("/api/v1/policies", Map.of("pool", "pp-list-a", "unixGroup", "hpc", "maxGroups", 1,
                "maxMemlockBytes", MIB, "maxLeaseSeconds", 600));
        assertThat(group.status()).as(group.body()).isEqualTo(201);
        policy("pp-list-a", "bob", 1, MIB, 600);

        List<String> listed = new ArrayList<>();
        tree(get("/api/v1/policies")).forEach(p -> {
            if (p.path("pool").asString().startsWith("pp-list-")) {
                listed.add(p.path("pool").asString() + " " + (p.has("unixUser") ? "user " + p.path("unixUser").asString()
                        : "group " + p.path("unixGroup").asString()));
            }
        });

        assertThat(listed).containsExactly("pp-list-a group hpc", "pp-list-a user bob", "pp-list-a user carol",
                "pp-list-b user alice");
    }

    @Test
    void aPoolHoldsTheLongestSelectorTheApiAccepts() throws Exception {
        Map<String, List<String>> lists = Map.of(
                "vendorDevices", entries(i -> String.format("%04x:%04x", 0x8000 + i, 0x1000 + i)),
                "classPrefixes", entries(i -> String.format("%06x", 0x020000 + i)),
                "addresses", entries(i -> String.format("0000:%02x:%02x.0", i / 32, i % 32)),
                "physicalFunctions", entries(i -> String.format("0000:%02x:%02x.0", 0x40 + i / 32, i % 32)));

        JsonNode made = created(post("/api/v1/pools", Map.of("name", "pp-longest", "selector", lists)));
        Response again = put("/api/v1/pools/" + made.path("id").asLong(), Map.of("name", "pp-longest",
                "selector", lists));

        assertThat(again.status()).as(again.body()).isEqualTo(200);
        JsonNode read = tree(get("/api/v1/pools/" + made.path("id").asLong())).path("selector");
        lists.forEach((field, entries) -> assertThat(strings(read.path(field))).as(field).isEqualTo(entries));
        Response tooMany = post("/api/v1/pools", Map.of("name", "pp-too-many", "selector",
                Map.of("vendorDevices", entries(i -> String.format("%04x:%04x", 0x9000, i), 257))));
        assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(400);
        assertThat(tree(tooMany).path("detail").asString()).contains("at most 256 entries (got 257)");
    }

    private static List<String> entries(java.util.function.IntFunction<String> entry) {
        return entries(entry, 256);
    }

    private static List<String> entries(java.util.function.IntFunction<String> entry, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(entry.apply(i));
        }
        return out;
    }

    private static Map<String, Object> pool(String name) {
        return Map.of("name", name, "selector", Map.of("classPrefixes", List.of("02")));
    }

    private JsonNode created(Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return tree(r);
    }

    private JsonNode tree(Response r) {
        return json.readTree(r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }
}
