package org.vfiobroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.support.TransactionTemplate;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.support.ApiTest;
import tools.jackson.databind.JsonNode;

class AuditLogTest extends ApiTest {

    @Autowired
    AuditLog audit;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transactions;

    @AfterEach
    void clearContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void theActorIsTheAuthenticatedAccountOrSystem() {
        AuditEvent bySystem = audit.record("test.run", "thing:1", Outcome.SUCCESS, null);
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken("carol", "x", "ROLE_ADMIN"));
        AuditEvent byCarol = audit.record("test.run", "thing:1", Outcome.SUCCESS, null);
        AuditEvent named = audit.record(new AuditEvent.Draft("reconciler", "test.run", "thing:1", Outcome.FAILED, "x"));

        assertThat(bySystem.actor()).isEqualTo("system");
        assertThat(byCarol.actor()).isEqualTo("carol");
        assertThat(named.actor()).isEqualTo("reconciler");
    }

    @Test
    void eachEventLinksToThePreviousOne() {
        AuditEvent first = audit.record("test.link", "thing:1", Outcome.SUCCESS, "one");
        AuditEvent second = audit.record("test.link", "thing:2", Outcome.REFUSED, "two");

        assertThat(second.sequence()).isEqualTo(first.sequence() + 1);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(second.hash()).isEqualTo(AuditChain.hash(second)).hasSize(64);
    }

    @Test
    void anotherProcessAppendingMeanwhileIsChainedOnto() {
        // A second log on the same database with its own memory of the head: what a second process would be.
        ChainedAuditLog other = new ChainedAuditLog(jdbc, java.time.Clock.systemUTC());
        AuditEvent.Draft draft = new AuditEvent.Draft("tester", "test.processes", "thing:1", Outcome.SUCCESS, null);

        AuditEvent first = audit.record(draft);
        AuditEvent second = audit.record(draft); // chained onto what this process remembers
        AuditEvent theirs = transactions.execute(status -> other.record(draft));
        AuditEvent after = audit.record(draft); // what this process remembers is not the head any more

        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(theirs.previousHash()).isEqualTo(second.hash());
        assertThat(theirs.sequence()).isEqualTo(second.sequence() + 1);
        assertThat(after.previousHash()).isEqualTo(theirs.hash());
        assertThat(after.sequence()).isEqualTo(theirs.sequence() + 1);
        assertThat(jdbc.queryForObject("SELECT last_hash FROM audit_chain_head WHERE id = 1", String.class))
                .isEqualTo(after.hash());
    }

    @Test
    void refusesAnActionThatIsNotDottedLowerCase() {
        assertThatThrownBy(() -> audit.record("Grant Create", "x", Outcome.SUCCESS, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEventRollsBackWithTheCallersTransaction() throws Exception {
        long before = head();

        transactions.executeWithoutResult(status -> {
            audit.record("test.rollback", "thing:1", Outcome.SUCCESS, null);
            status.setRollbackOnly();
        });

        assertThat(head()).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE action = 'test.rollback'", Long.class))
                .isZero();
        assertThat(verify().path("intact").asBoolean()).isTrue();
    }

    @Test
    void concurrentWritersNeverForkTheChain() throws Exception {
        long before = head();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int writer = w;
                writers.add(() -> {
                    for (int i = 0; i < 20; i++) {
                        int n = i;
                        transactions.executeWithoutResult(s -> audit.record("test.concurrent", "writer:" + writer,
                                Outcome.SUCCESS, "event " + n));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(writers)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(head()).isEqualTo(before + 160);
        assertThat(jdbc.queryForObject("SELECT COUNT(DISTINCT previous_hash) FROM audit_event WHERE sequence > ?",
                Long.class, before)).isEqualTo(160);
        JsonNode verification = verify();
        assertThat(verification.path("intact").asBoolean()).as(verification.toString()).isTrue();
        assertThat(verification.path("lastSequence").asLong()).isEqualTo(before + 160);
    }

    @Test
    void aChangedEventIsDetected() throws Exception {
        AuditEvent event = audit.record("test.tamper", "thing:1", Outcome.REFUSED, "the truth");
        audit.record("test.tamper", "thing:2", Outcome.SUCCESS, null);
        jdbc.update("UPDATE audit_event SET outcome = 'SUCCESS' WHERE sequence = ?", event.sequence());
        try {
            JsonNode verification = verify();

            assertThat(verification.path("intact").asBoolean()).isFalse();
            assertThat(verification.path("firstBrokenSequence").asLong()).isEqualTo(event.sequence());
            assertThat(verification.path("problem").asString()).contains("changed after it was recorded");
        } finally {
            jdbc.update("UPDATE audit_event SET outcome = 'REFUSED' WHERE sequence = ?", event.sequence());
        }
        assertThat(verify().path("intact").asBoolean()).isTrue();
    }

    @Test
    void aRehashedEventIsDetectedByItsSuccessor() throws Exception {
        AuditEvent event = audit.record("test.tamper", "thing:1", Outcome.SUCCESS, "original");
        audit.record("test.tamper", "thing:2", Outcome.SUCCESS, null);
        String forged = AuditChain.hash(event.previousHash(), event.sequence(), event.at(), event.actor(),
                event.action(), event.target(), event.outcome(), "forged");
        jdbc.update("UPDATE audit_event SET details = 'forged', hash = ? WHERE sequence = ?", forged, event.sequence());
        try {
            JsonNode verification = verify();

            assertThat(verification.path("intact").asBoolean()).isFalse();
            assertThat(verification.path("firstBrokenSequence").asLong()).isEqualTo(event.sequence() + 1);
        } finally {
            jdbc.update("UPDATE audit_event SET details = 'original', hash = ? WHERE sequence = ?", event.hash(),
                    event.sequence());
        }
    }

    @Test
    void aRemovedEventIsDetected() throws Exception {
        AuditEvent removed = audit.record("test.remove", "thing:1", Outcome.SUCCESS, null);
        audit.record("test.remove", "thing:2", Outcome.SUCCESS, null);
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM audit_event WHERE sequence = ?", removed.sequence());
        jdbc.update("DELETE FROM audit_event WHERE sequence = ?", removed.sequence());
        try {
            JsonNode verification = verify();

            assertThat(verification.path("intact").asBoolean()).isFalse();
            assertThat(verification.path("firstBrokenSequence").asLong()).isEqualTo(removed.sequence());
        } finally {
            reinsert(row);
        }
    }

    @Test
    void aRemovedLastEventIsDetected() throws Exception {
        AuditEvent last = audit.record("test.remove", "thing:last", Outcome.SUCCESS, null);
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM audit_event WHERE sequence = ?", last.sequence());
        jdbc.update("DELETE FROM audit_event WHERE sequence = ?", last.sequence());
        try {
            JsonNode verification = verify();

            assertThat(verification.path("intact").asBoolean()).isFalse();
            assertThat(verification.path("problem").asString()).contains("missing");
        } finally {
            reinsert(row);
        }
        assertThat(verify().path("intact").asBoolean()).isTrue();
    }

    @Test
    void findsEventsByFilters() throws Exception {
        String target = "filter:" + uniqueName("t");
        audit.record("filter.one", target, Outcome.SUCCESS, null);
        audit.record("filter.two", target, Outcome.FAILED, null);
        audit.record("other.one", target, Outcome.SUCCESS, null);

        assertThat(items("target=" + target)).hasSize(3);
        assertThat(items("target=" + target + "&action=filter.")).extracting(e -> e.path("action").asString())
                .containsExactly("filter.two", "filter.one");
        assertThat(items("target=" + target + "&outcome=FAILED")).hasSize(1);
        assertThat(items("target=" + target + "&actor=system")).hasSize(3);
        assertThat(items("target=" + target + "&actor=nobody")).isEmpty();
        assertThat(items("target=" + target + "&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z")).hasSize(3);
        assertThat(items("target=" + target + "&to=2000-01-01T00:00:00Z")).isEmpty();
        JsonNode page = call(get("/api/v1/audit/events?target=" + target + "&size=2&page=1", admin())).json();
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("totalItems").asLong()).isEqualTo(3);
        assertThat(page.path("totalPages").asLong()).isEqualTo(2);
    }

    @Test
    void anActionPrefixIsNotAPattern() throws Exception {
        String target = "filter:" + uniqueName("p");
        audit.record("like-x.one", target, Outcome.SUCCESS, null);

        assertThat(items("target=" + target + "&action=like_x.")).isEmpty();
        assertThat(items("target=" + target + "&action=%25.")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"size=0", "size=1001", "size=-1", "page=-1", "page=99999999999", "size=abc",
            "outcome=MAYBE", "from=yesterday", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
            "from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"})
    void refusesBadQueries(String query) throws Exception {
        Response r = call(get("/api/v1/audit/events?" + query, admin()));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
    }

    @Test
    void refusesOverlongFilters() throws Exception {
        assertThat(call(get("/api/v1/audit/events?actor=" + "a".repeat(65), admin())).status()).isEqualTo(400);
        assertThat(call(get("/api/v1/audit/events?target=" + "a".repeat(257), admin())).status()).isEqualTo(400);
    }

    private JsonNode items(String query) throws Exception {
        return call(get("/api/v1/audit/events?" + query, admin())).json().path("items");
    }

    private JsonNode verify() throws Exception {
        Response r = call(get("/api/v1/audit/verify", admin()));
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private long head() {
        return jdbc.queryForObject("SELECT last_sequence FROM audit_chain_head WHERE id = 1", Long.class);
    }

    private void reinsert(Map<String, Object> row) {
        jdbc.update("INSERT INTO audit_event (sequence, recorded_at, actor, action, target, outcome, details,"
                        + " previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row.get("SEQUENCE"), row.get("RECORDED_AT"), row.get("ACTOR"), row.get("ACTION"), row.get("TARGET"),
                row.get("OUTCOME"), row.get("DETAILS"), row.get("PREVIOUS_HASH"), row.get("HASH"));
    }
}
