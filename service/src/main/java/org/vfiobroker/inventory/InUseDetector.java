package org.vfiobroker.inventory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vfiobroker.inventory.InUseReason.Kind;
import org.vfiobroker.inventory.PciFunction.BlockDevice;
import org.vfiobroker.inventory.PciFunction.NetInterface;

/**
 * The one place that decides whether the host uses a device: network interfaces that are up or carry
 * routes, block devices with mounted filesystems or active swap (also through stacked devices such as
 * dm-crypt, LVM, md), the boot VGA, and the device behind the root filesystem.
 *
 * <p>{@link #load(Path, Path)} reads the host once per scan, in one pass over {@code class/net},
 * {@code class/block}, {@code mountinfo}, {@code swaps} and the route tables; the per-device lookups are
 * then map reads.
 */
public final class InUseDetector {

    /** A mount from {@code mountinfo}. */
    record Mount(String majorMinor, String mountPoint, String source, String fsType) {
    }

    /** What was found for one PCI function. */
    record DeviceUse(List<NetInterface> netInterfaces, List<BlockDevice> blockDevices, boolean holdsRoot,
                     List<InUseReason> blockReasons) {
    }

    private static final DeviceUse NONE = new DeviceUse(List.of(), List.of(), false, List.of());
    private static final InUseDetector NOTHING = new InUseDetector(Map.of(), Map.of(), Map.of(), Set.of());

    private final Map<PciAddress, List<NetInterface>> net;
    private final Map<PciAddress, List<BlockDevice>> block;
    private final Map<PciAddress, List<InUseReason>> blockReasons;
    private final Set<PciAddress> rootHolders;

    private InUseDetector(Map<PciAddress, List<NetInterface>> net, Map<PciAddress, List<BlockDevice>> block,
                          Map<PciAddress, List<InUseReason>> blockReasons, Set<PciAddress> rootHolders) {
        this.net = net;
        this.block = block;
        this.blockReasons = blockReasons;
        this.rootHolders = rootHolders;
    }

    /**
     * Whether a function on this driver can have network interfaces or block devices at all. They are made by the
     * function's driver: a function on no driver, or on a vfio driver (which makes none), has none, and the host
     * can use it only as the boot VGA. Callers that re-read a few functions leave such functions out of the
     * {@code relevant} set of {@link #load(Path, Path, Set)}, which then need not read {@code class/net} and
     * {@code class/block} for them.
     */
    public static boolean mayHaveHostDevices(String driver) {
        return driver != null && !driver.isEmpty() && !DmaOwnershipRule.isVfio(driver);
    }

    /** Reads the host's network interfaces, block devices, mounts, swaps and routes once. */
    public static InUseDetector load(Path sysfs, Path procfs) {
        return load(sysfs, procfs, null);
    }

    /**
     * Like {@link #load(Path, Path)}, but only for the {@code relevant} functions ({@code null}: all): interfaces
     * and block devices of other functions are passed over after one {@code readlink} (and without parsing its
     * target when no relevant address occurs in it), and routes, mounts and swaps are read only when a relevant
     * function has an interface or a disk. For re-reading a few functions; an empty set reads nothing.
     */
    public static InUseDetector load(Path sysfs, Path procfs, Set<PciAddress> relevant) {
        if (relevant != null && relevant.isEmpty()) {
            return NOTHING;
        }
        List<String> relevantNames = relevant == null ? null : relevant.stream().map(PciAddress::toString).toList();
        Set<String> routed = null;
        Map<PciAddress, List<NetInterface>> net = new HashMap<>();
        Path classNet = sysfs.resolve("class/net");
        for (String name : Sysfs.list(classNet)) {
            PciAddress owner = relevantOwner(Sysfs.link(classNet.resolve(name)), relevant, relevantNames);
            if (owner == null) {
                continue;
            }
            if (routed == null) {
                routed = routedInterfaces(Sysfs.whole(procfs.resolve("net/route")),
                        Sysfs.whole(procfs.resolve("net/ipv6_route")));
            }
            Path dir = classNet.resolve(name);
            String oper = Sysfs.text(dir.resolve("operstate"));
            int flags = Sysfs.hex(Sysfs.text(dir.resolve("flags")), 0);
            net.computeIfAbsent(owner, a -> new ArrayList<>())
                    .add(new NetInterface(name, oper, (flags & 0x1) != 0, routed.contains(name)));
        }

        Path classBlock = sysfs.resolve("class/block");
        Map<PciAddress, List<BlockDevice>> block = new HashMap<>();
        Map<PciAddress, List<InUseReason>> reasons = new HashMap<>();
        Set<PciAddress> rootHolders = new HashSet<>();
        Map<String, List<String>> partitionsOf = new HashMap<>();
        Map<String, PciAddress> disks = new HashMap<>();
        for (String name : Sysfs.list(classBlock)) {
            String target = Sysfs.link(classBlock.resolve(name));
            PciAddress owner = relevantOwner(target, relevant, relevantNames);
            if (owner == null) {
                continue;
            }
            String[] parts = target.split("/");
            String parent = parts.length >= 2 ? parts[parts.length - 2] : "";
            if (java.nio.file.Files.exists(classBlock.resolve(name).resolve("partition"))) {
                partitionsOf.computeIfAbsent(parent, k -> new ArrayList<>()).add(name);
            } else {
                disks.put(name, owner);
            }
        }
        Map<String, List<Mount>> mountsByDev = new HashMap<>();
        Set<String> swaps = new HashSet<>();
        if (!disks.isEmpty()) {
            String mountinfo = Sysfs.whole(procfs.resolve("self/mountinfo"));
            List<Mount> mounts = mountinfo != null ? parseMountinfo(mountinfo) : List.of();
            for (Mount m : mounts) {
                mountsByDev.computeIfAbsent(m.majorMinor(), k -> new ArrayList<>()).add(m);
            }
            swaps.addAll(parseSwaps(Sysfs.whole(procfs.resolve("swaps"))));
        }
        for (Map.Entry<String, PciAddress> disk : new java.util.TreeMap<>(disks).entrySet()) {
            List<String> members = new ArrayList<>();
            members.add(disk.getKey());
            members.addAll(partitionsOf.getOrDefault(disk.getKey(), List.of()));
            Set<String> holders = new LinkedHashSet<>();
            for (String m : members) {
                collectHolders(classBlock, m, holders, 0);
            }
            List<String> stack = new ArrayList<>(members);
            stack.addAll(holders);
            List<String> mountPoints = new ArrayList<>();
            boolean swap = false;
            List<InUseReason> rs = reasons.computeIfAbsent(disk.getValue(), k -> new ArrayList<>());
            for (String dev : stack) {
                String majMin = Sysfs.text(classBlock.resolve(dev).resolve("dev"));
                for (Mount m : mountsByDev.getOrDefault(majMin, List.of())) {
                    mountPoints.add(m.mountPoint());
                    if ("/".equals(m.mountPoint())) {
                        rootHolders.add(disk.getValue());
                        rs.add(new InUseReason(Kind.ROOT_FILESYSTEM, dev, "the root filesystem / is mounted from "
                                + dev + " (" + m.fsType() + "); the device behind / is never taken, not even when forced"));
                    } else {
                        rs.add(new InUseReason(Kind.MOUNTED_FILESYSTEM, dev,
                                m.mountPoint() + " is mounted from " + dev + " (" + m.fsType() + ")"));
                    }
                }
                if (swaps.contains(dev) || swaps.contains(dmName(classBlock, dev))) {
                    swap = true;
                    rs.add(new InUseReason(Kind.ACTIVE_SWAP, dev, dev + " is active swap"));
                }
            }
            block.computeIfAbsent(disk.getValue(), k -> new ArrayList<>())
                    .add(new BlockDevice(disk.getKey(), mountPoints, swap, new ArrayList<>(holders)));
        }
        return new InUseDetector(net, block, reasons, rootHolders);
    }

    /** What the host uses of one function (its interfaces, disks and their uses). */
    DeviceUse useOf(PciAddress address) {
        List<NetInterface> n = net.get(address);
        List<BlockDevice> b = block.get(address);
        if (n == null && b == null) {
            return NONE;
        }
        return new DeviceUse(n != null ? n : List.of(), b != null ? b : List.of(), rootHolders.contains(address),
                blockReasons.getOrDefault(address, List.of()));
    }

    /** All in-use reasons of a function (see {@link #reasons(PciAddress, DeviceUse, boolean)}). */
    public List<InUseReason> reasonsOf(PciAddress address, boolean bootVga) {
        return reasons(address, useOf(address), bootVga);
    }

    /**
     * Whether the function has network interfaces or disks now (up or down, used or not), among the functions
     * read; what a bind to vfio-pci takes away.
     */
    public boolean hasHostDevices(PciAddress address) {
        return net.containsKey(address) || block.containsKey(address);
    }

    /** Whether the function holds the root filesystem (never taken, not even when forced). */
    public boolean holdsRoot(PciAddress address) {
        return rootHolders.contains(address);
    }

    /** All in-use reasons of a function, network first, then storage, then the boot VGA. */
    static List<InUseReason> reasons(PciAddress address, DeviceUse use, boolean bootVga) {
        List<InUseReason> out = new ArrayList<>();
        for (NetInterface i : use.netInterfaces()) {
            if (i.up()) {
                out.add(new InUseReason(Kind.NETWORK_INTERFACE_UP, i.name(),
                        "network interface " + i.name() + " is up (operstate " + i.operState() + ")"));
            }
            if (i.hasRoutes()) {
                out.add(new InUseReason(Kind.NETWORK_ROUTES, i.name(), "network interface " + i.name() + " carries routes"));
            }
        }
        out.addAll(use.blockReasons());
        if (bootVga) {
            out.add(new InUseReason(Kind.BOOT_VGA, address.toString(),
                    address + " is the boot VGA device (the firmware console)"));
        }
        return out;
    }

    /** The function owning a link's target if it is relevant; a target naming no relevant address is not parsed. */
    private static PciAddress relevantOwner(String target, Set<PciAddress> relevant, List<String> relevantNames) {
        if (target == null || (relevantNames != null && relevantNames.stream().noneMatch(target::contains))) {
            return null;
        }
        PciAddress owner = owningFunction(target);
        return owner != null && (relevant == null || relevant.contains(owner)) ? owner : null;
    }

    /** The deepest PCI function in a device path such as {@code ../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0/net/eth0}. */
    static PciAddress owningFunction(String target) {
        if (target == null) {
            return null;
        }
        PciAddress found = null;
        for (String part : target.split("/")) {
            if (PciAddress.isWellFormed(part)) {
                found = PciAddress.parse(part);
            }
        }
        return found;
    }

    private static void collectHolders(Path classBlock, String dev, Set<String> out, int depth) {
        if (depth > 8) {
            return;
        }
        for (String h : Sysfs.list(classBlock.resolve(dev).resolve("holders"))) {
            if (out.add(h)) {
                collectHolders(classBlock, h, out, depth + 1);
            }
        }
    }

    private static String dmName(Path classBlock, String dev) {
        if (!dev.startsWith("dm-")) {
            return dev;
        }
        String name = Sysfs.text(classBlock.resolve(dev).resolve("dm/name"));
        return name != null ? "mapper/" + name : dev;
    }

    /** Parses {@code /proc/<pid>/mountinfo} (proc(5)); octal escapes in mount points are decoded. */
    static List<Mount> parseMountinfo(String text) {
        List<Mount> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 10) {
                continue;
            }
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Mount(f[2], unescape(f[4]), unescape(f[dash + 2]), f[dash + 1]));
        }
        return out;
    }

    /**
     * Parses {@code /proc/swaps}: the kernel names of the active swap devices ({@code /dev/nvme0n1p3} gives
     * {@code nvme0n1p3}, {@code /dev/mapper/vg-swap} gives {@code mapper/vg-swap}); swap files are skipped
     * (their filesystem is mounted, which counts already).
     */
    static List<String> parseSwaps(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 2 || !f[1].equals("partition")) {
                continue;
            }
            String file = unescape(f[0]);
            out.add(file.startsWith("/dev/") ? file.substring(5) : file);
        }
        return out;
    }

    /** Interfaces that appear in the IPv4 or IPv6 routing table, except the loopback. */
    static Set<String> routedInterfaces(String ipv4, String ipv6) {
        Set<String> out = new HashSet<>();
        if (ipv4 != null) {
            String[] lines = ipv4.split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].trim().split("\\s+");
                if (f.length >= 2 && !f[0].isEmpty()) {
                    out.add(f[0]);
                }
            }
        }
        if (ipv6 != null) {
            for (String line : ipv6.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 10) {
                    out.add(f[f.length - 1]);
                }
            }
        }
        out.remove("lo");
        return out;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1) && isOctal(s, i + 2) && isOctal(s, i + 3)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }
}
