package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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

    @Test
    void rescanAfterChangeKeepsReadersOnThePreviousSnapshotUntilTheNewOneIsReady() throws Exception {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        CountDownLatch scanning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean();
        SysfsConfigSpaceReader sysfs = new SysfsConfigSpaceReader();
        InventoryService inv = new InventoryService(fx.properties(), (address, dir) -> {
            if (hold.getAndSet(false)) { // the first config-space read of the change's scan waits
                scanning.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("test interrupted");
                }
            }
            return sysfs.read(address, dir);
        }, new FilesystemDeviceNodeInspector());
        InventoryService.Snapshot first = inv.snapshot();
        fx.rebind("0000:01:00.1", "vfio-pci");
        hold.set(true);

        CompletableFuture<Void> change = CompletableFuture.runAsync(inv::rescanAfterChange);
        assertThat(scanning.await(30, TimeUnit.SECONDS)).isTrue();
        // the scan is held inside; a reader still gets the previous snapshot instead of waiting for it
        assertThat(CompletableFuture.supplyAsync(inv::snapshot).get(30, TimeUnit.SECONDS)).isSameAs(first);

        release.countDown();
        change.get(30, TimeUnit.SECONDS);
        assertThat(inv.snapshot()).isNotSameAs(first);
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
    }

    @Test
    void aFailedRescanAfterChangeIsNotThrownAndTheNextReadTriesAgain() throws Exception {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        AtomicBoolean fail = new AtomicBoolean();
        FilesystemDeviceNodeInspector filesystem = new FilesystemDeviceNodeInspector();
        InventoryService inv = new InventoryService(fx.properties(), new SysfsConfigSpaceReader(), (node, shown) -> {
            if (fail.get()) {
                throw new IllegalStateException("device node unreadable (test)");
            }
            return filesystem.inspect(node, shown);
        });
        InventoryService.Snapshot first = inv.snapshot();
        fx.rebind("0000:01:00.0", "vfio-pci");
        fx.rebind("0000:01:00.1", "vfio-pci");
        Files.createDirectories(fx.devfs().resolve("vfio"));
        Files.writeString(fx.devfs().resolve("vfio/1"), ""); // the group's node, inspected by every scan
        fail.set(true);

        inv.rescanAfterChange(); // logs, does not throw

        assertThatThrownBy(inv::snapshot).hasMessageContaining("device node unreadable"); // stale: the read retried
        fail.set(false);
        assertThat(inv.snapshot()).isNotSameAs(first);
        assertThat(inv.getGroup(1).viability().viable()).isTrue();
    }
}
