package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.inventory.Capabilities.Capability;
import org.vfiobroker.inventory.Capabilities.LinkState;

/**
 * The inventory must agree with {@code lspci} (pciutils) on every function: ids, names, class, driver, IOMMU
 * group, NUMA node, link, the capability chain and MSI/MSI-X counts. On fixture trees and on this machine's
 * real, read-only {@code /sys}. A missing lspci fails the test ("install pciutils"); it never skips.
 */
class LspciOracleTest {

    private static final Pattern CAP = Pattern.compile("^\\tCapabilities: \\[([0-9a-f]+)(?: v(\\d+))?\\] (.*)$");
    private static final Pattern LINK = Pattern.compile("Speed ([0-9.]+GT/s|unknown).*?, Width x(\\d+)");
    private static final Pattern MSI = Pattern.compile("MSI: Enable([+-]) Count=(\\d+)/(\\d+) Maskable([+-]) 64bit([+-])");
    private static final Pattern MSIX = Pattern.compile("MSI-X: Enable([+-]) Count=(\\d+) Masked([+-])");

    @TempDir
    Path tmp;

    @Test
    void agreesWithLspciOnTheWorkstationFixture() {
        assertAgreement(SampleHosts.workstation(tmp.resolve("ws")));
    }

    @Test
    void agreesWithLspciOnADenseFixture() {
        assertAgreement(SampleHosts.dense(tmp.resolve("dense"), 3, 20, 2, 2));
    }

    @Test
    void agreesWithLspciOnTheNoiommuAndNoIommuFixtures() {
        assertAgreement(SampleHosts.noiommu(tmp.resolve("noiommu")));
        assertAgreement(SampleHosts.noIommu(tmp.resolve("none")));
    }

    @Test
    void agreesWithLspciOnThisMachinesRealSysfs() {
        InventoryProperties props = InventoryProperties.forRoots(Path.of("/sys"), Path.of("/proc"), Path.of("/dev"));
        compare(InventoryService.forRoots(props).devices(), Lspci.access(null, props.pciIds()));
    }

    private void assertAgreement(SysfsFixture fx) {
        InventoryProperties props = fx.properties();
        List<PciFunction> devices = InventoryService.forRoots(props).devices();
        assertThat(devices).isNotEmpty();
        compare(devices, Lspci.access(fx.sysfs(), props.pciIds()));
    }

    private static void compare(List<PciFunction> devices, List<String> access) {
        Map<String, Map<String, String>> machine = Lspci.machine(access);
        Map<String, List<String>> verbose = Lspci.verbose(access);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(devices).extracting(f -> f.address().toString()).containsExactlyElementsOf(machine.keySet());
        for (PciFunction f : devices) {
            String a = f.address().toString();
            Map<String, String> m = machine.get(a);
            if (m == null) {
                continue;
            }
            soft.assertThat(Lspci.id(m.get("Vendor"))).as(a + " vendor id").isEqualTo(f.vendorId());
            soft.assertThat(Lspci.id(m.get("Device"))).as(a + " device id").isEqualTo(f.deviceId());
            soft.assertThat(Lspci.name(m.get("Vendor"))).as(a + " vendor name")
                    .isEqualTo(f.vendorName() != null ? f.vendorName() : "Vendor");
            soft.assertThat(Lspci.name(m.get("Device"))).as(a + " device name")
                    .isEqualTo(f.deviceName() != null ? f.deviceName() : "Device");
            soft.assertThat(Lspci.id(m.get("Class"))).as(a + " class").isEqualTo(f.subClass());
            if (f.className() != null) {
                soft.assertThat(Lspci.name(m.get("Class"))).as(a + " class name").isEqualTo(f.className());
            }
            soft.assertThat(Integer.parseInt(m.getOrDefault("ProgIf", "00"), 16)).as(a + " prog-if")
                    .isEqualTo(f.classCode() & 0xff);
            soft.assertThat(Integer.parseInt(m.getOrDefault("Rev", "00"), 16)).as(a + " revision").isEqualTo(f.revision());
            if (m.containsKey("SVendor")) {
                soft.assertThat(Lspci.id(m.get("SVendor"))).as(a + " subsystem vendor").isEqualTo(f.subsystemVendorId());
                soft.assertThat(Lspci.id(m.get("SDevice"))).as(a + " subsystem device").isEqualTo(f.subsystemDeviceId());
                soft.assertThat(Lspci.name(m.get("SDevice"))).as(a + " subsystem name")
                        .isEqualTo(f.subsystemName() != null ? f.subsystemName() : "Device");
            }
            soft.assertThat(m.get("Driver")).as(a + " driver").isEqualTo(f.driver());
            soft.assertThat(m.containsKey("IOMMUGroup") ? Integer.valueOf(m.get("IOMMUGroup")) : null)
                    .as(a + " IOMMU group").isEqualTo(f.iommuGroup());
            soft.assertThat(m.containsKey("NUMANode") ? Integer.valueOf(m.get("NUMANode")) : null)
                    .as(a + " NUMA node").isEqualTo(f.numaNode());
            compareCapabilities(soft, f, verbose.getOrDefault(a, List.of()));
        }
        soft.assertAll();
    }

    private static void compareCapabilities(SoftAssertions soft, PciFunction f, List<String> lines) {
        String a = f.address().toString();
        Capabilities caps = f.capabilities();
        if (lines.stream().anyMatch(l -> l.contains("Capabilities: <access denied>"))) {
            soft.assertThat(caps.configSpaceComplete()).as(a + " config space complete").isFalse();
            return;
        }
        List<String> theirs = new ArrayList<>();
        String lnkCap = null;
        String lnkSta = null;
        for (String line : lines) {
            Matcher c = CAP.matcher(line);
            if (c.matches()) {
                String text = c.group(3);
                boolean extended = c.group(2) != null;
                theirs.add(Integer.parseInt(c.group(1), 16) + (extended ? " v" + c.group(2) : "") + " "
                        + knownId(text, extended));
                Matcher msi = MSI.matcher(text);
                if (msi.find()) {
                    soft.assertThat(caps.msi()).as(a + " MSI").isNotNull();
                    if (caps.msi() != null) {
                        soft.assertThat(caps.msi().enabled()).as(a + " MSI enable").isEqualTo(msi.group(1).equals("+"));
                        soft.assertThat(caps.msi().enabledVectors()).as(a + " MSI enabled vectors")
                                .isEqualTo(Integer.parseInt(msi.group(2)));
                        soft.assertThat(caps.msi().vectors()).as(a + " MSI vectors").isEqualTo(Integer.parseInt(msi.group(3)));
                        soft.assertThat(caps.msi().perVectorMasking()).as(a + " MSI maskable").isEqualTo(msi.group(4).equals("+"));
                        soft.assertThat(caps.msi().address64()).as(a + " MSI 64bit").isEqualTo(msi.group(5).equals("+"));
                    }
                }
                Matcher msix = MSIX.matcher(text);
                if (msix.find()) {
                    soft.assertThat(caps.msix()).as(a + " MSI-X").isNotNull();
                    if (caps.msix() != null) {
                        soft.assertThat(caps.msix().enabled()).as(a + " MSI-X enable").isEqualTo(msix.group(1).equals("+"));
                        soft.assertThat(caps.msix().tableSize()).as(a + " MSI-X count").isEqualTo(Integer.parseInt(msix.group(2)));
                    }
                }
                if (text.startsWith("Express")) {
                    soft.assertThat(caps.pcie()).as(a + " PCIe").isNotNull();
                    if (caps.pcie() != null) {
                        soft.assertThat(text).as(a + " port type").contains(portTypeText(caps.pcie().portType()));
                    }
                }
            } else if (line.startsWith("\t\tLnkCap:")) {
                lnkCap = line;
            } else if (line.startsWith("\t\tLnkSta:")) {
                lnkSta = line;
            } else if (line.startsWith("\t\t\tExtTag") && caps.pcie() != null) {
                soft.assertThat(line.contains("FLReset+")).as(a + " FLR in DevCap").isEqualTo(caps.pcie().flr());
            }
        }
        List<String> ours = new ArrayList<>();
        for (Capability c : caps.list()) {
            String known = theirs.stream().anyMatch(t -> t.startsWith(c.offset() + " ") && t.endsWith(" ?")) ? "?"
                    : Integer.toHexString(c.id());
            ours.add(c.offset() + (c.extended() ? " v" + c.version() : "") + " " + known);
        }
        soft.assertThat(ours).as(a + " capability chain").containsExactlyElementsOf(theirs);
        LinkState cap = caps.pcie() != null ? caps.pcie().linkCapability() : null;
        LinkState sta = caps.pcie() != null ? caps.pcie().linkStatus() : null;
        compareLink(soft, a + " LnkCap", lnkCap, cap);
        compareLink(soft, a + " LnkSta", lnkSta, sta);
        if (lnkSta != null && f.link() != null && f.link().currentWidth() != null) {
            Matcher m = LINK.matcher(lnkSta);
            if (m.find()) {
                soft.assertThat(f.link().currentWidth()).as(a + " sysfs link width").isEqualTo(Integer.parseInt(m.group(2)));
                soft.assertThat(f.link().currentSpeedGts()).as(a + " sysfs link speed").isEqualTo(gts(m.group(1)));
            }
        }
    }

    private static Double gts(String text) {
        return text.equals("unknown") ? null : Double.valueOf(text.replace("GT/s", ""));
    }

    private static void compareLink(SoftAssertions soft, String what, String line, LinkState ours) {
        if (line == null) {
            soft.assertThat(ours).as(what).isNull();
            return;
        }
        Matcher m = LINK.matcher(line);
        if (!m.find()) {
            soft.fail(what + " not parsable: " + line);
            return;
        }
        soft.assertThat(ours).as(what).isNotNull();
        if (ours != null) {
            soft.assertThat(ours.speedGts()).as(what + " speed").isEqualTo(gts(m.group(1)));
            soft.assertThat(ours.width()).as(what + " width").isEqualTo(Integer.parseInt(m.group(2)));
        }
    }

    private static final Object[][] STANDARD = {{"Power Management", 0x01}, {"AGP", 0x02}, {"Vital Product Data", 0x03},
        {"Slot ID", 0x04}, {"MSI-X", 0x11}, {"MSI:", 0x05}, {"CompactPCI hot-swap", 0x06}, {"PCI-X", 0x07},
        {"HyperTransport", 0x08}, {"Vendor Specific Information", 0x09}, {"Debug port", 0x0a}, {"PCI Hot-plug", 0x0c},
        {"Subsystem", 0x0d}, {"Express", 0x10}, {"SATA HBA", 0x12}, {"PCI Advanced Features", 0x13},
        {"Enhanced Allocation", 0x14}};
    private static final Object[][] EXTENDED = {{"Advanced Error Reporting", 0x01}, {"Virtual Channel", 0x02},
        {"Device Serial Number", 0x03}, {"Power Budgeting", 0x04}, {"Vendor Specific Information", 0x0b},
        {"Access Control Services", 0x0d}, {"Alternative Routing-ID", 0x0e}, {"Address Translation Service", 0x0f},
        {"Single Root I/O Virtualization", 0x10}, {"Page Request Interface", 0x13}, {"Resizable BAR", 0x15},
        {"Latency Tolerance Reporting", 0x18}, {"Secondary PCI Express", 0x19}, {"Process Address Space ID", 0x1b},
        {"Downstream Port Containment", 0x1d}, {"L1 PM Substates", 0x1e}, {"Precision Time Measurement", 0x1f},
        {"Designated Vendor-Specific", 0x23}, {"Data Link Feature", 0x25}};

    /** The capability id lspci's text names, in hex, or "?" when the table does not know the text. */
    private static String knownId(String text, boolean extended) {
        for (Object[] e : extended ? EXTENDED : STANDARD) {
            if (text.startsWith((String) e[0])) {
                return Integer.toHexString((Integer) e[1]);
            }
        }
        return "?";
    }

    private static String portTypeText(Capabilities.PortType t) {
        return switch (t) {
            case ENDPOINT -> "Endpoint";
            case LEGACY_ENDPOINT -> "Legacy Endpoint";
            case ROOT_PORT -> "Root Port";
            case UPSTREAM_SWITCH_PORT -> "Upstream Port";
            case DOWNSTREAM_SWITCH_PORT -> "Downstream Port";
            case PCIE_TO_PCI_BRIDGE -> "PCI-Express to PCI/PCI-X Bridge";
            case PCI_TO_PCIE_BRIDGE -> "PCI/PCI-X to PCI-Express Bridge";
            case RC_INTEGRATED_ENDPOINT -> "Root Complex Integrated Endpoint";
            case RC_EVENT_COLLECTOR -> "Root Complex Event Collector";
            case UNKNOWN -> "Unknown";
        };
    }
}
