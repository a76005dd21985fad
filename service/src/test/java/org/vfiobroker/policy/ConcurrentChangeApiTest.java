package org.vfiobroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vfiobroker.support.ApiTest;

/**
 * Requests that change the same record at once: one of them changes it, the others are told why they did not (a
 * 404, or a 409 {@code changed-meanwhile} when they had found it before it went), never a 500.
 */
class ConcurrentChangeApiTest extends ApiTest {

    @Autowired
    PoolRepository pools;
    @Autowired
    PlatformTransactionManager transactions;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aDeletionThatFoundThePoolBeforeAnotherDeletedItIsTold() throws Exception {
        long id = pool();
        CountDownLatch deleted = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> // deletes it, commits when told
                new TransactionTemplate(transactions).executeWithoutResult(tx -> {
                    pools.delete(id);
                    deleted.countDown();
                    await(commit);
                }));
        try {
            assertThat(deleted.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return call(delete("/api/v1/pools/" + id, admin()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // the second has read the pool (the first has not committed) and waits for the row the first deletes
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (jdbc.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL",
                    Integer.class) == 0) {
                assertThat(System.nanoTime()).as("the second deletion waits for the first's row lock").isLessThan(until);
                Thread.sleep(5);
            }
            commit.countDown();
            first.get(10, TimeUnit.SECONDS);

            Response r = second.get(10, TimeUnit.SECONDS);

            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:changed-meanwhile");
            assertThat(r.json().path("detail").asString()).contains("Read it again");
        } finally {
            commit.countDown();
        }
        assertThat(call(get("/api/v1/pools/" + id, admin())).status()).isEqualTo(404);
    }

    @Test
    void aPoolDeletedByManyAtOnceIsDeletedOnceAndTheOthersAreToldWhy() throws Exception {
        long id = pool();

        List<Response> answers = concurrently(8, () -> delete("/api/v1/pools/" + id, admin()));

        assertThat(answers).filteredOn(r -> r.status() == 204).hasSize(1);
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.status()).as(r.body()).isIn(204, 404, 409);
            if (r.status() == 409) {
                assertThat(r.json().path("type").asString()).isEqualTo("urn:vfio-broker:problem:changed-meanwhile");
            }
        });
    }

    private long pool() throws Exception {
        Response made = call(post("/api/v1/pools", admin(),
                Map.of("name", uniqueName("cc-pool"), "selector", Map.of("classPrefixes", List.of("02")))));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        return made.json().path("id").asLong();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not told to commit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
