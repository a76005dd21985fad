package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vfiobroker.audit.AuditEvent.Outcome;

/**
 * Many parallel requests: never two holders of one group, never a quota exceeded, never two winners of one state
 * change.
 */
class ConcurrencyTest extends GrantTestBase {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    GrantStore store;

    private List<Response> parallel(int n, Callable<Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(request));
            }
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void overlappingNamedRequestsNeverGrantAGroupTwice() throws Exception {
        List<Integer> groups = List.of(11, 12, 13, 20, 30);
        List<Response> results = parallel(40, () -> {
            int a = groups.get(ThreadLocalRandom.current().nextInt(groups.size()));
            int b = groups.get(ThreadLocalRandom.current().nextInt(groups.size()));
            return grantGroups("u" + ThreadLocalRandom.current().nextInt(10), a == b ? List.of(a) : List.of(a, b), MIB);
        });

        assertThat(results).allMatch(r -> r.status() == 201 || r.status() == 409, "201 or 409");
        Map<Integer, Integer> holders = new HashMap<>();
        for (Response r : results) {
            if (r.status() == 201) {
                r.json().path("groups").forEach(g -> holders.merge(g.path("iommuGroup").asInt(), 1, Integer::sum));
            }
        }
        assertThat(holders.values()).allMatch(c -> c == 1, "each group granted at most once");
        assertThat(jdbc.queryForObject("select count(*) from grant_item where active_group is not null", Long.class))
                .isEqualTo(holders.size());
        for (Response r : results) {
            if (r.status() == 201) {
                delete("/api/v1/grants/" + r.id());
            }
        }
    }

    @Test
    void parallelRequestsOfOneUserNeverExceedItsQuota() throws Exception {
        String pool = vfPool("vfs-concurrency");
        policy(pool, "u42", 3, 48 * MIB, 3600);

        List<Response> results = parallel(16, () -> requestGrant(pool, "u42", 1, 16 * MIB, 600));

        long granted = results.stream().filter(r -> r.status() == 201).count();
        assertThat(granted).isEqualTo(3);
        assertThat(results).filteredOn(r -> r.status() != 201).allMatch(r -> r.status() == 409);
        Long memlock = jdbc.queryForObject("select sum(memlock_bytes) from device_grant where unix_user = 'u42'"
                + " and state in ('REQUESTED', 'ACTIVE')", Long.class);
        assertThat(memlock).isLessThanOrEqualTo(48 * MIB);
        assertThat(simulated().userMemlock("u42")).contains(48 * MIB);
        results.stream().filter(r -> r.status() == 201).forEach(r -> {
            try {
                delete("/api/v1/grants/" + r.id());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void ofManyConcurrentChangesOfOneGrantsStateExactlyOneWins() throws Exception {
        Response granted = grantedGroups("u17", List.of(20), MIB);
        long id = granted.id();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Optional<Grant>>> changes = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String actor = "racer" + i;
                changes.add(pool.submit(() -> {
                    start.await();
                    return store.transition(id, Set.of(GrantState.ACTIVE), GrantState.QUARANTINED, "test race", actor,
                            "grant.test-race", Outcome.SUCCESS, "");
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Optional<Grant>> f : changes) {
                won += f.get().isPresent() ? 1 : 0;
            }
            assertThat(won).as("changes that won").isEqualTo(1);
            assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'grant.test-race'"
                    + " and target = ?", Long.class, "grant:" + id)).isEqualTo(1);
            assertThat(store.find(id).orElseThrow().getState()).isEqualTo(GrantState.QUARANTINED);
        } finally {
            pool.shutdown();
            delete("/api/v1/grants/" + id + "?force=true");
        }
        assertThat(store.find(id).orElseThrow().getState()).isEqualTo(GrantState.RELEASED);
    }
}
