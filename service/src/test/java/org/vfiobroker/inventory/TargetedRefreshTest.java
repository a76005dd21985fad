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

/** {@link InventoryService#invalidateGroups} gives the snapshot a full rescan would, re-reading only those groups. */
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
            inv.invalidateGroups(List.of(g.id()));
            assertSameAsFullScan(inv, fx);

            host.revokeNodes(g.id());
            for (PciFunction f : members) {
                if (!f.isPciBridge() && !"pcieport".equals(f.driver())) {
                    host.restore(f.address(), Optional.ofNullable(f.driver()));
                }
            }
            inv.invalidateGroups(List.of(g.id()));
            assertSameAsFullScan(inv, fx);
        }
        assertThat(exercised).isGreaterThan(0);
        assertThat(inv.snapshot().devices()).isEqualTo(before.devices());
        inv.destroy();
    }

    @Test
    void aFunctionThatAppearedMeanwhileMakesItAFullRescan() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        int before = inv.devices().size();

        FixtureFunction nic = fx.function("0000:00:1f.6").ids(0x8086, 0x15bb).driver("e1000e").group(9);
        fx.plug(nic);
        inv.invalidateGroups(List.of(1));

        assertThat(inv.devices()).hasSize(before + 1);
        assertSameAsFullScan(inv, fx);
        inv.destroy();
    }

    @Test
    void theWatcherDoesNotRescanForTheBrokersOwnChanges() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci");
        inv.invalidateGroups(List.of(1));

        assertThat(inv.refreshIfChanged()).isFalse();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
        inv.destroy();
    }
}
