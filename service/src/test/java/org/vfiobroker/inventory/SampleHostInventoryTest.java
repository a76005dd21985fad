package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.inventory.Capabilities.PortType;
import org.vfiobroker.inventory.HostSummary.IommuKind;
import org.vfiobroker.inventory.InUseReason.Kind;

/** The inventory of each sample host: groups, viability, in-use reasons and host summaries. */
class SampleHostInventoryTest {

    @TempDir
    Path tmp;

    private static InventoryService inventory(SysfsFixture fx) {
        return InventoryService.forRoots(fx.properties());
    }

    private static PciAddress at(String a) {
        return PciAddress.parse(a);
    }

    @Test
    void putsGpuAndItsAudioFunctionInOneGroup() {
        IommuGroup group = inventory(SampleHosts.gpuWithAudio(tmp)).getGroup(1);

        assertThat(group.members()).containsExactly(at("0000:01:00.0"), at("0000:01:00.1"));
    }

    @Test
    void refusesGroupWithHostAudioDriver() {
        IommuGroup group = inventory(SampleHosts.gpuWithAudio(tmp)).getGroup(1);

        assertThat(group.viability().viable()).isFalse();
        assertThat(group.viability().viableOnceBound()).isTrue();
        assertThat(group.viability().blockers()).singleElement().satisfies(b -> {
            assertThat(b.member()).isEqualTo(at("0000:01:00.1"));
            assertThat(b.driver()).isEqualTo("snd_hda_intel");
            assertThat(b.reason()).contains("snd_hda_intel").contains("vfio-pci");
        });
    }

    @Test
    void reportsBootVgaAsForcibleInUseReason() {
        PciFunction igpu = inventory(SampleHosts.gpuWithAudio(tmp)).getDevice(at("0000:00:02.0"));

        assertThat(igpu.bootVga()).isTrue();
        assertThat(igpu.inUse()).extracting(InUseReason::kind).containsExactly(Kind.BOOT_VGA);
        assertThat(igpu.inUse().get(0).forcible()).isTrue();
        assertThat(igpu.capabilities().pcie().portType()).isEqualTo(PortType.RC_INTEGRATED_ENDPOINT);
    }

    @Test
    void namesDevicesFromPciIds() {
        PciFunction gpu = inventory(SampleHosts.gpuWithAudio(tmp)).getDevice(at("0000:01:00.0"));

        assertThat(gpu.vendorName()).isEqualTo("NVIDIA Corporation");
        assertThat(gpu.deviceName()).isEqualTo("GA102 [GeForce RTX 3090]");
        assertThat(gpu.className()).isEqualTo("VGA compatible controller");
        assertThat(gpu.parentChain()).containsExactly(at("0000:00:01.0"));
    }

    @Test
    void givesEachVirtualFunctionItsOwnGroupAndLinksItToThePf() {
        InventoryService inv = inventory(SampleHosts.sriovNic(tmp));
        PciFunction pf = inv.getDevice(at("0000:03:00.0"));

        assertThat(pf.sriov().numVfs()).isEqualTo(4);
        assertThat(pf.sriov().totalVfs()).isEqualTo(7);
        assertThat(pf.sriov().vfs()).containsExactly(at("0000:04:00.0"), at("0000:04:00.1"), at("0000:04:00.2"),
                at("0000:04:00.3"));
        assertThat(pf.capabilities().sriov()).isTrue();
        for (PciAddress vf : pf.sriov().vfs()) {
            PciFunction f = inv.getDevice(vf);
            assertThat(f.physicalFunction()).isEqualTo(pf.address());
            assertThat(inv.getGroup(f.iommuGroup()).members()).containsExactly(vf);
        }
    }

    @Test
    void reportsUpNicWithRoutesAsInUse() {
        InventoryService inv = inventory(SampleHosts.sriovNic(tmp));
        PciFunction pf = inv.getDevice(at("0000:03:00.0"));

        assertThat(pf.netInterfaces()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("eno1");
            assertThat(i.up()).isTrue();
            assertThat(i.hasRoutes()).isTrue();
        });
        assertThat(pf.inUse()).extracting(InUseReason::kind)
                .containsExactly(Kind.NETWORK_INTERFACE_UP, Kind.NETWORK_ROUTES);
        IommuGroup group = inv.getGroup(pf.iommuGroup());
        assertThat(group.takeable().takeable()).isFalse();
        assertThat(group.takeable().blockers()).extracting(b -> b.inUse().kind())
                .containsExactly(Kind.NETWORK_INTERFACE_UP, Kind.NETWORK_ROUTES);
    }

    @Test
    void acceptsBridgeGroupWithNoDriverAndVfioPci() {
        InventoryService inv = inventory(SampleHosts.pcieToPciBridge(tmp));
        IommuGroup group = inv.getGroup(20);

        assertThat(group.members()).hasSize(4);
        assertThat(inv.members(group)).extracting(PciFunction::driver).containsExactly(null, "vfio-pci", "vfio-pci", null);
        assertThat(group.viability().viable()).isTrue();
        assertThat(group.takeable().takeable()).isTrue();
        assertThat(inv.getDevice(at("0000:05:00.0")).capabilities().pcie().portType())
                .isEqualTo(PortType.PCIE_TO_PCI_BRIDGE);
        assertThat(inv.getDevice(at("0000:06:01.0")).parentChain()).containsExactly(at("0000:00:01.2"), at("0000:05:00.0"));
    }

    @Test
    void refusesAGroupOfBridgesOnlyAsThereIsNothingToHandOut() {
        InventoryService inv = inventory(SampleHosts.workstation(tmp));
        IommuGroup rootPortAlone = inv.groups().stream()
                .filter(g -> inv.members(g).stream().allMatch(f -> f.baseClass() == 0x06))
                .findFirst().orElseThrow(() -> new AssertionError("the workstation has a group of one root port"));

        assertThat(rootPortAlone.viability().viable()).isTrue();
        assertThat(rootPortAlone.takeable().takeable()).isFalse();
        assertThat(rootPortAlone.takeable().blockers()).extracting(IommuGroup.Blocker::reason)
                .anySatisfy(r -> assertThat(r).contains("only bridges"));
    }

    @Test
    void neverTakesTheNvmeDriveHoldingRoot() {
        InventoryService inv = inventory(SampleHosts.nvmeRoot(tmp));
        PciFunction nvme = inv.getDevice(at("0000:02:00.0"));

        assertThat(nvme.holdsRootFilesystem()).isTrue();
        assertThat(nvme.blockDevices()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("nvme0n1");
            assertThat(d.mounts()).containsExactlyInAnyOrder("/", "/boot/efi");
            assertThat(d.swap()).isTrue();
        });
        assertThat(nvme.inUse()).extracting(InUseReason::kind)
                .containsExactlyInAnyOrder(Kind.ROOT_FILESYSTEM, Kind.MOUNTED_FILESYSTEM, Kind.ACTIVE_SWAP);
        assertThat(nvme.inUse()).filteredOn(r -> r.kind() == Kind.ROOT_FILESYSTEM).singleElement()
                .satisfies(r -> assertThat(r.forcible()).isFalse());
        assertThat(inv.getGroup(7).takeable().takeable()).isFalse();
    }

    @Test
    void followsFilesystemsThroughStackedDevices() {
        SysfsFixture fx = SysfsFixture.at(tmp).iommu("dmar0").vfioModules(false);
        fx.function("0000:00:1d.0").ids(0x144d, 0xa808).classCode(0x010802).driver("nvme").group(3)
                .disk("nvme0n1", 259, 0, 2);
        fx.holder("nvme0n1p2", "dm-0", "254:0").mount("254:0", "/home", "ext4", "/dev/mapper/crypt-home").write();

        PciFunction nvme = inventory(fx).getDevice(at("0000:00:1d.0"));

        assertThat(nvme.blockDevices().get(0).holders()).containsExactly("dm-0");
        assertThat(nvme.inUse()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.MOUNTED_FILESYSTEM);
            assertThat(r.subject()).isEqualTo("dm-0");
            assertThat(r.detail()).contains("/home");
        });
    }

    @Test
    void summarisesAnIntelIommuHostWhereGrantsArePossible() {
        HostSummary host = inventory(SampleHosts.workstation(tmp)).host();

        assertThat(host.iommu().present()).isTrue();
        assertThat(host.iommu().kind()).isEqualTo(IommuKind.INTEL_VT_D);
        assertThat(host.commandLine()).containsEntry("intel_iommu", "on").containsEntry("iommu", "pt");
        assertThat(host.vfioModules()).extracting(HostSummary.VfioModule::name).contains("vfio", "vfio_pci");
        assertThat(host.vfioContainer().mode()).isEqualTo("0666");
        assertThat(host.iommufdPresent()).isTrue();
        assertThat(host.cdevSupported()).isTrue();
        assertThat(host.grantBlockers()).isEmpty();
    }

    @Test
    void reportsNoiommuModeLoudlyAndNeverOffersItsGroups() {
        InventoryService inv = inventory(SampleHosts.noiommu(tmp));
        HostSummary host = inv.host();

        assertThat(host.noiommuMode()).isTrue();
        assertThat(host.noiommuGroups()).containsExactly(0);
        assertThat(host.iommu().present()).isFalse();
        assertThat(host.taint().flags()).extracting(HostSummary.TaintFlag::letter).containsExactly('U');
        assertThat(host.grantBlockers()).anyMatch(b -> b.contains("noiommu")).anyMatch(b -> b.contains("No IOMMU"));
        IommuGroup group = inv.getGroup(0);
        assertThat(group.noiommu()).isTrue();
        assertThat(group.deviceNode().path()).isEqualTo("/dev/vfio/noiommu-0");
        assertThat(group.deviceNode().exists()).isTrue();
        assertThat(group.takeable().takeable()).isFalse();
    }

    @Test
    void explainsWhyGrantsAreImpossibleWithoutIommu() {
        InventoryService inv = inventory(SampleHosts.noIommu(tmp));
        HostSummary host = inv.host();

        assertThat(inv.groups()).isEmpty();
        assertThat(inv.devices()).allSatisfy(f -> assertThat(f.iommuGroup()).isNull());
        assertThat(host.iommu().kind()).isEqualTo(IommuKind.NONE);
        assertThat(host.grantBlockers()).hasSize(2)
                .anyMatch(b -> b.contains("No IOMMU")).anyMatch(b -> b.contains("modprobe vfio-pci"));
    }

    @Test
    void reportsCapabilitiesUnavailableWhenOnlyTheHeaderIsReadable() {
        SysfsFixture fx = SysfsFixture.at(tmp).iommu("dmar0");
        fx.function("0000:00:03.0").ids(0x8086, 0x1521).msix(10).configSize(64).group(1);
        fx.write();

        Capabilities caps = inventory(fx).getDevice(at("0000:00:03.0")).capabilities();

        assertThat(caps.configSpaceComplete()).isFalse();
        assertThat(caps.configSpaceSize()).isEqualTo(64);
        assertThat(caps.list()).isEmpty();
    }

    @Test
    void usesAConfigSpaceReaderSuppliedByTheHost() {
        SysfsFixture fx = SysfsFixture.at(tmp).iommu("dmar0");
        fx.function("0000:00:03.0").ids(0x8086, 0x1521).msix(10).configSize(64).group(1);
        fx.write();
        byte[] full = SysfsFixtureConfig.full(fx, "0000:00:03.0");
        InventoryService inv = new InventoryService(fx.properties(), (address, dir) -> full,
                new FilesystemDeviceNodeInspector());

        assertThat(inv.getDevice(at("0000:00:03.0")).capabilities().msix().tableSize()).isEqualTo(10);
    }

    @Test
    void rejectsMalformedAddressAndReportsUnknownOnes() {
        InventoryService inv = inventory(SampleHosts.gpuWithAudio(tmp));

        assertThatThrownBy(() -> inv.getDevice(PciAddress.parse("01:00.0"))).isInstanceOf(InvalidPciAddressException.class)
                .hasMessageContaining(PciAddress.SYNTAX);
        assertThatThrownBy(() -> inv.getDevice(at("0000:7f:00.0"))).isInstanceOf(DeviceNotFoundException.class);
        assertThat(inv.findDevice(at("0000:7f:00.0"))).isEmpty();
        assertThatThrownBy(() -> inv.getGroup(999)).isInstanceOf(IommuGroupNotFoundException.class);
    }
}
