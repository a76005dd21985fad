package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

class AccountApiTest extends ApiTest {

    @Test
    void createsAnAccountThatCanLogIn() throws Exception {
        String name = uniqueName("alice");
        Response created = call(post("/api/v1/accounts", admin(),
                Map.of("username", name, "password", PASSWORD, "role", "VIEWER", "displayName", "Alice A.")));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("username").asString()).isEqualTo(name);
        assertThat(created.json().path("role").asString()).isEqualTo("VIEWER");
        assertThat(created.json().path("displayName").asString()).isEqualTo("Alice A.");
        assertThat(created.body()).doesNotContain("password");
        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(200);
        JsonNode stored = call(get("/api/v1/accounts/" + name, admin())).json();
        assertThat(stored.path("displayName").asString()).isEqualTo("Alice A.");
        assertThat(stored.path("enabled").asBoolean()).isTrue();
        assertThat(time(stored, "createdAt")).isEqualTo(time(created.json(), "createdAt"))
                .isEqualTo(time(stored, "updatedAt"));
    }

    private static Instant time(JsonNode account, String field) {
        return Instant.parse(account.path(field).asString());
    }

    @Test
    void refusesADuplicateName() throws Exception {
        String name = uniqueName("dup");
        createAccount(name, "VIEWER");

        Response again = call(post("/api/v1/accounts", admin(), Map.of("username", name, "password", PASSWORD,
                "role", "VIEWER")));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:account-exists");
    }

    @Test
    void ofConcurrentCreationsOfOneNameOneSucceedsAndTheOthersAreToldItExists() throws Exception {
        String name = uniqueName("race");

        List<Response> answers = concurrently(6, () -> post("/api/v1/accounts", admin(), Map.of("username", name,
                "password", PASSWORD, "role", "VIEWER")));

        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() != 201).allSatisfy(r -> {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:account-exists");
        });
    }

    static Stream<Arguments> badAccounts() {
        return Stream.of(
                Arguments.of("empty name", "", PASSWORD, "VIEWER", "username"),
                Arguments.of("one-letter name", "a", PASSWORD, "VIEWER", "username"),
                Arguments.of("too long name", "a".repeat(33), PASSWORD, "VIEWER", "username"),
                Arguments.of("upper case", "Alice", PASSWORD, "VIEWER", "username"),
                Arguments.of("starts with a digit", "1alice", PASSWORD, "VIEWER", "username"),
                Arguments.of("space in name", "al ice", PASSWORD, "VIEWER", "username"),
                Arguments.of("slash in name", "al/ice", PASSWORD, "VIEWER", "username"),
                Arguments.of("empty password", "bob", "", "VIEWER", "password"),
                Arguments.of("short password", "bob", "short-pw", "VIEWER", "password"),
                Arguments.of("too long password", "bob", "x1y2".repeat(17), "VIEWER", "password"),
                Arguments.of("password over 72 bytes", "bob", "ä".repeat(40), "VIEWER", "password"),
                Arguments.of("password with a line break", "bob", "correct horse\nbattery", "VIEWER", "password"),
                Arguments.of("password of one character", "bob", "aaaaaaaaaaaaaaaa", "VIEWER", "password"),
                Arguments.of("password containing the name", "bobby", "my name is bobby!", "VIEWER", "password"),
                Arguments.of("unknown role", "bob", PASSWORD, "ROOT", null),
                Arguments.of("missing role", "bob", PASSWORD, null, "role"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAccounts")
    void refusesBadInputWithAnActionableProblem(String why, String username, String password, String role,
                                                String field) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        if (role != null) {
            body.put("role", role);
        }
        Response r = call(post("/api/v1/accounts", admin(), body));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:invalid-request");
        assertThat(r.json().path("detail").asString()).isNotBlank();
        if (field != null) {
            assertThat(r.json().path("field").asString()).isEqualTo(field);
        }
        if (password != null && password.length() >= 4) {
            assertThat(r.body()).doesNotContain(password);
        }
    }

    @Test
    void refusesABodyThatIsNotJson() throws Exception {
        Response r = call(post("/api/v1/accounts", admin(), "{not json"));

        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    void changesTheRoleAndAuditsIt() throws Exception {
        String name = uniqueName("carol");
        createAccount(name, "VIEWER");

        Response r = call(put("/api/v1/accounts/" + name + "/role", admin(), Map.of("role", "OPERATOR")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("role").asString()).isEqualTo("OPERATOR");
        JsonNode stored = call(get("/api/v1/accounts/" + name, admin())).json();
        assertThat(stored.path("role").asString()).isEqualTo("OPERATOR");
        assertThat(time(stored, "updatedAt")).isEqualTo(time(r.json(), "updatedAt"))
                .isAfter(time(stored, "createdAt"));
        JsonNode events = call(get("/api/v1/audit/events?target=account:" + name, admin())).json().path("items");
        assertThat(events).extracting(e -> e.path("action").asString())
                .containsExactly("account.role", "account.create");
        assertThat(events.get(0).path("actor").asString()).isEqualTo(ADMIN);
        assertThat(events.get(0).path("details").asString()).isEqualTo("role VIEWER -> OPERATOR");
    }

    @Test
    void aDisabledAccountCannotLogIn() throws Exception {
        String name = uniqueName("dave");
        createAccount(name, "VIEWER");

        Response r = call(put("/api/v1/accounts/" + name + "/enabled", admin(), Map.of("enabled", false)));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("enabled").asBoolean()).isFalse();
        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(401);
        assertThat(call(put("/api/v1/accounts/" + name + "/enabled", admin(), Map.of("enabled", true))).status())
                .isEqualTo(200);
        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(200);
    }

    @Test
    void resetsThePassword() throws Exception {
        String name = uniqueName("erin");
        createAccount(name, "VIEWER");
        String newPassword = "another long passphrase";

        assertThat(call(put("/api/v1/accounts/" + name + "/password", admin(), Map.of("password", newPassword)))
                .status()).isEqualTo(204);

        assertThat(call(get("/api/v1/host", basic(name, newPassword))).status()).isEqualTo(200);
        assertThat(call(get("/api/v1/host", basic(name, PASSWORD))).status()).isEqualTo(401);
        assertThat(call(put("/api/v1/accounts/" + name + "/password", admin(), Map.of("password", "short")))
                .status()).isEqualTo(400);
    }

    @Test
    void deletesAnAccount() throws Exception {
        String name = uniqueName("frank");
        createAccount(name, "VIEWER");

        assertThat(call(delete("/api/v1/accounts/" + name, admin())).status()).isEqualTo(204);

        assertThat(call(get("/api/v1/accounts/" + name, admin())).status()).isEqualTo(404);
        assertThat(call(delete("/api/v1/accounts/" + name, admin())).status()).isEqualTo(404);
    }

    @Test
    void anAccountCannotDisableOrDeleteItself() throws Exception {
        String name = uniqueName("grace");
        createAccount(name, "ADMIN");

        Response disable = call(put("/api/v1/accounts/" + name + "/enabled", basic(name, PASSWORD),
                Map.of("enabled", false)));
        Response delete = call(delete("/api/v1/accounts/" + name, basic(name, PASSWORD)));

        assertThat(disable.status()).isEqualTo(409);
        assertThat(disable.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:own-account");
        assertThat(delete.status()).isEqualTo(409);
        call(delete("/api/v1/accounts/" + name, admin()));
    }

    @Test
    void theLastEnabledAdministratorStays() throws Exception {
        // 'admin' becomes the last enabled ADMIN for the length of this test: other test classes share the database.
        List<String> otherAdmins = new ArrayList<>();
        for (JsonNode a : call(get("/api/v1/accounts", admin())).json()) {
            if ("ADMIN".equals(a.path("role").asString()) && a.path("enabled").asBoolean()
                    && !ADMIN.equals(a.path("username").asString())) {
                otherAdmins.add(a.path("username").asString());
            }
        }
        for (String other : otherAdmins) {
            call(put("/api/v1/accounts/" + other + "/enabled", admin(), Map.of("enabled", false)));
        }
        try {
            Response demote = call(put("/api/v1/accounts/" + ADMIN + "/role", admin(), Map.of("role", "VIEWER")));

            assertThat(demote.status()).isEqualTo(409);
            assertThat(demote.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:last-administrator");
            assertThat(demote.json().path("detail").asString()).contains("Create or enable another ADMIN first");
        } finally {
            for (String other : otherAdmins) {
                call(put("/api/v1/accounts/" + other + "/enabled", admin(), Map.of("enabled", true)));
            }
        }
    }

    @Test
    void anotherAdministratorMayTakeAnAdministratorsRole() throws Exception {
        String first = uniqueName("boss");
        String second = uniqueName("boss");
        createAccount(first, "ADMIN");
        createAccount(second, "ADMIN");

        Response demote = call(put("/api/v1/accounts/" + first + "/role", basic(second, PASSWORD),
                Map.of("role", "OPERATOR")));

        assertThat(demote.status()).isEqualTo(200);
        call(delete("/api/v1/accounts/" + first, admin()));
        call(delete("/api/v1/accounts/" + second, admin()));
    }

    @Test
    void unknownAccountsAreNotFound() throws Exception {
        Response r = call(get("/api/v1/accounts/nobody-here", admin()));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:account-not-found");
    }

    @Test
    void aTooLongNameInThePathIsBadInput() throws Exception {
        assertThat(call(get("/api/v1/accounts/" + "a".repeat(65), admin())).status()).isEqualTo(400);
    }
}
