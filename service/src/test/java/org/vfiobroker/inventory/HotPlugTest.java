package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.FixtureFunction;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;

/** The watcher notices devices and drivers that come and go, without a restart. */
class HotPlugTest {

    @TempDir
    Path tmp;

    @Test
    void showsADeviceThatAppears() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        int before = inv.devices().size();

        FixtureFunction nic = fx.function("0000:00:1f.6").ids(0x8086, 0x15bb).driver("e1000e").group(9);
        fx.plug(nic);

        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.devices()).hasSize(before + 1);
        assertThat(inv.getGroup(9).members()).containsExactly(PciAddress.parse("0000:00:1f.6"));
    }

    @Test
    void dropsADeviceThatDisappears() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        assertThat(inv.findDevice(PciAddress.parse("0000:01:00.1"))).isPresent();

        fx.unplug("0000:01:00.1");

        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.findDevice(PciAddress.parse("0000:01:00.1"))).isEmpty();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
    }

    @Test
    void noticesARebind() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        InventoryService inv = InventoryService.forRoots(fx.properties());
        assertThat(inv.getGroup(1).viability().viable()).isFalse();

        fx.rebind("0000:01:00.1", "vfio-pci");

        assertThat(inv.refreshIfChanged()).isTrue();
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
    }

    @Test
    void keepsTheSnapshotWhenNothingChanged() {
        InventoryService inv = InventoryService.forRoots(SampleHosts.gpuWithAudio(tmp).properties());
        InventoryService.Snapshot first = inv.snapshot();

        assertThat(inv.refreshIfChanged()).isFalse();
        assertThat(inv.snapshot()).isSameAs(first);
    }

    @Test
    void rescansOnTheNextReadAfterInvalidate() {
        InventoryService inv = InventoryService.forRoots(SampleHosts.gpuWithAudio(tmp).properties());
        InventoryService.Snapshot first = inv.snapshot();

        inv.invalidate();

        assertThat(inv.snapshot()).isNotSameAs(first);
    }
}
