package org.vfiobroker.inventory;

import java.util.ArrayList;
import java.util.List;

import org.vfiobroker.inventory.Capabilities.Capability;
import org.vfiobroker.inventory.Capabilities.LinkState;
import org.vfiobroker.inventory.Capabilities.Msi;
import org.vfiobroker.inventory.Capabilities.MsiX;
import org.vfiobroker.inventory.Capabilities.Pcie;
import org.vfiobroker.inventory.Capabilities.PortType;

/**
 * Parses the capability chains of a configuration space (PCI Local Bus 3.0 and PCIe Base 6.0 layouts), the
 * way {@code lspci} walks them: the standard list from the Capabilities Pointer when Status bit 4 is set,
 * and the extended list at 0x100 only for PCI Express functions whose space is longer than 256 bytes.
 */
public final class ConfigSpaceParser {

    /** Bytes of conventional config space; less than this and capabilities are unavailable. */
    public static final int CONVENTIONAL_SIZE = 256;

    public static final int CAP_PM = 0x01;
    public static final int CAP_MSI = 0x05;
    public static final int CAP_VENDOR = 0x09;
    public static final int CAP_SSVID = 0x0d;
    public static final int CAP_EXP = 0x10;
    public static final int CAP_MSIX = 0x11;
    public static final int CAP_AF = 0x13;
    public static final int ECAP_AER = 0x0001;
    public static final int ECAP_ACS = 0x000d;
    public static final int ECAP_ARI = 0x000e;
    public static final int ECAP_ATS = 0x000f;
    public static final int ECAP_SRIOV = 0x0010;

    private static final String[] STANDARD_NAMES = {
        "Null", "Power Management", "AGP", "Vital Product Data", "Slot ID", "MSI", "CompactPCI hot-swap", "PCI-X",
        "HyperTransport", "Vendor Specific Information", "Debug port", "CompactPCI central resource control",
        "PCI Hot-plug", "Subsystem ID", "AGP 8x", "Secure device", "PCI Express", "MSI-X", "SATA HBA",
        "PCI Advanced Features", "Enhanced Allocation", "Flattening Portal Bridge"};

    private static final String[] EXTENDED_NAMES = {
        "Null", "Advanced Error Reporting", "Virtual Channel", "Device Serial Number", "Power Budgeting",
        "Root Complex Link", "Root Complex Internal Link", "Root Complex Event Collector",
        "Multi-Function Virtual Channel", "Virtual Channel", "Root Complex Register Block",
        "Vendor Specific Information", "Configuration Access Correlation", "Access Control Services",
        "Alternative Routing-ID Interpretation", "Address Translation Service", "Single Root I/O Virtualization",
        "Multi-Root I/O Virtualization", "Multicast", "Page Request Interface", "AMD reserved",
        "Resizable BAR", "Dynamic Power Allocation", "TPH Requester", "Latency Tolerance Reporting",
        "Secondary PCI Express", "Protocol Multiplexing", "Process Address Space ID", "LN Requester",
        "Downstream Port Containment", "L1 PM Substates", "Precision Time Measurement", "PCI Express over M-PHY",
        "FRS Queueing", "Readiness Time Reporting", "Designated Vendor-Specific", "VF Resizable BAR",
        "Data Link Feature", "Physical Layer 16.0 GT/s", "Lane Margining at the Receiver", "Hierarchy ID",
        "Native PCIe Enclosure Management", "Physical Layer 32.0 GT/s", "Alternate Protocol",
        "System Firmware Intermediary", "Shadow Functions", "Data Object Exchange", "Device 3",
        "Integrity and Data Encryption", "Physical Layer 64.0 GT/s", "Flit Logging", "Flit Performance Measurement",
        "Flit Error Injection"};

    private ConfigSpaceParser() {
    }

    /** Parses {@code config}; fewer than 256 bytes give {@link Capabilities#unavailable(int)}. */
    public static Capabilities parse(byte[] config) {
        int size = config == null ? 0 : config.length;
        if (size < CONVENTIONAL_SIZE) {
            return Capabilities.unavailable(size);
        }
        List<Capability> list = new ArrayList<>(8);
        Msi msi = null;
        MsiX msix = null;
        Pcie pcie = null;
        boolean flr = false;
        int status = u16(config, 0x06);
        if ((status & 0x10) != 0) {
            int headerType = config[0x0e] & 0x7f;
            int ptr = u8(config, headerType == 2 ? 0x14 : 0x34) & 0xfc;
            boolean[] seen = new boolean[CONVENTIONAL_SIZE];
            while (ptr >= 0x40 && ptr < CONVENTIONAL_SIZE - 1 && !seen[ptr]) {
                seen[ptr] = true;
                int id = u8(config, ptr);
                int next = u8(config, ptr + 1) & 0xfc;
                if (id == 0xff) {
                    break;
                }
                list.add(new Capability(id, standardName(id), ptr, false, 0));
                switch (id) {
                    case CAP_MSI -> {
                        int ctrl = u16(config, ptr + 2);
                        msi = new Msi(1 << Math.min(5, ctrl >> 1 & 7), 1 << Math.min(5, ctrl >> 4 & 7),
                                (ctrl & 0x80) != 0, (ctrl & 0x100) != 0, (ctrl & 1) != 0);
                    }
                    case CAP_MSIX -> {
                        int ctrl = u16(config, ptr + 2);
                        msix = new MsiX((ctrl & 0x7ff) + 1, (ctrl & 0x8000) != 0, (ctrl & 0x4000) != 0);
                    }
                    case CAP_EXP -> {
                        if (pcie == null && ptr + 0x14 <= CONVENTIONAL_SIZE) {
                            pcie = parseExpress(config, ptr);
                            flr |= pcie.flr();
                        }
                    }
                    case CAP_AF -> flr |= (u8(config, ptr + 3) & 0x02) != 0;
                    default -> {
                    }
                }
                ptr = next;
            }
        }
        boolean acs = false;
        boolean aer = false;
        boolean ats = false;
        boolean sriov = false;
        if (pcie != null && size > CONVENTIONAL_SIZE) {
            int where = 0x100;
            boolean[] seen = new boolean[size];
            while (where >= 0x100 && where + 4 <= size && !seen[where]) {
                seen[where] = true;
                int header = s32(config, where);
                if (header == 0 || header == -1) {
                    break;
                }
                int id = header & 0xffff;
                int version = header >>> 16 & 0xf;
                list.add(new Capability(id, extendedName(id), where, true, version));
                switch (id) {
                    case ECAP_ACS -> acs = true;
                    case ECAP_AER -> aer = true;
                    case ECAP_ATS -> ats = true;
                    case ECAP_SRIOV -> sriov = true;
                    default -> {
                    }
                }
                where = header >>> 20 & 0xffc;
            }
        }
        return new Capabilities(true, size, list, msi, msix, pcie, acs, aer, ats, flr, sriov);
    }

    private static Pcie parseExpress(byte[] c, int ptr) {
        int caps = u16(c, ptr + 2);
        PortType type = PortType.ofCode(caps >> 4 & 0xf);
        boolean flr = (s32(c, ptr + 4) & (1 << 28)) != 0;
        LinkState cap = null;
        LinkState sta = null;
        if (type != PortType.RC_INTEGRATED_ENDPOINT && type != PortType.RC_EVENT_COLLECTOR) {
            int lnkCap = s32(c, ptr + 0x0c);
            int lnkSta = u16(c, ptr + 0x12);
            cap = new LinkState(speed(lnkCap & 0xf), lnkCap >> 4 & 0x3f);
            sta = new LinkState(speed(lnkSta & 0xf), lnkSta >> 4 & 0x3f);
        }
        return new Pcie(caps & 0xf, type, cap, sta, flr);
    }

    /** GT/s of a PCIe link speed encoding (1 = 2.5 GT/s ... 6 = 64 GT/s), {@code null} when unknown. */
    public static Double speed(int code) {
        return switch (code) {
            case 1 -> 2.5;
            case 2 -> 5.0;
            case 3 -> 8.0;
            case 4 -> 16.0;
            case 5 -> 32.0;
            case 6 -> 64.0;
            default -> null;
        };
    }

    public static String standardName(int id) {
        return id < STANDARD_NAMES.length ? STANDARD_NAMES[id] : String.format("Capability %02x", id);
    }

    public static String extendedName(int id) {
        return id < EXTENDED_NAMES.length ? EXTENDED_NAMES[id] : String.format("Extended capability %04x", id);
    }

    static int u8(byte[] c, int off) {
        return c[off] & 0xff;
    }

    static int u16(byte[] c, int off) {
        return (c[off] & 0xff) | (c[off + 1] & 0xff) << 8;
    }

    static int s32(byte[] c, int off) {
        return (c[off] & 0xff) | (c[off + 1] & 0xff) << 8 | (c[off + 2] & 0xff) << 16 | (c[off + 3] & 0xff) << 24;
    }
}
