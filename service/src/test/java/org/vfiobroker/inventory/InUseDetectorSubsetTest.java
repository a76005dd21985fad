package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;

/** {@link InUseDetector#load(Path, Path, Set)} finds for its functions what a full load finds. */
class InUseDetectorSubsetTest {

    @TempDir
    Path tmp;

    @Test
    void eachFunctionAloneHasTheUsesAFullLoadGivesIt() {
        SysfsFixture fx = SampleHosts.workstation(tmp);
        InventoryProperties p = fx.properties();
        InUseDetector full = InUseDetector.load(p.sysfsRoot(), p.procfsRoot());
        int used = 0;
        for (PciFunction f : InventoryService.forRoots(p).devices()) {
            InUseDetector alone = InUseDetector.load(p.sysfsRoot(), p.procfsRoot(), Set.of(f.address()));
            assertThat(alone.useOf(f.address())).as(f.address().toString()).isEqualTo(full.useOf(f.address()));
            assertThat(alone.reasonsOf(f.address(), f.bootVga())).isEqualTo(full.reasonsOf(f.address(), f.bootVga()));
            assertThat(alone.holdsRoot(f.address())).isEqualTo(full.holdsRoot(f.address()));
            assertThat(alone.hasHostDevices(f.address())).as(f.address() + " has interfaces or disks")
                    .isEqualTo(!f.netInterfaces().isEmpty() || !f.blockDevices().isEmpty());
            if (!full.reasonsOf(f.address(), false).isEmpty()) {
                used++;
            }
        }
        assertThat(used).as("the workstation host has functions with network and disk uses").isGreaterThanOrEqualTo(2);
    }

    /** A bind takes a function's interfaces away whether they are used or not, so a down one counts too. */
    @Test
    void anInterfaceThatIsDownAndCarriesNoRoutesIsAHostDeviceWithoutAUse() {
        SysfsFixture fx = SampleHosts.dense(tmp, 2, 1, 0, 0);
        InventoryProperties p = fx.properties();
        PciAddress pf = PciAddress.parse("0000:12:00.0"); // mlx5_core, interface enp18s0f0np0 down, no routes
        InUseDetector alone = InUseDetector.load(p.sysfsRoot(), p.procfsRoot(), Set.of(pf));
        assertThat(alone.reasonsOf(pf, false)).isEmpty();
        assertThat(alone.hasHostDevices(pf)).isTrue();
        PciAddress vf = InventoryService.forRoots(p).devices().stream().filter(f -> f.physicalFunction() != null
                && f.physicalFunction().equals(pf)).findFirst().orElseThrow().address();
        assertThat(InUseDetector.load(p.sysfsRoot(), p.procfsRoot(), Set.of(vf)).hasHostDevices(vf)).isFalse();
    }

    @Test
    void functionsItWasNotAskedForHaveNoUse() {
        SysfsFixture fx = SampleHosts.nvmeRoot(tmp);
        InventoryProperties p = fx.properties();
        InUseDetector full = InUseDetector.load(p.sysfsRoot(), p.procfsRoot());
        PciFunction nvme = InventoryService.forRoots(p).devices().stream().filter(PciFunction::holdsRootFilesystem).findFirst()
                .orElseThrow();
        assertThat(full.holdsRoot(nvme.address())).isTrue();
        InUseDetector none = InUseDetector.load(p.sysfsRoot(), p.procfsRoot(), Set.of());
        assertThat(none.holdsRoot(nvme.address())).isFalse();
        assertThat(none.reasonsOf(nvme.address(), false)).isEmpty();
    }
}
