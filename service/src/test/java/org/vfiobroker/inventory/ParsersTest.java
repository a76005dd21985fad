package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.vfiobroker.inventory.Capabilities.PortType;
import org.vfiobroker.inventory.PciFunction.Bar;

/** The small parsers of the inventory, each against text the kernel (or pciutils) really produces. */
class ParsersTest {

    @Nested
    class ConfigSpace {

        private byte[] space(int size) {
            byte[] c = new byte[size];
            c[0x06] = 0x10; // capability list
            c[0x34] = 0x40;
            c[0x40] = 0x05; // MSI: 8 vectors (MMC=3), 64-bit, maskable, enabled
            c[0x41] = 0x60;
            c[0x42] = (byte) (3 << 1 | 0x80 | 1);
            c[0x43] = 0x01;
            c[0x60] = 0x10; // PCIe v2 root port, link cap 16 GT/s x8, status 8 GT/s x4
            c[0x61] = (byte) 0xa0;
            c[0x62] = 0x42;
            c[0x6c] = (byte) (4 | 8 << 4);
            c[0x72] = (byte) (3 | 4 << 4);
            c[0xa0] = 0x11; // MSI-X, 64 entries, enabled
            c[0xa2] = 63;
            c[0xa3] = (byte) 0x80;
            if (size > 256) {
                put32(c, 0x100, 0x0001 | 2 << 16 | 0x140 << 20); // AER v2
                put32(c, 0x140, 0x000d | 1 << 16 | 0x150 << 20); // ACS
                put32(c, 0x150, 0x000f | 1 << 16); // ATS
            }
            return c;
        }

        private void put32(byte[] c, int off, int v) {
            for (int i = 0; i < 4; i++) {
                c[off + i] = (byte) (v >>> (8 * i));
            }
        }

        @Test
        void parsesMsiVectorCountAndFlags() {
            Capabilities caps = ConfigSpaceParser.parse(space(4096));

            assertThat(caps.msi()).isEqualTo(new Capabilities.Msi(8, 1, true, true, true));
        }

        @Test
        void parsesMsixTableSize() {
            assertThat(ConfigSpaceParser.parse(space(4096)).msix()).isEqualTo(new Capabilities.MsiX(64, true, false));
        }

        @Test
        void parsesPortTypeAndLink() {
            Capabilities.Pcie pcie = ConfigSpaceParser.parse(space(4096)).pcie();

            assertThat(pcie.portType()).isEqualTo(PortType.ROOT_PORT);
            assertThat(pcie.linkCapability()).isEqualTo(new Capabilities.LinkState(16.0, 8));
            assertThat(pcie.linkStatus()).isEqualTo(new Capabilities.LinkState(8.0, 4));
        }

        @Test
        void walksTheExtendedChain() {
            Capabilities caps = ConfigSpaceParser.parse(space(4096));

            assertThat(caps.list()).extracting(Capabilities.Capability::offset)
                    .containsExactly(0x40, 0x60, 0xa0, 0x100, 0x140, 0x150);
            assertThat(caps.aer()).isTrue();
            assertThat(caps.acs()).isTrue();
            assertThat(caps.ats()).isTrue();
            assertThat(caps.sriov()).isFalse();
        }

        @Test
        void skipsExtendedCapabilitiesInConventionalSpace() {
            Capabilities caps = ConfigSpaceParser.parse(space(256));

            assertThat(caps.configSpaceComplete()).isTrue();
            assertThat(caps.list()).noneMatch(Capabilities.Capability::extended);
        }

        @Test
        void reportsUnavailableForAnUnprivilegedRead() {
            assertThat(ConfigSpaceParser.parse(new byte[64])).isEqualTo(Capabilities.unavailable(64));
        }

        @Test
        void stopsOnALoopingChain() {
            byte[] c = space(256);
            c[0xa1] = 0x40; // MSI-X points back to MSI

            assertThat(ConfigSpaceParser.parse(c).list()).hasSize(3);
        }
    }

    @Nested
    class Resource {

        @Test
        void parsesAssignedBarsWithFlags() {
            String text = """
                    0x00000000fb000000 0x00000000fbffffff 0x0000000000040200
                    0x0000006000000000 0x000000600fffffff 0x000000000014220c
                    0x0000000000000000 0x0000000000000000 0x0000000000000000
                    0x000000000000e000 0x000000000000e07f 0x0000000000040101
                    """;

            List<Bar> bars = SysfsScanner.parseResource(text);

            assertThat(bars).containsExactly(
                    new Bar(0, 0xfb000000L, 16 << 20, false, false, false),
                    new Bar(1, 0x6000000000L, 256 << 20, false, true, true),
                    new Bar(3, 0xe000, 128, true, false, false));
        }

        @Test
        void skipsLinesThatAreNotThreeHexNumbersButKeepsTheBarIndex() {
            String text = "0x1000 0x1fff\n"                                   // BAR 0: two fields
                    + "0xzz00 0x1fff 0x200\n"                                 // BAR 1: not hexadecimal
                    + "0x10000000000000000 0x1 0x200\n"                       // BAR 2: more than 64 bits
                    + "   0xffffffff00000000\t0xffffffffffffffff  0x100200 extra\n" // BAR 3: 64-bit, top of the space
                    + "e000 e07f 101";                                         // BAR 4: no 0x, no final newline

            assertThat(SysfsScanner.parseResource(text)).containsExactly(
                    new Bar(3, 0xffffffff00000000L, 0x100000000L, false, true, false),
                    new Bar(4, 0xe000, 128, true, false, false));
            assertThat(SysfsScanner.parseResource("")).isEmpty();
            assertThat(SysfsScanner.parseResource(null)).isEmpty();
        }

        @Test
        void readsLinkSpeedText() {
            assertThat(SysfsScanner.gts("16.0 GT/s PCIe")).isEqualTo(16.0);
            assertThat(SysfsScanner.gts("2.5 GT/s PCIe")).isEqualTo(2.5);
            assertThat(SysfsScanner.gts("Unknown")).isNull();
        }

        @Test
        void derivesParentChainFromTheDevicePath() {
            assertThat(SysfsScanner.parentChain("../../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0/0000:03:01.0",
                    PciAddress.parse("0000:03:01.0")))
                    .containsExactly(PciAddress.parse("0000:00:1c.0"), PciAddress.parse("0000:02:00.0"));
        }
    }

    @Nested
    class PciIdsFile {

        private final PciIds ids = PciIds.parse("""
                # comment
                8086  Intel Corporation
                \t1521  I350 Gigabit Network Connection
                \t\t8086 0001  Ethernet Server Adapter I350-T4
                10de  NVIDIA Corporation
                C 02  Network controller
                \t00  Ethernet controller
                C 01  Mass storage controller
                \t08  Non-Volatile memory controller
                \t\t02  NVM Express
                """);

        @Test
        void namesVendorsDevicesAndSubsystems() {
            assertThat(ids.vendorName(0x8086)).isEqualTo("Intel Corporation");
            assertThat(ids.deviceName(0x8086, 0x1521)).isEqualTo("I350 Gigabit Network Connection");
            assertThat(ids.subsystemName(0x8086, 0x1521, 0x8086, 0x0001)).isEqualTo("Ethernet Server Adapter I350-T4");
            assertThat(ids.deviceName(0x10de, 0x2204)).isNull();
        }

        @Test
        void namesASubsystemEqualToItsDeviceLikeTheDevice() {
            assertThat(ids.subsystemName(0x8086, 0x1521, 0x8086, 0x1521)).isEqualTo("I350 Gigabit Network Connection");
        }

        @Test
        void namesClassesSubclassesAndProgrammingInterfaces() {
            assertThat(ids.className(0x020000)).isEqualTo("Ethernet controller");
            assertThat(ids.className(0x028000)).isEqualTo("Network controller");
            assertThat(ids.progIfName(0x010802)).isEqualTo("NVM Express");
        }

        @Test
        void loadsTheSystemFileOnce() {
            PciIds system = PciIds.load(InventoryProperties.forRoots(null, null, null).pciIds());

            assertThat(system.vendorCount()).isGreaterThan(1000);
            assertThat(system.vendorName(0x1af4)).isEqualTo("Red Hat, Inc.");
        }
    }

    @Nested
    class ProcTables {

        @Test
        void parsesMountinfoWithOptionalFieldsAndEscapes() {
            List<InUseDetector.Mount> mounts = InUseDetector.parseMountinfo("""
                    29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
                    30 29 259:1 / /boot/efi rw,relatime shared:2 master:3 - vfat /dev/nvme0n1p1 rw
                    31 29 254:0 / /mnt/my\\040disk rw - xfs /dev/mapper/data rw
                    """);

            assertThat(mounts).containsExactly(
                    new InUseDetector.Mount("259:2", "/", "/dev/nvme0n1p2", "ext4"),
                    new InUseDetector.Mount("259:1", "/boot/efi", "/dev/nvme0n1p1", "vfat"),
                    new InUseDetector.Mount("254:0", "/mnt/my disk", "/dev/mapper/data", "xfs"));
        }

        @Test
        void parsesSwapPartitionsAndSkipsSwapFiles() {
            assertThat(InUseDetector.parseSwaps("""
                    Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
                    /dev/nvme0n1p3                          partition\t8388604\t\t0\t\t-2
                    /swapfile                               file\t\t1048572\t\t0\t\t-3
                    """)).containsExactly("nvme0n1p3");
        }

        @Test
        void findsRoutedInterfacesButNotLoopback() {
            String v4 = """
                    Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                    eno1\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
                    """;
            String v6 = """
                    00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 00200001       lo
                    fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 enp5s0f1
                    """;

            assertThat(InUseDetector.routedInterfaces(v4, v6)).containsExactlyInAnyOrder("eno1", "enp5s0f1");
        }

        @Test
        void findsTheFunctionOwningANetOrBlockDevice() {
            assertThat(InUseDetector.owningFunction(
                    "../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0/nvme/nvme0/nvme0n1"))
                    .isEqualTo(PciAddress.parse("0000:03:00.0"));
            assertThat(InUseDetector.owningFunction("../../devices/virtual/net/lo")).isNull();
        }
    }

    @Nested
    class Host {

        @Test
        void decodesTaintFlags() {
            HostSummary.Taint taint = HostInspector.decodeTaint("12353");

            assertThat(taint.flags()).extracting(HostSummary.TaintFlag::letter).containsExactly('P', 'U', 'O', 'E');
        }

        @Test
        void keepsOnlyTheCommandLineFlagsThatMatter() {
            List<String> params = HostInspector.parseCommandLine(
                    "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:2204,10de:1aef "
                            + "pcie_acs_override=downstream,multifunction \"acpi_osi=Windows 2020\" vfio_iommu_type1.allow_unsafe_interrupts=1");

            assertThat(HostInspector.relevantFlags(params)).containsExactly(
                    java.util.Map.entry("intel_iommu", "on"), java.util.Map.entry("iommu", "pt"),
                    java.util.Map.entry("vfio-pci.ids", "10de:2204,10de:1aef"),
                    java.util.Map.entry("pcie_acs_override", "downstream,multifunction"),
                    java.util.Map.entry("vfio_iommu_type1.allow_unsafe_interrupts", "1"));
        }

        @Test
        void classifiesIommuUnits() {
            assertThat(HostInspector.kindOf("dmar0")).isEqualTo(HostSummary.IommuKind.INTEL_VT_D);
            assertThat(HostInspector.kindOf("ivhd0")).isEqualTo(HostSummary.IommuKind.AMD_VI);
            assertThat(HostInspector.kindOf("smmu3.0x0000000009050000")).isEqualTo(HostSummary.IommuKind.ARM_SMMU);
            assertThat(HostInspector.kindOf("virtio-iommu")).isEqualTo(HostSummary.IommuKind.VIRTIO_IOMMU);
        }
    }

    @Nested
    class DmaOwnership {

        @Test
        void allowsVfioVariantsStubPortAndNoDriver() {
            assertThat(List.of("vfio-pci", "mlx5_vfio_pci", "pci-stub", "pcieport")).allMatch(DmaOwnershipRule::allowsUserDma);
            assertThat(DmaOwnershipRule.allowsUserDma(null)).isTrue();
        }

        @Test
        void refusesHostDrivers() {
            assertThat(List.of("snd_hda_intel", "nvme", "igb", "i915", "vfio", "_vfio_pci"))
                    .noneMatch(DmaOwnershipRule::allowsUserDma);
        }
    }
}
