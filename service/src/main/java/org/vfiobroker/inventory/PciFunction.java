package org.vfiobroker.inventory;

import java.util.List;

/**
 * One PCI function as the host sees it now. Names come from {@code pci.ids}; a {@code null} name means the
 * id is not listed there (or the file is absent) and only the id should be shown.
 *
 * @param address             the function's address
 * @param vendorId            16-bit vendor id
 * @param deviceId            16-bit device id
 * @param subsystemVendorId   16-bit subsystem vendor id (0 when the function has none)
 * @param subsystemDeviceId   16-bit subsystem device id (0 when the function has none)
 * @param revision            8-bit revision id
 * @param classCode           24-bit class code: base class, sub-class, programming interface ({@code 0x010802})
 * @param className           name of the sub-class (or of the base class when the sub-class is unlisted)
 * @param vendorName          vendor name
 * @param deviceName          device name
 * @param subsystemVendorName name of the subsystem vendor
 * @param subsystemName       name of the subsystem
 * @param driver              bound driver, {@code null} when unbound
 * @param driverOverride      {@code driver_override}, {@code null} when empty or absent
 * @param iommuGroup          IOMMU group number, {@code null} when the function has no group
 * @param numaNode            NUMA node, {@code null} when absent or -1
 * @param localCpus           {@code local_cpulist}, e.g. {@code "0-7,16-23"}, {@code null} when absent
 * @param link                link state from sysfs, {@code null} when the function exposes none
 * @param bars                the regions of {@code resource} that are assigned (size &gt; 0)
 * @param enabled             {@code enable} (the kernel's enable count is non-zero)
 * @param powerState          {@code power_state}, e.g. {@code "D0"}, {@code null} when absent
 * @param resetMethods        {@code reset_method}, e.g. {@code [flr, bus]}; empty when the function cannot be reset
 * @param sriov               SR-IOV state when the function is a physical function, else {@code null}
 * @param physicalFunction    the PF when this function is a virtual function, else {@code null}
 * @param parentChain         upstream bridges, from the root port down to the immediate parent; empty for
 *                            functions on a root bus
 * @param capabilities        capabilities from config space (see {@link Capabilities#configSpaceComplete()})
 * @param vfioCdev            vfio character device name ({@code vfio3}) when bound to vfio-pci with cdev support
 * @param netInterfaces       network interfaces of the function
 * @param blockDevices        block devices of the function (whole disks; partitions are folded in)
 * @param bootVga             whether this is the boot VGA device
 * @param holdsRootFilesystem whether the root filesystem lives on this function
 * @param inUse               why the host uses this function; empty when nothing uses it
 */
public record PciFunction(
        PciAddress address,
        int vendorId,
        int deviceId,
        int subsystemVendorId,
        int subsystemDeviceId,
        int revision,
        int classCode,
        String className,
        String vendorName,
        String deviceName,
        String subsystemVendorName,
        String subsystemName,
        String driver,
        String driverOverride,
        Integer iommuGroup,
        Integer numaNode,
        String localCpus,
        Link link,
        List<Bar> bars,
        boolean enabled,
        String powerState,
        List<String> resetMethods,
        Sriov sriov,
        PciAddress physicalFunction,
        List<PciAddress> parentChain,
        Capabilities capabilities,
        String vfioCdev,
        List<NetInterface> netInterfaces,
        List<BlockDevice> blockDevices,
        boolean bootVga,
        boolean holdsRootFilesystem,
        List<InUseReason> inUse) {

    public PciFunction {
        bars = List.copyOf(bars);
        resetMethods = List.copyOf(resetMethods);
        parentChain = List.copyOf(parentChain);
        netInterfaces = List.copyOf(netInterfaces);
        blockDevices = List.copyOf(blockDevices);
        inUse = List.copyOf(inUse);
    }

    /**
     * This function, re-read, with every part that equals the same part of {@code before} taken from
     * {@code before}: equal to this function, but a targeted refresh then makes a few small objects instead of a
     * function's worth (capabilities, BARs, names, parent chain), and what the snapshot keeps for a long time is
     * what it kept already (less for the garbage collector to promote and later collect).
     */
    public PciFunction sharingPartsOf(PciFunction before) {
        return new PciFunction(same(before.address, address), vendorId, deviceId, subsystemVendorId,
                subsystemDeviceId, revision, classCode, same(before.className, className),
                same(before.vendorName, vendorName), same(before.deviceName, deviceName),
                same(before.subsystemVendorName, subsystemVendorName), same(before.subsystemName, subsystemName),
                same(before.driver, driver), same(before.driverOverride, driverOverride),
                same(before.iommuGroup, iommuGroup), same(before.numaNode, numaNode), same(before.localCpus, localCpus),
                same(before.link, link), same(before.bars, bars), enabled, same(before.powerState, powerState),
                same(before.resetMethods, resetMethods), same(before.sriov, sriov),
                same(before.physicalFunction, physicalFunction), same(before.parentChain, parentChain),
                same(before.capabilities, capabilities), same(before.vfioCdev, vfioCdev),
                same(before.netInterfaces, netInterfaces), same(before.blockDevices, blockDevices), bootVga,
                holdsRootFilesystem, same(before.inUse, inUse));
    }

    private static <T> T same(T before, T now) {
        return java.util.Objects.equals(before, now) ? before : now;
    }

    /** Base class (bits 23..16 of the class code), e.g. {@code 0x02} network controller. */
    public int baseClass() {
        return classCode >>> 16;
    }

    /** Base class and sub-class (bits 23..8), e.g. {@code 0x0604} PCI bridge. */
    public int subClass() {
        return classCode >>> 8;
    }

    /** Whether this function is a bridge of any kind (base class 0x06 other than host bridge 0x0600). */
    public boolean isBridge() {
        return baseClass() == 0x06 && subClass() != 0x0600;
    }

    /** Whether this function is a PCI-to-PCI bridge or PCIe port (class 0x0604/0x0609), as pcieport binds. */
    public boolean isPciBridge() {
        return subClass() == 0x0604 || subClass() == 0x0609;
    }

    /** Whether this function is an SR-IOV virtual function. */
    public boolean isVirtualFunction() {
        return physicalFunction != null;
    }

    /** Whether the host uses this function (see {@link #inUse()}). */
    public boolean isInUse() {
        return !inUse.isEmpty();
    }

    /** {@code vvvv:dddd} in lower-case hexadecimal, as {@code lspci -n} prints it. */
    public String vendorDevice() {
        return hex(vendorId, 4) + ':' + hex(deviceId, 4);
    }

    /** {@code value} as lower-case hexadecimal of exactly {@code digits} digits (its low bits), like {@code %0Nx}. */
    public static String hex(int value, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = Character.forDigit(value & 0xf, 16);
            value >>>= 4;
        }
        return new String(out);
    }

    /**
     * The link as sysfs reports it ({@code current_link_speed}, {@code current_link_width},
     * {@code max_link_speed}, {@code max_link_width}).
     *
     * @param currentSpeedGts negotiated speed in GT/s, {@code null} when unknown
     * @param currentWidth    negotiated width in lanes, {@code null} when unknown
     * @param maxSpeedGts     maximum speed in GT/s, {@code null} when unknown
     * @param maxWidth        maximum width in lanes, {@code null} when unknown
     */
    public record Link(Double currentSpeedGts, Integer currentWidth, Double maxSpeedGts, Integer maxWidth) {
    }

    /**
     * One assigned region from the {@code resource} file.
     *
     * @param index        line index in {@code resource}: 0-5 BARs, 6 expansion ROM, 7+ bridge windows / SR-IOV BARs
     * @param start        start address
     * @param size         size in bytes
     * @param io           I/O port space ({@code false}: memory space)
     * @param address64    64-bit memory BAR
     * @param prefetchable prefetchable memory
     */
    public record Bar(int index, long start, long size, boolean io, boolean address64, boolean prefetchable) {
    }

    /**
     * SR-IOV state of a physical function.
     *
     * @param totalVfs {@code sriov_totalvfs}
     * @param numVfs   {@code sriov_numvfs}
     * @param vfs      addresses of the current VFs ({@code virtfnN} links), in VF index order
     */
    public record Sriov(int totalVfs, int numVfs, List<PciAddress> vfs) {
        public Sriov {
            vfs = List.copyOf(vfs);
        }
    }

    /**
     * A network interface of the function.
     *
     * @param name      interface name
     * @param operState {@code operstate}, e.g. {@code "up"}, {@code "down"}, {@code "unknown"}
     * @param up        administratively up ({@code IFF_UP} in {@code flags})
     * @param hasRoutes carries IPv4 or IPv6 routes
     */
    public record NetInterface(String name, String operState, boolean up, boolean hasRoutes) {
    }

    /**
     * A block device of the function with everything stacked on it.
     *
     * @param name    kernel name, e.g. {@code nvme0n1}
     * @param mounts  mount points of filesystems on it, its partitions or devices holding them
     * @param swap    whether it, a partition or a holder is active swap
     * @param holders devices stacked on it or its partitions, e.g. {@code dm-0}, {@code md127}
     */
    public record BlockDevice(String name, List<String> mounts, boolean swap, List<String> holders) {
        public BlockDevice {
            mounts = List.copyOf(mounts);
            holders = List.copyOf(holders);
        }
    }
}
