package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

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
    void aBoundAndHandedOverGroupThenItsRestore() {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
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
        inv.destroy();
    }

    @Test
    void aFunctionThatAppearedInTheGroupMakesItAFullRescan() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        int before = inv.devices().size();

        FixtureFunction extra = fx.function("0000:01:00.2").ids(0x10de, 0x1aec).classCode(0x0c0330).group(1);
        fx.plug(extra);
        inv.refreshGroups(List.of(1));

        assertThat(inv.devices()).hasSize(before + 1);
        assertSameAsFullScan(inv, fx);
        inv.destroy();
    }

    @Test
    void aFunctionThatAppearedElsewhereIsTheWatchersToFind() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        int before = inv.devices().size();

        FixtureFunction nic = fx.function("0000:00:1f.6").ids(0x8086, 0x15bb).driver("e1000e").group(9);
        fx.plug(nic);
        inv.refreshGroups(List.of(1));
        assertThat(inv.devices()).as("a targeted refresh reads only its groups").hasSize(before);

        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.devices()).hasSize(before + 1);
        assertSameAsFullScan(inv, fx);
        inv.destroy();
    }

    @Test
    void theWatcherWaitsForTheBrokersChangeUnderWayButNotForever() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        inv.snapshot();
        InventoryService.Change change = inv.changing(List.of(1));
        fx.rebind("0000:01:00.1", "vfio-pci"); // half-done: the change has not refreshed yet
        for (int turn = 0; turn < InventoryService.MAX_DEFERRALS; turn++) {
            assertThat(inv.refreshIfChanged()).as("turn %d", turn).isFalse();
        }
        assertThat(inv.refreshIfChanged()).as("after %d turns the watcher rescans anyway",
                InventoryService.MAX_DEFERRALS).isTrue();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
        change.close();
        assertThat(inv.refreshIfChanged()).isFalse();
        inv.destroy();
    }

    @Test
    void withNoChangeUnderWayTheWatcherRescansAtOnce() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci"); // someone else's change
        assertThat(inv.refreshIfChanged()).isTrue();
        assertSameAsFullScan(inv, fx);
        inv.destroy();
    }

    @Test
    void theWatcherDoesNotRescanForTheBrokersOwnChanges() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci");
        inv.refreshGroups(List.of(1));

        assertThat(inv.refreshIfChanged()).isFalse();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
        inv.destroy();
    }
}
