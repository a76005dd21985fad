package org.vfiobroker.inventory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

import org.vfiobroker.inventory.HostSummary.VfioModule;
import org.vfiobroker.inventory.InventoryService.Snapshot;
import org.vfiobroker.inventory.PciFunction.Bar;
import org.vfiobroker.inventory.PciFunction.Link;
import org.vfiobroker.inventory.PciFunction.Sriov;

/**
 * One full scan of the host: every function under {@code bus/pci/devices}, its config space, its groups, the
 * host's in-use state and the host summary. Functions are read in parallel; each one costs one directory
 * listing, the links and the small attribute files that exist (absent ones are never opened).
 */
final class SysfsScanner {

    /** Numbers the full scans of all inventories in this process ({@link Snapshot#generation()}). */
    private static final java.util.concurrent.atomic.AtomicLong GENERATIONS = new java.util.concurrent.atomic.AtomicLong();

    private final InventoryProperties properties;
    private final PciIds pciIds;
    private final ConfigSpaceReader configReader;
    private final DeviceNodeInspector nodes;
    private final ForkJoinPool pool;

    SysfsScanner(InventoryProperties properties, PciIds pciIds, ConfigSpaceReader configReader,
                 DeviceNodeInspector nodes, ForkJoinPool pool) {
        this.properties = properties;
        this.pciIds = pciIds;
        this.configReader = configReader;
        this.nodes = nodes;
        this.pool = pool;
    }

    Snapshot scan() {
        long started = System.nanoTime();
        Path sysfs = properties.sysfsRoot();
        Path devfs = properties.devfsRoot();
        Path devicesDir = sysfs.resolve("bus/pci/devices");
        String[] names = Sysfs.list(devicesDir);
        Arrays.sort(names);
        InUseDetector inUse = InUseDetector.load(sysfs, properties.procfsRoot());
        List<PciFunction> devices;
        try {
            devices = pool.submit(() -> Arrays.stream(names).parallel()
                    .filter(PciAddress::isWellFormed)
                    .map(name -> scanFunction(devicesDir, name, inUse))
                    .filter(f -> f != null)
                    .sorted((a, b) -> a.address().compareTo(b.address()))
                    .toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("inventory scan interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("inventory scan failed: " + e.getCause(), e.getCause());
        }
        List<VfioModule> modules = HostInspector.vfioModules(sysfs);
        List<IommuGroup> groups = groups(sysfs, devfs, devices, HostInspector.noiommuMode(modules));
        boolean anyCdev = devices.stream().anyMatch(f -> f.vfioCdev() != null);
        HostSummary host = HostInspector.inspect(sysfs, properties.procfsRoot(), devfs, groups, modules, anyCdev,
                nodes);
        return Snapshot.of(Instant.now(), Duration.ofNanos(System.nanoTime() - started),
                fingerprint(properties, names, devices, host), host, devices, groups, GENERATIONS.incrementAndGet());
    }

    /**
     * A snapshot like {@link #scan()}'s, re-reading only the functions of the given groups (their members in the
     * old snapshot and in {@code kernel/iommu_groups/<n>/devices} now) and rebuilding those groups, the host
     * summary and the fingerprint; every other function and group is taken from {@code old}. For the broker's own
     * changes to a group (bind, device nodes, restore), which touch nothing outside the group. The work is
     * O(group), apart from copying references: nothing lists {@code bus/pci/devices} or the groups; a function
     * that appeared or went away elsewhere is the hot-plug watcher's to find.
     *
     * @return {@code null} when a function of these groups appeared or went away: then only a full scan is right
     */
    Snapshot refresh(Snapshot old, Set<Integer> changed) {
        long started = System.nanoTime();
        Path sysfs = properties.sysfsRoot();
        Path devfs = properties.devfsRoot();
        Path devicesDir = sysfs.resolve("bus/pci/devices");
        Set<String> reread = new TreeSet<>();
        for (int g : changed) {
            IommuGroup before = old.groupsById().get(g);
            if (before != null) {
                before.members().forEach(a -> reread.add(a.toString()));
            }
            for (String n : Sysfs.list(sysfs.resolve("kernel/iommu_groups").resolve(Integer.toString(g)).resolve("devices"))) {
                if (PciAddress.isWellFormed(n)) {
                    reread.add(n);
                }
            }
        }
        // Interfaces and disks are read only for functions whose driver can make them (most re-read functions
        // are on vfio-pci or on none); a driver changed since (someone else's bind) makes it a full scan below.
        Map<String, String> driverBefore = new HashMap<>();
        Set<PciAddress> mayBeUsed = new HashSet<>();
        for (String n : reread) {
            String driver = Sysfs.linkName(devicesDir.resolve(n).resolve("driver"));
            driverBefore.put(n, driver);
            if (InUseDetector.mayHaveHostDevices(driver)) {
                mayBeUsed.add(PciAddress.parse(n));
            }
        }
        InUseDetector inUse = InUseDetector.load(sysfs, properties.procfsRoot(), mayBeUsed);
        Set<Integer> affected = new TreeSet<>(changed);
        Map<PciAddress, PciFunction> replaced = new HashMap<>();
        Fingerprint fingerprint = old.fingerprint();
        for (String n : reread) {
            PciAddress address = PciAddress.parse(n);
            PciFunction before = old.devicesByAddress().get(address);
            PciFunction now = scanFunction(devicesDir, n, inUse);
            if (before == null || now == null || !sameIdentityAndPlace(before, now)) {
                return null; // appeared, vanished, or not the function it was
            }
            if (!java.util.Objects.equals(now.driver(), driverBefore.get(n))) {
                return null; // its driver changed while it was read: its interfaces and disks may not have been
            }
            now = now.sharingPartsOf(before);
            replaced.put(address, now);
            fingerprint = fingerprint.withDriver(n, before.driver(), now.driver());
            if (before.iommuGroup() != null) {
                affected.add(before.iommuGroup());
            }
            if (now.iommuGroup() != null) {
                affected.add(now.iommuGroup());
            }
        }
        // O(changed groups), not O(host): every re-read function kept its group (else null above), so a group's
        // members are its members before, as re-read.
        Map<Integer, List<PciFunction>> members = new TreeMap<>();
        for (int id : affected) {
            IommuGroup before = old.groupsById().get(id);
            if (before == null) {
                return null; // a group formed meanwhile
            }
            List<PciFunction> now = new ArrayList<>(before.members().size());
            for (PciAddress a : before.members()) {
                PciFunction f = replaced.getOrDefault(a, old.devicesByAddress().get(a));
                if (f != null) {
                    now.add(f);
                }
            }
            members.put(id, now);
        }
        Path vfio = devfs.resolve("vfio");
        // java.io.File: no exception for a missing node (on JDK 17, Files.exists with NOFOLLOW_LINKS makes one, with
        // its stack trace, for each group without a node: several per grant).
        // the noiommu mode as the snapshot has it: a targeted refresh keeps the vfio modules (HostInspector.refreshed)
        GroupContext context = new GroupContext(sysfs, devfs, old.host().noiommuMode(),
                name -> vfio.resolve(name).toFile().exists());
        Map<Integer, IommuGroup> rebuilt = new HashMap<>();
        for (Map.Entry<Integer, List<PciFunction>> e : members.entrySet()) {
            int id = e.getKey();
            rebuilt.put(id, group(id, e.getValue(), context));
            // the /dev/vfio entries of this group, before (as the old snapshot saw them) and now
            String before = nodeName(old.groupsById().get(id));
            for (String name : List.of(Integer.toString(id), "noiommu-" + id)) {
                boolean was = name.equals(before);
                boolean is = context.vfioNode.test(name);
                if (was != is) {
                    fingerprint = fingerprint.withNode(name, is);
                }
            }
        }
        TreeSet<Integer> noiommu = new TreeSet<>(old.host().noiommuGroups());
        rebuilt.forEach((id, g) -> {
            if (g.noiommu()) {
                noiommu.add(id);
            } else {
                noiommu.remove(id);
            }
        });
        HostSummary host = HostInspector.refreshed(old.host(), sysfs, properties.procfsRoot(), devfs,
                List.copyOf(noiommu), anyCdev(old, replaced), nodes);
        return old.refreshed(Instant.now(), Duration.ofNanos(System.nanoTime() - started), fingerprint, host, replaced,
                rebuilt);
    }

    /**
     * Whether any function has a vfio cdev after a refresh replaced some: the host had none before (the common
     * case without cdevs, answered at once), a replaced one has one, or a function not re-read has one (found at
     * the first such function).
     */
    private static boolean anyCdev(Snapshot old, Map<PciAddress, PciFunction> replaced) {
        if (replaced.values().stream().anyMatch(f -> f.vfioCdev() != null)) {
            return true;
        }
        return old.host().cdevSupported() && old.devices().stream()
                .anyMatch(f -> f.vfioCdev() != null && !replaced.containsKey(f.address()));
    }

    /** The name of the group's entry in {@code /dev/vfio}, or {@code null} when it had none. */
    static String nodeName(IommuGroup g) {
        if (g == null || !g.deviceNode().exists()) {
            return null;
        }
        String path = g.deviceNode().path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** What a bind, restore or node change never changes; a change there needs a full scan. */
    private static boolean sameIdentityAndPlace(PciFunction before, PciFunction now) {
        return before.vendorId() == now.vendorId() && before.deviceId() == now.deviceId()
                && before.classCode() == now.classCode()
                && java.util.Objects.equals(before.iommuGroup(), now.iommuGroup())
                && java.util.Objects.equals(before.physicalFunction(), now.physicalFunction())
                && java.util.Objects.equals(before.numaNode(), now.numaNode());
    }

    private PciFunction scanFunction(Path devicesDir, String name, InUseDetector inUse) {
        PciAddress address = PciAddress.parse(name);
        Path dir = devicesDir.resolve(name);
        String target = Sysfs.link(dir);
        Set<String> files = new HashSet<>(Arrays.asList(Sysfs.list(dir)));
        if (files.isEmpty()) {
            return null; // vanished between listing and reading (hot-unplug)
        }
        byte[] config;
        try {
            config = configReader.read(address, dir);
        } catch (Exception e) {
            config = new byte[0];
        }
        // The header's ids are read from config space (one read instead of five files) when it is readable and
        // not a VF's (whose Vendor/Device ID registers read 0xffff); the class always from sysfs, which
        // reflects the kernel's class quirks.
        int classCode = Sysfs.hex(read(dir, files, "class"), 0) & 0xffffff;
        boolean header = config.length >= 64 && ConfigSpaceParser.u16(config, 0) != 0xffff;
        int vendor = header ? ConfigSpaceParser.u16(config, 0) : Sysfs.hex(read(dir, files, "vendor"), 0xffff);
        int device = header ? ConfigSpaceParser.u16(config, 2) : Sysfs.hex(read(dir, files, "device"), 0xffff);
        boolean type0 = header && (config[0x0e] & 0x7f) == 0;
        int subVendor = type0 ? ConfigSpaceParser.u16(config, 0x2c) : Sysfs.hex(read(dir, files, "subsystem_vendor"), 0);
        int subDevice = type0 ? ConfigSpaceParser.u16(config, 0x2e) : Sysfs.hex(read(dir, files, "subsystem_device"), 0);
        int revision = header ? config[8] & 0xff
                : files.contains("revision") ? Sysfs.hex(read(dir, files, "revision"), 0) : 0;
        String driver = files.contains("driver") ? Sysfs.linkName(dir.resolve("driver")) : null;
        String override = read(dir, files, "driver_override");
        if (override != null && (override.isEmpty() || override.equals("(null)"))) {
            override = null;
        }
        Integer group = null;
        if (files.contains("iommu_group")) {
            group = Sysfs.parseInt(Sysfs.linkName(dir.resolve("iommu_group")));
        }
        Integer numa = Sysfs.parseInt(read(dir, files, "numa_node"));
        if (numa != null && numa < 0) {
            numa = null;
        }
        Capabilities capabilities = ConfigSpaceParser.parse(config);
        Link link = null;
        if (capabilities.pcie() != null && capabilities.pcie().linkStatus() != null) {
            // the same registers sysfs's *_link_speed/width files are computed from
            Capabilities.LinkState sta = capabilities.pcie().linkStatus();
            Capabilities.LinkState cap = capabilities.pcie().linkCapability();
            link = new Link(sta.speedGts(), sta.width() > 0 ? sta.width() : null, cap.speedGts(),
                    cap.width() > 0 ? cap.width() : null);
        } else if (!capabilities.configSpaceComplete()
                && (files.contains("current_link_speed") || files.contains("max_link_speed"))) {
            link = new Link(gts(read(dir, files, "current_link_speed")), width(read(dir, files, "current_link_width")),
                    gts(read(dir, files, "max_link_speed")), width(read(dir, files, "max_link_width")));
        }
        List<Bar> bars = parseResource(read(dir, files, "resource"));
        boolean enabled = nonZero(read(dir, files, "enable"));
        String reset = read(dir, files, "reset_method");
        List<String> resetMethods = reset == null || reset.isBlank() ? List.of() : List.of(reset.trim().split("\\s+"));
        Sriov sriov = null;
        if (files.contains("sriov_totalvfs")) {
            Integer total = Sysfs.parseInt(read(dir, files, "sriov_totalvfs"));
            Integer num = Sysfs.parseInt(read(dir, files, "sriov_numvfs"));
            TreeMap<Integer, PciAddress> vfs = new TreeMap<>();
            for (String f : files) {
                if (f.startsWith("virtfn")) {
                    Integer index = Sysfs.parseInt(f.substring(6));
                    String vf = Sysfs.linkName(dir.resolve(f));
                    if (index != null && vf != null && PciAddress.isWellFormed(vf)) {
                        vfs.put(index, PciAddress.parse(vf));
                    }
                }
            }
            sriov = new Sriov(total != null ? total : 0, num != null ? num : 0, new ArrayList<>(vfs.values()));
        }
        PciAddress pf = null;
        if (files.contains("physfn")) {
            String p = Sysfs.linkName(dir.resolve("physfn"));
            pf = p != null && PciAddress.isWellFormed(p) ? PciAddress.parse(p) : null;
        }
        String cdev = null;
        if (files.contains("vfio-dev")) {
            String[] c = Sysfs.list(dir.resolve("vfio-dev"));
            Arrays.sort(c);
            cdev = c.length > 0 ? c[0] : null;
        }
        boolean bootVga = "1".equals(read(dir, files, "boot_vga"));
        InUseDetector.DeviceUse use = inUse.useOf(address);
        String vendorName = pciIds.vendorName(vendor);
        return new PciFunction(address, vendor, device, subVendor, subDevice, revision, classCode,
                pciIds.className(classCode), vendorName, pciIds.deviceName(vendor, device),
                subVendor == 0 && subDevice == 0 ? null : pciIds.vendorName(subVendor),
                subVendor == 0 && subDevice == 0 ? null : pciIds.subsystemName(vendor, device, subVendor, subDevice),
                driver, override, group, numa, read(dir, files, "local_cpulist"), link, bars, enabled,
                read(dir, files, "power_state"), resetMethods, sriov, pf, parentChain(target, address),
                capabilities, cdev, use.netInterfaces(), use.blockDevices(), bootVga,
                use.holdsRoot(), InUseDetector.reasons(address, use, bootVga));
    }

    private static String read(Path dir, Set<String> files, String name) {
        return files.contains(name) ? Sysfs.text(dir.toString() + '/' + name) : null;
    }

    private static boolean nonZero(String s) {
        Integer v = Sysfs.parseInt(s);
        return v != null && v != 0;
    }

    /** Upstream bridges in a device path {@code ../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0}. */
    static List<PciAddress> parentChain(String target, PciAddress self) {
        if (target == null) {
            return List.of();
        }
        List<PciAddress> chain = new ArrayList<>();
        for (String part : target.split("/")) {
            if (PciAddress.isWellFormed(part)) {
                chain.add(PciAddress.parse(part));
            }
        }
        if (!chain.isEmpty() && chain.get(chain.size() - 1).equals(self)) {
            chain.remove(chain.size() - 1);
        }
        return chain;
    }

    /** {@code "8.0 GT/s PCIe"} gives 8.0; {@code "Unknown"} gives {@code null}. */
    static Double gts(String text) {
        if (text == null) {
            return null;
        }
        int end = 0;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '.')) {
            end++;
        }
        if (end == 0) {
            return null;
        }
        try {
            return Double.parseDouble(text.substring(0, end));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer width(String text) {
        Integer w = Sysfs.parseInt(text);
        return w == null || w <= 0 || w > 32 ? null : w;
    }

    /** IORESOURCE_* flags of include/linux/ioport.h. */
    private static final long IORESOURCE_IO = 0x100;
    private static final long IORESOURCE_MEM = 0x200;
    private static final long IORESOURCE_PREFETCH = 0x2000;
    private static final long IORESOURCE_MEM_64 = 0x100000;

    /** Parses the {@code resource} file: one {@code start end flags} line per region, unassigned ones skipped. */
    static List<Bar> parseResource(String text) {
        if (text == null) {
            return List.of();
        }
        List<Bar> bars = new ArrayList<>();
        long[] f = new long[3];
        int index = 0;
        int at = 0;
        while (at <= text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            if (hexFields(text, at, end, f)) {
                long start = f[0];
                long last = f[1];
                long flags = f[2];
                if (!(last == 0 && start == 0) && (flags & (IORESOURCE_IO | IORESOURCE_MEM)) != 0) {
                    bars.add(new Bar(index, start, last - start + 1, (flags & IORESOURCE_IO) != 0,
                            (flags & IORESOURCE_MEM_64) != 0, (flags & IORESOURCE_PREFETCH) != 0));
                }
            }
            index++;
            at = end + 1;
        }
        return bars;
    }

    /**
     * Reads the first three whitespace-separated hexadecimal numbers ({@code 0x} optional) of {@code text[from,
     * to)} into {@code out}; false when there are fewer or one is not a number of at most 64 bits.
     */
    private static boolean hexFields(String text, int from, int to, long[] out) {
        int i = from;
        for (int field = 0; field < 3; field++) {
            while (i < to && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i + 1 < to && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')) {
                i += 2;
            }
            int digits = 0;
            long value = 0;
            while (i < to && !Character.isWhitespace(text.charAt(i))) {
                int d = Character.digit(text.charAt(i), 16);
                if (d < 0 || ++digits > 16) {
                    return false;
                }
                value = value << 4 | d;
                i++;
            }
            if (digits == 0) {
                return false;
            }
            out[field] = value;
        }
        return true;
    }

    private List<IommuGroup> groups(Path sysfs, Path devfs, List<PciFunction> devices, boolean noiommuMode) {
        Map<Integer, List<PciFunction>> members = new TreeMap<>();
        for (PciFunction f : devices) {
            if (f.iommuGroup() != null) {
                members.computeIfAbsent(f.iommuGroup(), k -> new ArrayList<>()).add(f);
            }
        }
        Set<String> vfioNodes = new HashSet<>(Arrays.asList(Sysfs.list(devfs.resolve("vfio"))));
        GroupContext context = new GroupContext(sysfs, devfs, noiommuMode, vfioNodes::contains);
        List<IommuGroup> out = new ArrayList<>(members.size());
        for (Map.Entry<Integer, List<PciFunction>> e : members.entrySet()) {
            out.add(group(e.getKey(), e.getValue(), context));
        }
        return out;
    }

    /** What building a group needs from the host besides its functions. */
    private static final class GroupContext {
        final Path devfs;
        final Path groupsDir;
        final boolean noiommuMode;
        final java.util.function.Predicate<String> vfioNode;

        GroupContext(Path sysfs, Path devfs, boolean noiommuMode, java.util.function.Predicate<String> vfioNode) {
            this.noiommuMode = noiommuMode;
            this.devfs = devfs;
            this.groupsDir = sysfs.resolve("kernel/iommu_groups");
            this.vfioNode = vfioNode;
        }
    }

    private IommuGroup group(int id, List<PciFunction> fs, GroupContext c) {
        boolean noiommu = c.vfioNode.test("noiommu-" + id) || c.noiommuMode
                && "vfio-noiommu".equals(Sysfs.text(c.groupsDir.resolve(Integer.toString(id)).resolve("name")));
        String nodeName = noiommu ? "noiommu-" + id : Integer.toString(id);
        DeviceNodeStatus node = c.vfioNode.test(nodeName)
                ? nodes.inspect(c.devfs.resolve("vfio").resolve(nodeName), "/dev/vfio/" + nodeName)
                : DeviceNodeStatus.missing("/dev/vfio/" + nodeName);
        IommuGroup.Viability viability = DmaOwnershipRule.evaluate(fs);
        List<IommuGroup.Blocker> blockers = new ArrayList<>();
        if (noiommu) {
            blockers.add(new IommuGroup.Blocker(null, null, "group " + id + " is a noiommu group: no IOMMU confines "
                    + "its DMA, so it is never handed to an unprivileged user", null));
        }
        if (!viability.viableOnceBound()) {
            blockers.addAll(viability.blockers());
        }
        if (fs.stream().allMatch(f -> f.baseClass() == 0x06)) {
            blockers.add(new IommuGroup.Blocker(null, null, "group " + id + " holds only bridges (host, PCI or "
                    + "PCIe ports), which stay with the kernel: there is no device in it for a user-space driver",
                    null));
        }
        for (PciFunction f : fs) {
            for (InUseReason r : f.inUse()) {
                blockers.add(new IommuGroup.Blocker(f.address(), f.driver(), r.detail(), r));
            }
        }
        return new IommuGroup(id, fs.stream().map(PciFunction::address).toList(), viability,
                new IommuGroup.Takeability(blockers.isEmpty(), blockers), noiommu, node);
    }

    /** The fingerprint of a scan, from what it read (no second pass over the devices). */
    private static Fingerprint fingerprint(InventoryProperties properties, String[] names, List<PciFunction> scanned,
                                           HostSummary host) {
        Map<String, String> byName = new HashMap<>(scanned.size() * 2);
        for (PciFunction f : scanned) {
            byName.put(f.address().toString(), f.driver());
        }
        String[] drivers = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            drivers[i] = byName.get(names[i]);
        }
        return Fingerprint.of(properties, names, drivers, host.vfioModules());
    }
}
