package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vfiobroker.host.NodeMode;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.PciAddress;

/** Reconcile: re-application after a (simulated) reboot, drift, expiry; and extension within policy. */
class ReconcileTest extends GrantTestBase {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    Journal journal;
    @Autowired
    InventoryService inventory;
    @Autowired
    GrantLifecycle lifecycle;
    @Autowired
    GrantStore store;

    @Test
    void reappliesAnActiveGrantAfterAReboot() throws Exception {
        Response g = grantedGroups("alice", List.of(1), 32 * MIB);
        // the reboot: nodes back to root, the audio function back on its driver, the drop-in gone
        hostAgent.revokeNodes(1);
        hostAgent.restore(PciAddress.parse("0000:01:00.1"), Optional.of("snd_hda_intel"));
        hostAgent.removeUserMemlock("alice");

        Reconciler.Report r = reconciler.reconcile(true);

        assertThat(r.reapplied()).contains(g.id());
        assertThat(hostAgent.groupNode(1).orElseThrow().uid()).isEqualTo(2001);
        assertThat(hostAgent.inspectGroup(1).members()).allMatch(m -> "vfio-pci".equals(m.driver()));
        assertThat(simulated().userMemlock("alice")).contains(32 * MIB);
        assertThat(delete("/api/v1/grants/" + g.id()).json().path("state").asString()).isEqualTo("RELEASED");
    }

    @Test
    void quarantinesAGrantWhoseNodeSomeoneElseTookOver() throws Exception {
        Response g = grantedGroups("bob", List.of(30), 16 * MIB);
        hostAgent.grantNodes(30, 2003, 2003, NodeMode.OWNER_ONLY);

        Reconciler.Report r = reconciler.reconcile(false);

        assertThat(r.quarantined()).contains(g.id());
        Response q = get("/api/v1/grants/" + g.id());
        assertThat(q.json().path("state").asString()).isEqualTo("QUARANTINED");
        assertThat(q.json().path("reason").asString()).contains("uid 2003");
        assertThat(hostAgent.groupNode(30).orElseThrow().uid()).isZero();
        assertThat(grantGroups("carol", List.of(30), 16 * MIB).type())
                .isEqualTo("urn:vfio-broker:problem:already-granted");
        assertThat(delete("/api/v1/grants/" + g.id()).json().path("state").asString()).isEqualTo("RELEASED");
    }

    @Test
    void aPeriodicPassLeavesTheJournalRowOfAStepUnderWayAloneAndRecoversAnInterruptedOne() {
        long running = journal.start(null, "set-numvfs", "device:0000:04:00.0", "numVfs=4"); // its step runs now
        jdbc.update("insert into operation_journal (step, target, detail, phase, started_at)"
                + " values ('set-numvfs', 'device:0000:04:00.0', 'numVfs=2', 'STARTED', current_timestamp)");
        long interrupted = jdbc.queryForObject("select max(id) from operation_journal", Long.class);
        long generation = inventory.snapshot().generation();

        reconciler.reconcile(false);

        assertThat(phase(running)).as("a step under way in this process").isEqualTo("STARTED");
        assertThat(phase(interrupted)).as("a row no step of this process owns").isEqualTo("RECOVERED");
        assertThat(inventory.snapshot().generation()).as("the host read again after a recovery")
                .isGreaterThan(generation);
        journal.finish(running, JournalEntry.Phase.DONE, null);
        assertThat(phase(running)).isEqualTo("DONE");
        generation = inventory.snapshot().generation();
        reconciler.reconcile(false);
        assertThat(phase(running)).isEqualTo("DONE");
        assertThat(inventory.snapshot().generation()).as("a pass with nothing to recover does not rescan the host")
                .isEqualTo(generation);
    }

    @Test
    void aPeriodicPassLeavesARevocationUnderWayToItsRequestAndFinishesOneThatStopped() throws Exception {
        Response g = grantedGroups("alice", List.of(1), 32 * MIB);
        jdbc.update("update device_grant set state = 'RELEASING' where id = ?", g.id());
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread revoking = new Thread(() -> { // a request thread in the middle of revoking it holds its lock
            lifecycle.lockOf(g.id()).lock();
            try {
                held.countDown();
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lifecycle.lockOf(g.id()).unlock();
            }
        });
        revoking.setDaemon(true);
        revoking.start();
        held.await();
        long generation = inventory.snapshot().generation();

        Reconciler.Report during;
        try {
            during = CompletableFuture.supplyAsync(() -> reconciler.reconcile(false))
                    .get(10, TimeUnit.SECONDS); // it does not wait for the revocation
        } finally {
            letGo.countDown(); // also when it did: the test fails instead of hanging
        }
        revoking.join();

        assertThat(during.released()).isEmpty();
        assertThat(inventory.snapshot().generation()).as("no rescan for a revocation under way").isEqualTo(generation);
        assertThat(state(g.id())).isEqualTo("RELEASING");

        Reconciler.Report after = reconciler.reconcile(false); // now nobody works on it: it stopped midway

        assertThat(after.released()).containsExactly(g.id());
        assertThat(state(g.id())).isEqualTo("RELEASED");
        assertThat(hostAgent.groupNode(1).map(n -> n.uid()).orElse(0)).isZero();
    }

    @Test
    void aRevocationThatEndsWhileAPassLooksIsNotMistakenForAReboot() throws Exception {
        Response g = grantedGroups("bob", List.of(30), 16 * MIB);
        Grant readActive = store.find(g.id()).orElseThrow(); // what the pass read before ...
        assertThat(delete("/api/v1/grants/" + g.id()).json().path("state").asString()).isEqualTo("RELEASED");
        Reconciler.Report r = new Reconciler.Report(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

        reconciler.check(readActive, r, new HashSet<>(), false); // ... it finds the nodes root's and the drivers back

        assertThat(r.reapplied()).as("a released grant is not applied again").isEmpty();
        assertThat(hostAgent.groupNode(30).map(n -> n.uid()).orElse(0)).isZero();
        assertThat(hostAgent.inspectGroup(30).members()).noneMatch(m -> "vfio-pci".equals(m.driver()));
        assertThat(state(g.id())).isEqualTo("RELEASED");
    }

    private String state(long grantId) {
        return jdbc.queryForObject("select state from device_grant where id = ?", String.class, grantId);
    }

    private String phase(long journalId) {
        return jdbc.queryForObject("select phase from operation_journal where id = ?", String.class, journalId);
    }

    @Test
    void releasesAnExpiredGrant() throws Exception {
        Response g = grantedGroups("carol", List.of(20), 16 * MIB);
        jdbc.update("update device_grant set created_at = dateadd('HOUR', -2, created_at),"
                + " expires_at = dateadd('SECOND', -1, current_timestamp) where id = ?", g.id());

        Reconciler.Report r = reconciler.reconcile(false);

        assertThat(r.expired()).contains(g.id());
        assertThat(get("/api/v1/grants/" + g.id()).json().path("state").asString()).isEqualTo("RELEASED");
        assertThat(simulated().userMemlock("carol")).isEmpty();
    }

    @Test
    void extendsWithinThePolicysLongestLeaseOnly() throws Exception {
        String pool = vfPool("vfs-extend");
        policy(pool, "u7", 1, 64 * MIB, 7200);
        Response g = granted(pool, "u7", 1, 16 * MIB, 3600);

        Response ok = post("/api/v1/grants/" + g.id() + "/extension", Map.of("extendBySeconds", 3000));
        Response tooLong = post("/api/v1/grants/" + g.id() + "/extension", Map.of("extendBySeconds", 1000));

        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(tooLong.status()).isEqualTo(409);
        assertThat(tooLong.type()).isEqualTo("urn:vfio-broker:problem:policy-denied");
        delete("/api/v1/grants/" + g.id());
    }
}
