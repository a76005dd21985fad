package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.FixtureFunction;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.host.NodeMode;
import org.vfiobroker.host.SimulatedHost;
import org.vfiobroker.host.SimulatedHostProperties;

/**
 * {@link InventoryService#refreshGroups} gives the snapshot a full rescan would, re-reading only those groups; the
 * hot-plug watcher finds the rest.
 */
class TargetedRefreshTest {

    @TempDir
    Path tmp;

    private final List<InventoryService> inventories = new java.util.ArrayList<>();

    /** An inventory on the fixture, stopped after the test (also when it fails). */
    private InventoryService inventoryOf(SysfsFixture fx) {
        InventoryService inv = InventoryService.forRoots(fx.properties());
        inventories.add(inv);
        return inv;
    }

    @org.junit.jupiter.api.AfterEach
    void stopInventories() {
        inventories.forEach(InventoryService::destroy);
    }

    private static void assertSameAsFullScan(InventoryService refreshed, SysfsFixture fx) {
        InventoryService.Snapshot targeted = refreshed.snapshot();
        InventoryService full = InventoryService.forRoots(fx.properties());
        try {
            InventoryService.Snapshot scanned = full.snapshot();
            assertThat(targeted.devices()).isEqualTo(scanned.devices());
            assertThat(targeted.groups()).isEqualTo(scanned.groups());
            assertThat(targeted.host()).isEqualTo(scanned.host());
            assertThat(targeted.fingerprint()).isEqualTo(scanned.fingerprint());
        } finally {
            full.destroy();
        }
    }

    @Test
    void aRefreshedFunctionKeepsThePartsThatDidNotChange() {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryService inv = inventoryOf(fx);
        SimulatedHost host = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        IommuGroup g = inv.snapshot().groups().stream()
                .filter(x -> x.takeable().takeable() && inv.members(x).stream().noneMatch(f -> "vfio-pci".equals(f.driver())))
                .findFirst().orElseThrow();
        PciFunction before = inv.members(g).get(0);

        host.bindGroup(g.id());
        inv.refreshGroups(List.of(g.id()));

        PciFunction after = inv.getDevice(before.address());
        assertThat(after.driver()).isEqualTo("vfio-pci");
        assertThat(after.capabilities()).isSameAs(before.capabilities());
        assertThat(after.bars()).isSameAs(before.bars());
        assertThat(after.parentChain()).isSameAs(before.parentChain());
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void aRefreshReadsWhatABindCanChangeAndKeepsWhatIsFixedForTheRunningKernel() throws Exception {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryService inv = inventoryOf(fx);
        SimulatedHost host = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        HostSummary before = inv.snapshot().host();
        IommuGroup g = inv.snapshot().groups().stream()
                .filter(x -> x.takeable().takeable() && inv.members(x).stream().noneMatch(f -> "vfio-pci".equals(f.driver())))
                .findFirst().orElseThrow();
        // A taint can come with any change; the command line cannot change without a reboot (written here only to
        // show that a targeted refresh does not read it again).
        java.nio.file.Files.writeString(fx.procfs().resolve("sys/kernel/tainted"), "4096\n");
        java.nio.file.Files.writeString(fx.procfs().resolve("cmdline"), "root=/dev/sda1 iommu=off\n");

        host.bindGroup(g.id());
        inv.refreshGroups(List.of(g.id()));

        HostSummary after = inv.snapshot().host();
        assertThat(after.taint()).isNotEqualTo(before.taint());
        assertThat(after.taint().value()).isEqualTo(4096);
        assertThat(after.commandLine()).isEqualTo(before.commandLine());
        assertThat(after.kernelRelease()).isEqualTo(before.kernelRelease());
        assertThat(after.iommu()).isEqualTo(before.iommu());
        InventoryService full = InventoryService.forRoots(fx.properties());
        try {
            assertThat(full.snapshot().host().commandLine()).as("a full scan reads it").containsEntry("iommu", "off");
            assertThat(full.snapshot().host().taint()).isEqualTo(after.taint());
        } finally {
            full.destroy();
        }
    }

    /**
     * A bind does not change the vfio modules, so a targeted refresh keeps them; a module parameter written by
     * someone else (here the unsafe noiommu mode) changes the host's fingerprint, and the watcher rescans at its next
     * turn, even while the broker has a change of its own open.
     */
    @Test
    void aModuleParameterWrittenBySomeoneElseIsTheWatchersToFind() throws Exception {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryService inv = inventoryOf(fx);
        SimulatedHost host = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        assertThat(inv.snapshot().host().noiommuMode()).isFalse();
        assertThat(inv.refreshIfChanged()).as("nothing changed yet").isFalse();
        IommuGroup g = inv.snapshot().groups().stream()
                .filter(x -> x.takeable().takeable() && inv.members(x).stream().noneMatch(f -> "vfio-pci".equals(f.driver())))
                .findFirst().orElseThrow();
        Path parameter = fx.sysfs().resolve("module/vfio/parameters/enable_unsafe_noiommu_mode");
        assertThat(Files.readString(parameter).trim()).isEqualTo("N");

        Files.writeString(parameter, "Y\n");
        InventoryService.Change change = inv.changing(List.of(g.id()));
        host.bindGroup(g.id());
        inv.refreshGroups(List.of(g.id()));
        assertThat(inv.snapshot().host().noiommuMode()).as("a targeted refresh keeps the modules").isFalse();

        assertThat(inv.refreshIfChanged()).as("the parameter is no part of the broker's change").isTrue();
        assertThat(inv.snapshot().host().noiommuMode()).isTrue();
        assertThat(inv.snapshot().host().grantBlockers()).anyMatch(b -> b.contains("noiommu mode is on"));
        change.close();
        assertThat(inv.refreshIfChanged()).isFalse();
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void aBoundAndHandedOverGroupThenItsRestore() {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryService inv = inventoryOf(fx);
        SimulatedHost host = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        InventoryService.Snapshot before = inv.snapshot();
        int exercised = 0;
        for (IommuGroup g : before.groups()) {
            if (!g.viability().viableOnceBound() || !g.takeable().takeable()) {
                continue;
            }
            exercised++;
            List<PciFunction> members = inv.members(g);
            host.bindGroup(g.id());
            host.grantNodes(g.id(), 1000, 1000, NodeMode.OWNER_ONLY);
            inv.refreshGroups(List.of(g.id()));
            assertSameAsFullScan(inv, fx);

            host.revokeNodes(g.id());
            for (PciFunction f : members) {
                if (!DmaOwnershipRule.leftAloneByBind(f)) {
                    host.restore(f.address(), Optional.ofNullable(f.driver()));
                }
            }
            inv.refreshGroups(List.of(g.id()));
            assertSameAsFullScan(inv, fx);
        }
        assertThat(exercised).isGreaterThan(0);
        assertThat(inv.snapshot().devices()).isEqualTo(before.devices());
    }

    @Test
    void aFunctionThatAppearedInTheGroupMakesItAFullRescan() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        int before = inv.devices().size();

        FixtureFunction extra = fx.function("0000:01:00.2").ids(0x10de, 0x1aec).classCode(0x0c0330).group(1);
        fx.plug(extra);
        inv.refreshGroups(List.of(1));

        assertThat(inv.devices()).hasSize(before + 1);
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void aFunctionThatAppearedElsewhereIsTheWatchersToFind() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        int before = inv.devices().size();

        FixtureFunction nic = fx.function("0000:00:1f.6").ids(0x8086, 0x15bb).driver("e1000e").group(9);
        fx.plug(nic);
        inv.refreshGroups(List.of(1));
        assertThat(inv.devices()).as("a targeted refresh reads only its groups").hasSize(before);

        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.devices()).hasSize(before + 1);
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void theWatcherLeavesTheGroupsTheBrokerIsChangingAloneButFindsEverythingElse() throws Exception {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        inv.snapshot();
        InventoryService.Change change = inv.changing(List.of(1));
        fx.rebind("0000:01:00.1", "vfio-pci"); // the broker's change, half done: not refreshed yet
        Files.delete(fx.devfs().resolve("vfio/1")); // and its node, gone for now
        for (int turn = 0; turn < 5; turn++) {
            assertThat(inv.refreshIfChanged()).as("turn %d: only the group under change differs", turn).isFalse();
        }
        assertThat(inv.getDevice(PciAddress.parse("0000:01:00.1")).driver()).isEqualTo("snd_hda_intel");

        fx.rebind("0000:00:02.0", "vfio-pci"); // someone else's, in another group, while the change is open
        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.getDevice(PciAddress.parse("0000:00:02.0")).driver()).isEqualTo("vfio-pci");

        Files.createFile(fx.devfs().resolve("vfio/2")); // a node of another group
        assertThat(inv.refreshIfChanged()).isTrue();

        fx.plug(fx.function("0000:00:1f.6").ids(0x8086, 0x15bb).driver("e1000e").group(9)); // a hot-plug
        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.findDevice(PciAddress.parse("0000:00:1f.6"))).isPresent();

        change.close();
        assertThat(inv.refreshIfChanged()).as("the change refreshed its group when it closed").isFalse();
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void aGroupTheBrokerChangedBeforeIsWatchedAgainOnceItsChangeEnded() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci"); // the broker's change, done and refreshed
        inv.refreshGroups(List.of(1));
        assertThat(inv.refreshIfChanged()).isFalse();
        fx.rebind("0000:01:00.1", "snd_hda_intel"); // now nobody's change: the group is no longer excused
        assertThat(inv.refreshIfChanged()).isTrue();
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void concurrentRefreshesEachReturnWithTheirOwnChangeInTheSnapshot() throws Exception {
        SysfsFixture fx = SampleHosts.dense(tmp, 4, 24, 0, 0);
        InventoryService inv = inventoryOf(fx);
        SimulatedHost host = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        List<IommuGroup> groups = inv.snapshot().groups().stream()
                .filter(g -> g.takeable().takeable() && inv.members(g).stream().noneMatch(f -> "vfio-pci".equals(f.driver())))
                .toList();
        assertThat(groups).hasSizeGreaterThanOrEqualTo(32);
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
            for (int t = 0; t < threads; t++) {
                List<IommuGroup> mine = groups.subList(t * 4, t * 4 + 4);
                done.add(pool.submit(() -> {
                    int checked = 0;
                    for (IommuGroup g : mine) {
                        together.await(30, java.util.concurrent.TimeUnit.SECONDS); // all refresh at once
                        host.bindGroup(g.id());
                        inv.refreshGroups(List.of(g.id()));
                        // when refreshGroups returns, this thread's change is in the snapshot, whoever refreshed
                        assertThat(inv.members(inv.getGroup(g.id()))).as("group %d", g.id())
                                .allMatch(f -> DmaOwnershipRule.leftAloneByBind(f) || "vfio-pci".equals(f.driver()));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : done) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4);
            }
        } finally {
            pool.shutdownNow();
        }
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void withNoChangeUnderWayTheWatcherRescansAtOnce() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci"); // someone else's change
        assertThat(inv.refreshIfChanged()).isTrue();
        assertSameAsFullScan(inv, fx);
    }

    @Test
    void theWatcherDoesNotRescanForTheBrokersOwnChanges() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = inventoryOf(fx);
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci");
        inv.refreshGroups(List.of(1));

        assertThat(inv.refreshIfChanged()).isFalse();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
    }
}
