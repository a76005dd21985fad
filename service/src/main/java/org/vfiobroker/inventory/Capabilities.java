package org.vfiobroker.inventory;

import java.util.List;

/**
 * The capabilities of a function parsed from its configuration space.
 *
 * <p>An unprivileged process reads only the first 64 bytes of {@code config} from sysfs; then nothing
 * beyond the header is known and {@link #configSpaceComplete()} is {@code false}: {@link #list()} is empty,
 * the typed capabilities are {@code null} and the flags are {@code false} meaning "unknown", not "absent".
 * A {@link ConfigSpaceReader} supplied by the host helper can provide the full space.
 *
 * @param configSpaceComplete whether at least the 256 bytes of conventional config space were readable
 * @param configSpaceSize     how many bytes were read (64, 256 or 4096)
 * @param list                every capability in chain order, standard first, then extended
 * @param msi                 MSI, {@code null} when absent
 * @param msix                MSI-X, {@code null} when absent
 * @param pcie                PCI Express, {@code null} for conventional PCI
 * @param acs                 Access Control Services extended capability present
 * @param aer                 Advanced Error Reporting extended capability present
 * @param ats                 Address Translation Services extended capability present
 * @param flr                 Function Level Reset supported (PCIe DevCap bit 28 or the Advanced Features capability)
 * @param sriov               SR-IOV extended capability present
 */
public record Capabilities(boolean configSpaceComplete, int configSpaceSize, List<Capability> list,
                           Msi msi, MsiX msix, Pcie pcie, boolean acs, boolean aer, boolean ats, boolean flr,
                           boolean sriov) {

    public Capabilities {
        list = List.copyOf(list);
    }

    /** Nothing is known beyond the header: the config space could not be read far enough. */
    public static Capabilities unavailable(int bytesRead) {
        return new Capabilities(false, bytesRead, List.of(), null, null, null, false, false, false, false, false);
    }

    /**
     * One entry of a capability chain.
     *
     * @param id       capability id (8 bits for standard, 16 bits for extended capabilities)
     * @param name     a short name, e.g. {@code "MSI-X"}, {@code "Access Control Services"}
     * @param offset   offset in config space
     * @param extended whether it is a PCIe extended capability (offset 0x100 and above)
     * @param version  the extended capability version, 0 for standard capabilities
     */
    public record Capability(int id, String name, int offset, boolean extended, int version) {
    }

    /**
     * @param vectors          vectors the function can request (Multiple Message Capable: 1, 2, 4 ... 32)
     * @param enabledVectors   vectors enabled now (Multiple Message Enable)
     * @param address64        64-bit message address
     * @param perVectorMasking per-vector masking capable
     * @param enabled          MSI enable bit
     */
    public record Msi(int vectors, int enabledVectors, boolean address64, boolean perVectorMasking, boolean enabled) {
    }

    /**
     * @param tableSize number of MSI-X vectors (table size field + 1)
     * @param enabled   MSI-X enable bit
     * @param masked    function mask bit
     */
    public record MsiX(int tableSize, boolean enabled, boolean masked) {
    }

    /**
     * @param version        capability version (1 or 2)
     * @param portType       device/port type
     * @param linkCapability maximum link from Link Capabilities, {@code null} when the function has no link
     *                       (root complex integrated endpoints and event collectors)
     * @param linkStatus     negotiated link from Link Status, {@code null} when the function has no link
     * @param flr            Function Level Reset capable (Device Capabilities bit 28)
     */
    public record Pcie(int version, PortType portType, LinkState linkCapability, LinkState linkStatus, boolean flr) {
    }

    /**
     * A link speed and width.
     *
     * @param speedGts speed in GT/s (2.5, 5, 8, 16, 32, 64), {@code null} when the encoding is unknown
     * @param width    lanes (x1 = 1)
     */
    public record LinkState(Double speedGts, int width) {
    }

    /** Device/port type field of the PCI Express Capabilities register. */
    public enum PortType {
        ENDPOINT(0x0),
        LEGACY_ENDPOINT(0x1),
        ROOT_PORT(0x4),
        UPSTREAM_SWITCH_PORT(0x5),
        DOWNSTREAM_SWITCH_PORT(0x6),
        PCIE_TO_PCI_BRIDGE(0x7),
        PCI_TO_PCIE_BRIDGE(0x8),
        RC_INTEGRATED_ENDPOINT(0x9),
        RC_EVENT_COLLECTOR(0xa),
        UNKNOWN(-1);

        private final int code;

        PortType(int code) {
            this.code = code;
        }

        /** The 4-bit field value. */
        public int code() {
            return code;
        }

        public static PortType ofCode(int code) {
            for (PortType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return UNKNOWN;
        }
    }
}
