package org.vfiobroker.host;

import org.vfiobroker.inventory.DmaOwnershipRule;
import org.vfiobroker.inventory.InUseDetector;
import org.vfiobroker.inventory.InUseReason;
import org.vfiobroker.inventory.InventoryProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.Sysfs;

/**
 * Kernel semantics in memory, on a fixture tree on disk (sysfs, devfs and procfs roots): binding
 * moves the {@code driver} link to {@code bus/pci/drivers/vfio-pci} and writes
 * {@code driver_override}, the group node appears, ownership changes (kept in memory when the
 * service may not chown), VFs appear and disappear. It refuses what the real helper refuses:
 * noiommu groups, members the host uses ({@link InUseDetector}, the inventory's rule), groups that are not viable
 * ({@link DmaOwnershipRule}), grantees below the minimum uid, processes of another user. It has
 * no policy file: every device is allowed except the one behind {@code /}.
 *
 * <p>Locking: the steps on one IOMMU group (inspect, bind, grant and revoke its nodes, its node, holders) and
 * on one device (restore, reset, config space; they lock the group the device is in, or the device's address
 * when it has no group) hold that group's lock, so steps on different groups run in parallel. Changing the
 * host's shape ({@link #setNumVfs}: VF directories and their groups come and go) takes the write lock of
 * {@link #shape}; every other step on the tree holds its read lock. What groups share is safe without a group
 * lock: the maps are concurrent and keyed by group, device, user or process; a device's cdev nodes belong to
 * its group; and the directories several groups create ({@code dev/vfio}, {@code dev/vfio/devices},
 * {@code bus/pci/drivers/<name>}) are created, when missing, with {@link Files#createDirectories}, which
 * tolerates a concurrent creator.
 */
public class SimulatedHost implements HostAgent {

    private static final int GROUP_LOCK_STRIPES = 1024;

    private final Path sys;
    private final Path dev;
    private final Path proc;
    private final int minUid;
    private final Map<Integer, DeviceNode> ownership = new ConcurrentHashMap<>();
    private final Map<String, String> previousDrivers = new ConcurrentHashMap<>();
    private final Map<String, Long> userMemlock = new ConcurrentHashMap<>();
    private final Map<Long, Long> processMemlock = new ConcurrentHashMap<>();

    /** Write lock: a change of the host's shape ({@link #setNumVfs}); read lock: any other step on the tree. */
    private final ReadWriteLock shape = new ReentrantReadWriteLock();
    /** Group locks, striped: group {@code g} (or a device in no group) maps to one of these. */
    private final Lock[] groupLocks = new Lock[GROUP_LOCK_STRIPES];
    /**
     * The real path of the sysfs root, read once (no step moves it, nor its {@code devices} and {@code bus/pci}
     * directories): a device's directory is then its link's target resolved against the real {@code bus/pci/devices},
     * one {@code readlink} instead of a {@code realpath} per lookup, which costs one per path component.
     */
    private volatile Path realSys;

    /**
     * @throws IllegalStateException when a root is this machine's own {@code /sys}, {@code /proc} or {@code /dev}:
     *                               the simulation writes to its tree (drivers, nodes), which must be a fixture
     */
    public SimulatedHost(InventoryProperties roots, SimulatedHostProperties properties) {
        for (Path root : List.of(roots.sysfsRoot(), roots.devfsRoot(), roots.procfsRoot())) {
            refuseTheRealHost(root);
        }
        this.sys = roots.sysfsRoot();
        this.dev = roots.devfsRoot();
        this.proc = roots.procfsRoot();
        this.minUid = properties.minUid();
        for (int i = 0; i < groupLocks.length; i++) {
            groupLocks[i] = new ReentrantLock();
        }
    }

    /**
     * A function as a step finds it: its directory and driver; its ids and class are read when a step asks for them
     * (a bind needs the class, an inspection all three, most steps none).
     */
    private record Device(String address, Path dir, String driver) {
        String vendor() {
            return hex(dir, "vendor");
        }

        String device() {
            return hex(dir, "device");
        }

        String classCode() {
            String v = Sysfs.text(dir.resolve("class"));
            return v == null ? "0x000000" : v;
        }

        boolean bridge() {
            return classCode().startsWith("0x0604");
        }

        boolean leftAlone() {
            return DmaOwnershipRule.leftAloneByBind(Integer.decode(classCode()), driver);
        }
    }

    @Override
    public GroupInspection inspectGroup(int group) {
        return onGroup(group, () -> inspectGroupLocked(group));
    }

    private GroupInspection inspectGroupLocked(int group) {
        List<Device> members = members("inspect-group", group);
        List<GroupInspection.Member> out = new ArrayList<>();
        for (Device d : members) {
            Use use = use(d);
            String classCode = d.classCode();
            out.add(new GroupInspection.Member(d.address(), d.vendor(), d.device(), classCode, d.driver(),
                    classCode.startsWith("0x0604"), DmaOwnershipRule.allowsUserDma(d.driver()), use.reasons(),
                    use.rootDevice(), !use.rootDevice(), use.rootDevice() ? "root-device" : "simulated-allow",
                    cdevs(d)));
        }
        boolean viable = members.stream().allMatch(d -> DmaOwnershipRule.allowsUserDma(d.driver()));
        return new GroupInspection(group, noiommu(group), read(groupDir(group).resolve("type")), viable,
                out, node(group), cdevNodes(members), containerUsable());
    }

    @Override
    public BindResult bindGroup(int group) {
        return onGroup(group, () -> bindGroupLocked(group));
    }

    private BindResult bindGroupLocked(int group) {
        List<Device> members = members("bind-group", group);
        Set<String> withHostDevices = refuseUnlessFree("bind-group", group, members);
        List<BindResult.MemberBinding> out = new ArrayList<>();
        for (Device d : members) {
            String action;
            String after = d.driver();
            if (d.leftAlone()) {
                action = "left-alone";
            } else if (DmaOwnershipRule.isVfio(d.driver())) {
                action = "already-bound";
            } else {
                writeIfPresent(d.dir().resolve("driver_override"), "vfio-pci");
                if (d.driver() != null) {
                    previousDrivers.put(d.address(), d.driver());
                }
                setDriver(d, "vfio-pci", withHostDevices.contains(d.address()));
                action = "bound";
                after = "vfio-pci";
            }
            out.add(new BindResult.MemberBinding(d.address(), d.driver(), action, after));
        }
        createNode(group, members);
        // as the kernel would say it now: each member's driver read again (the members stay, the group is locked)
        boolean viable = members.stream()
                .allMatch(d -> DmaOwnershipRule.allowsUserDma(linkBase(d.dir().resolve("driver"))));
        return new BindResult(group, out, viable);
    }

    @Override
    public RestoreResult restore(PciAddress address, Optional<String> previousDriver) {
        return onDevice(address, () -> restoreLocked(address, previousDriver));
    }

    private RestoreResult restoreLocked(PciAddress address, Optional<String> previousDriver) {
        Device d = device("restore", address.toString());
        Use use = use(d);
        if (use.rootDevice()) {
            throw new HostRefusedException("restore", 65, "denied-by-policy", "restore: " + d.address()
                    + ": not allowed by the policy", List.of(d.address() + ": root-device"));
        }
        writeIfPresent(d.dir().resolve("driver_override"), "\n");
        String action = "cleared-override";
        String after = d.driver();
        if (d.driver() == null || DmaOwnershipRule.isVfio(d.driver())) {
            String target = previousDriver.orElse(previousDrivers.get(d.address()));
            if (previousDriver.isPresent() && !Files.isDirectory(sys.resolve("bus/pci/drivers").resolve(target))) {
                throw new HostRefusedException("restore", 67, "driver-not-found",
                        "restore: open driver " + target + " (No such file or directory)", List.of());
            }
            setDriver(d, target, true);
            after = target;
            action = previousDriver.isPresent() ? "bound-to-named-driver" : "probed";
            previousDrivers.remove(d.address());
            removeNodeIfUnbound(d);
        }
        return new RestoreResult(d.address(), d.driver(), action, after);
    }

    @Override
    public NodeGrant grantNodes(int group, int uid, int gid, NodeMode mode) {
        return onGroup(group, () -> grantNodesLocked(group, uid, gid, mode));
    }

    private NodeGrant grantNodesLocked(int group, int uid, int gid, NodeMode mode) {
        if (uid == 0 || Integer.compareUnsigned(uid, minUid) < 0) {
            throw new HostRefusedException("grant-nodes", 65, "uid-below-minimum",
                    "grant-nodes: uid " + Integer.toUnsignedString(uid) + " is below min-uid " + minUid, List.of());
        }
        if (gid == 0) {
            throw new HostRefusedException("grant-nodes", 65, "gid-root",
                    "grant-nodes: gid 0 (root) is never a grantee group", List.of());
        }
        List<Device> members = members("grant-nodes", group);
        refuseUnlessFree("grant-nodes", group, members);
        List<String> notViable = members.stream().filter(d -> !DmaOwnershipRule.allowsUserDma(d.driver()))
                .map(d -> d.address() + ": bound to a driver that does not let user space own DMA").toList();
        if (!notViable.isEmpty()) {
            throw new HostRefusedException("grant-nodes", 66, "not-viable",
                    "grant-nodes: group " + group + " is not viable; bind it first", notViable);
        }
        Path node = dev.resolve("vfio").resolve(Integer.toString(group));
        if (!present(node)) {
            throw new HostRefusedException("grant-nodes", 67, "node-not-found",
                    "grant-nodes: stat dev/vfio/" + group + " (No such file or directory)", List.of());
        }
        setOwner(group, node, uid, gid, mode.bits());
        return new NodeGrant(group, node(group), cdevNodes(members), containerUsable());
    }

    @Override
    public NodeGrant revokeNodes(int group) {
        return onGroup(group, () -> revokeNodesLocked(group));
    }

    private NodeGrant revokeNodesLocked(int group) {
        List<Device> members = members("revoke-nodes", group);
        Path node = dev.resolve("vfio").resolve(Integer.toString(group));
        if (present(node)) {
            setOwner(group, node, 0, 0, 0600);
        }
        return new NodeGrant(group, node(group), cdevNodes(members), containerUsable());
    }

    @Override
    public NumVfsResult setNumVfs(PciAddress physicalFunction, int numVfs) {
        Lock write = shape.writeLock();
        write.lock();
        try {
            return setNumVfsLocked(physicalFunction, numVfs);
        } finally {
            write.unlock();
        }
    }

    private NumVfsResult setNumVfsLocked(PciAddress physicalFunction, int numVfs) {
        Device pf = device("set-numvfs", physicalFunction.toString());
        String total = read(pf.dir().resolve("sriov_totalvfs"));
        if (total == null) {
            throw new HostRefusedException("set-numvfs", 67, "not-sriov",
                    "set-numvfs: " + pf.address() + ": the device has no SR-IOV capability", List.of());
        }
        int totalVfs = Integer.parseInt(total);
        if (numVfs < 0 || numVfs > totalVfs) {
            throw new HelperFailedException("set-numvfs", 64, "out-of-range", "set-numvfs: " + pf.address() + ": "
                    + numVfs + " VFs requested, the device supports " + totalVfs, List.of(), null);
        }
        String current = read(pf.dir().resolve("sriov_numvfs"));
        int previous = current == null ? 0 : Integer.parseInt(current);
        if (previous != numVfs) {
            removeVfs(pf, previous);
            createVfs(pf, physicalFunction, numVfs);
            writeIfPresent(pf.dir().resolve("sriov_numvfs"), Integer.toString(numVfs));
        }
        return new NumVfsResult(pf.address(), totalVfs, previous, numVfs);
    }

    @Override
    public MemlockResult setUserMemlock(String user, long bytes) {
        if (bytes < 0 || bytes % 1024 != 0) {
            throw new HelperFailedException("memlock-user", 64, "not-whole-kib",
                    "parse bytes: " + bytes + " is not a whole number of KiB", List.of(), null);
        }
        userMemlock.put(user, bytes);
        return new MemlockResult(user, -1, bytes, false);
    }

    @Override
    public MemlockResult removeUserMemlock(String user) {
        return new MemlockResult(user, -1, 0, userMemlock.remove(user) != null);
    }

    /** What the simulated pam_limits drop-in says for a user, if any. */
    public Optional<Long> userMemlock(String user) {
        return Optional.ofNullable(userMemlock.get(user));
    }

    @Override
    public ProcessMemlockResult setProcessMemlock(long pid, int uid, long bytes) {
        if (uid == 0 || Integer.compareUnsigned(uid, minUid) < 0) {
            throw new HostRefusedException("memlock-pid", 65, "uid-below-minimum",
                    "memlock-pid: uid " + Integer.toUnsignedString(uid) + " is below min-uid " + minUid, List.of());
        }
        Path status = proc.resolve(Long.toString(pid)).resolve("status");
        String text = read(status);
        if (text == null) {
            throw new HostRefusedException("memlock-pid", 67, "process-not-found", "memlock-pid: process " + pid,
                    List.of());
        }
        int owner = -1;
        String comm = "";
        for (String line : text.split("\n")) {
            if (line.startsWith("Uid:")) {
                owner = Integer.parseUnsignedInt(line.substring(4).trim().split("\\s+")[0]);
            } else if (line.startsWith("Name:")) {
                comm = line.substring(5).trim();
            }
        }
        if (owner != uid) {
            throw new HostRefusedException("memlock-pid", 65, "pid-not-grantee", "memlock-pid: process " + pid
                    + " belongs to uid " + Integer.toUnsignedString(owner) + ", not uid " + uid, List.of());
        }
        Long previous = processMemlock.put(pid, bytes);
        long before = previous == null ? -1 : previous;
        return new ProcessMemlockResult(pid, uid, comm, bytes, before, before);
    }

    /** The simulation runs no device users: nobody holds a node. */
    @Override
    public List<Holder> holders(int group) {
        return onGroup(group, () -> {
            members("holders", group);
            return List.<Holder>of();
        });
    }

    @Override
    public TerminationReport terminateHolders(int group, Duration grace) {
        return onGroup(group, () -> {
            members("terminate-holders", group);
            return new TerminationReport(group, List.of(), true);
        });
    }

    @Override
    public void reset(PciAddress address) {
        onDevice(address, () -> {
            resetLocked(address);
            return null;
        });
    }

    private void resetLocked(PciAddress address) {
        Device d = device("reset", address.toString());
        Use use = use(d);
        if (use.rootDevice()) {
            throw new HostRefusedException("reset", 65, "denied-by-policy",
                    "reset: " + d.address() + ": not allowed by the policy", List.of(d.address() + ": root-device"));
        }
        if (!use.reasons().isEmpty()) {
            throw new HostRefusedException("reset", 66, "in-use", "reset: " + d.address() + ": in use by the host",
                    use.reasons().stream().map(r -> d.address() + ": " + r).toList());
        }
    }

    @Override
    public byte[] readConfigSpace(PciAddress address) {
        return onDevice(address, () -> readConfigSpaceLocked(address));
    }

    private byte[] readConfigSpaceLocked(PciAddress address) {
        Device d = device("read-config", address.toString());
        try {
            Path config = d.dir().resolve("config");
            byte[] bytes = Files.exists(config) ? Files.readAllBytes(config) : new byte[0];
            return bytes.length > 4096 ? java.util.Arrays.copyOf(bytes, 4096) : bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HelperVersion version() {
        return new HelperVersion("simulated", "simulated");
    }

    @Override
    public Optional<DeviceNode> groupNode(int group) {
        return onGroup(group, () -> {
            DeviceNode node = node(group);
            return node.exists() ? Optional.<DeviceNode>of(node) : Optional.<DeviceNode>empty();
        });
    }

    // ------------------------------------------------------------------ locking

    /** Runs a step on one group: the read lock of the host's shape, then the group's lock. */
    private <T> T onGroup(int group, Supplier<T> step) {
        Lock read = shape.readLock();
        read.lock();
        try {
            return withLock(groupLock(group), step);
        } finally {
            read.unlock();
        }
    }

    /**
     * Runs a step on one device: the read lock of the host's shape, then the lock of the group the device is in
     * (its {@code iommu_group} link, stable while the read lock is held), or of its address when it has none.
     */
    private <T> T onDevice(PciAddress address, Supplier<T> step) {
        Lock read = shape.readLock();
        read.lock();
        try {
            String group = linkBase(sys.resolve("bus/pci/devices").resolve(address.toString()).resolve("iommu_group"));
            int key = address.toString().hashCode();
            if (group != null) {
                try {
                    key = Integer.parseInt(group);
                } catch (NumberFormatException e) {
                    // not a group number: lock the device's address
                }
            }
            return withLock(groupLock(key), step);
        } finally {
            read.unlock();
        }
    }

    private Lock groupLock(int key) {
        return groupLocks[Math.floorMod(key, groupLocks.length)];
    }

    private static <T> T withLock(Lock lock, Supplier<T> step) {
        lock.lock();
        try {
            return step.get();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ the tree

    private Path groupDir(int group) {
        return sys.resolve("kernel/iommu_groups").resolve(Integer.toString(group));
    }

    private boolean noiommu(int group) {
        return "vfio-noiommu".equals(read(groupDir(group).resolve("name")))
                || present(dev.resolve("vfio/noiommu-" + group));
    }

    private List<Device> members(String verb, int group) {
        String[] addresses = group < 0 ? null : groupDir(group).resolve("devices").toFile().list();
        if (addresses == null) {
            throw new HostRefusedException(verb, 67, "group-not-found", "open group " + group
                    + " (No such file or directory)", List.of());
        }
        java.util.Arrays.sort(addresses);
        List<Device> members = new ArrayList<>(addresses.length);
        for (String address : addresses) {
            members.add(device(verb, address));
        }
        return members;
    }

    private Device device(String verb, String address) {
        PciAddress.parse(address);
        Path link = sys.resolve("bus/pci/devices").resolve(address);
        Path dir;
        try {
            dir = realSys().resolve("bus/pci/devices").resolve(Files.readSymbolicLink(link)).normalize();
        } catch (java.nio.file.NotLinkException e) {
            throw new HostRefusedException(verb, 66, "path-escape",
                    "device " + address + ": not a link into sysfs devices/", List.of());
        } catch (IOException | UncheckedIOException e) { // no such link, or no sysfs root at all
            throw new HostRefusedException(verb, 67, "not-found", "device " + address + " (No such device)", List.of());
        }
        if (!dir.startsWith(realSys().resolve("devices"))) {
            throw new HostRefusedException(verb, 66, "path-escape",
                    "device " + address + ": link target is not under sysfs devices/", List.of());
        }
        String driver = linkBase(dir.resolve("driver"));
        if (driver == null && !dir.toFile().isDirectory()) {
            throw new HostRefusedException(verb, 67, "not-found", "device " + address + " (No such device)", List.of());
        }
        return new Device(address, dir, driver);
    }

    private Path realSys() {
        Path p = realSys;
        if (p == null) {
            try {
                p = sys.toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            realSys = p;
        }
        return p;
    }

    private static String hex(Path dir, String name) {
        String v = Sysfs.text(dir.resolve(name));
        return v != null && v.startsWith("0x") ? v.substring(2) : v;
    }

    /**
     * Refuses a group the helper would refuse (noiommu, a member behind {@code /} or in use by the host).
     *
     * @return the members that have network interfaces or disks now (a bind puts them aside)
     */
    private Set<String> refuseUnlessFree(String verb, int group, List<Device> members) {
        List<String> policy = new ArrayList<>();
        List<String> unsafe = new ArrayList<>();
        Set<String> withHostDevices = new java.util.HashSet<>();
        boolean noiommu = noiommu(group);
        if (noiommu) {
            unsafe.add("group: noiommu group (no IOMMU protection; never handed to users)");
        }
        for (Device d : members) {
            Use use = use(d);
            if (use.rootDevice()) {
                policy.add(d.address() + ": holds the root filesystem");
            }
            if (use.hostDevices()) {
                withHostDevices.add(d.address());
            }
            use.reasons().forEach(r -> unsafe.add(d.address() + ": " + r));
        }
        if (!policy.isEmpty()) {
            List<String> all = new ArrayList<>(policy);
            all.addAll(unsafe);
            throw new HostRefusedException(verb, 65, "denied-by-policy",
                    verb + ": group " + group + ": a member is not allowed by the policy", all);
        }
        if (noiommu) {
            throw new HostRefusedException(verb, 66, "noiommu", verb + ": group " + group + ": noiommu group refused",
                    unsafe);
        }
        if (!unsafe.isEmpty()) {
            throw new HostRefusedException(verb, 66, "in-use",
                    verb + ": group " + group + ": a member is in use by the host", unsafe);
        }
        return withHostDevices;
    }

    private static void refuseTheRealHost(Path root) {
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            real = root.toAbsolutePath().normalize(); // not there (yet): its own path is all there is to check
        }
        if (org.vfiobroker.fixture.SysfsFixture.isOnTheRealHost(root)
                || org.vfiobroker.fixture.SysfsFixture.isOnTheRealHost(real)) {
            throw new IllegalStateException("the simulated host writes to its tree, and " + root
                    + (real.equals(root) ? "" : " (" + real + ")") + " is this machine's own; set"
                    + " vfio-broker.sysfs-root, devfs-root and procfs-root to a fixture tree (the demo profile does)");
        }
    }

    /**
     * Binds the function to {@code driver} (none: unbinds it). As in the kernel, a function's network interfaces
     * and disks exist only while a driver that makes them is bound: leaving it for vfio-pci or for none takes them
     * away (put aside), binding such a driver again brings them back. {@code mayHaveSome} false: the caller has
     * just found that the function has none (nothing to put aside, no need to look).
     */
    private void setDriver(Device d, String driver, boolean mayHaveSome) {
        Path link = d.dir().resolve("driver");
        try {
            Files.deleteIfExists(link);
            if (mayHaveSome && InUseDetector.mayHaveHostDevices(d.driver())
                    && !InUseDetector.mayHaveHostDevices(driver)) {
                park(d);
            }
            if (InUseDetector.mayHaveHostDevices(driver)) {
                unpark(d);
            }
            if (driver != null) {
                Path target = sys.resolve("bus/pci/drivers").resolve(driver);
                if (!target.toFile().isDirectory()) { // createDirectories makes an exception of an existing one
                    Files.createDirectories(target);
                }
                Path realTarget = realSys().resolve("bus/pci/drivers").resolve(driver);
                Files.createSymbolicLink(link, d.dir().relativize(realTarget));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Puts aside the interfaces and disks a function's driver made: the directories under the function that their
     * {@code class/net} and {@code class/block} links point into go to {@link #parkedDir}, with a file naming the
     * links, so that they come back (also after a restart of the simulation) when a driver binds again.
     */
    private void park(Device d) throws IOException {
        String inPath = "/" + d.address() + "/";
        StringBuilder links = new StringBuilder();
        List<Path> classLinks = new ArrayList<>();
        java.util.Set<String> subdirs = new java.util.TreeSet<>();
        for (String kind : List.of("class/net", "class/block")) {
            Path classDir = sys.resolve(kind);
            String[] names = classDir.toFile().list();
            for (String name : names == null ? new String[0] : names) {
                Path entry = classDir.resolve(name);
                Path target;
                try {
                    target = Files.readSymbolicLink(entry);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // another function's, put aside by a step on its group meanwhile
                }
                if (!target.toString().contains(inPath)) {
                    continue;
                }
                Path real = entry.toRealPath();
                if (real.startsWith(d.dir()) && !real.equals(d.dir())) {
                    classLinks.add(entry);
                    links.append(kind).append('/').append(name).append('\t').append(target).append('\n');
                    subdirs.add(d.dir().relativize(real).getName(0).toString());
                }
            }
        }
        if (classLinks.isEmpty()) {
            return;
        }
        Path aside = parkedDir(d);
        Files.createDirectories(aside.resolve("dirs"));
        Files.writeString(aside.resolve("links"), links);
        for (Path l : classLinks) {
            Files.delete(l);
        }
        for (String sub : subdirs) {
            Files.move(d.dir().resolve(sub), aside.resolve("dirs").resolve(sub));
        }
    }

    private void unpark(Device d) throws IOException {
        Path aside = parkedDir(d);
        if (!aside.toFile().isDirectory()) {
            return;
        }
        String[] subdirs = aside.resolve("dirs").toFile().list();
        for (String sub : subdirs == null ? new String[0] : subdirs) {
            Files.move(aside.resolve("dirs").resolve(sub), d.dir().resolve(sub));
        }
        for (String line : Files.readAllLines(aside.resolve("links"))) {
            int tab = line.indexOf('\t');
            Files.createSymbolicLink(sys.resolve(line.substring(0, tab)), Path.of(line.substring(tab + 1)));
        }
        Files.delete(aside.resolve("links"));
        Files.delete(aside.resolve("dirs"));
        Files.delete(aside);
    }

    /** Outside the simulated sysfs, beside it, so that no scan sees what is put aside. */
    private Path parkedDir(Device d) {
        return sys.resolveSibling(".simulated-host-parked").resolve(d.address());
    }

    private void createNode(int group, List<Device> members) {
        try {
            Path vfio = dev.resolve("vfio");
            if (!vfio.toFile().isDirectory()) {
                Files.createDirectories(vfio);
            }
            Path node = vfio.resolve(Integer.toString(group));
            if (!present(node)) {
                Files.createFile(node);
                permissions(node, 0600);
                ownership.remove(group);
            }
            for (Device d : members) {
                for (String c : cdevs(d)) {
                    Path cdev = vfio.resolve("devices").resolve(c);
                    if (!cdev.getParent().toFile().isDirectory()) {
                        Files.createDirectories(cdev.getParent());
                    }
                    if (!present(cdev)) {
                        Files.createFile(cdev);
                        permissions(cdev, 0600);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeNodeIfUnbound(Device restored) {
        try {
            String group = linkBase(restored.dir().resolve("iommu_group"));
            if (group == null) {
                return;
            }
            int g = Integer.parseInt(group);
            boolean anyVfio = members("restore", g).stream().anyMatch(m -> DmaOwnershipRule.isVfio(m.driver()));
            if (!anyVfio) {
                Files.deleteIfExists(dev.resolve("vfio").resolve(group));
                ownership.remove(g);
            }
            for (String c : cdevs(restored)) {
                Files.deleteIfExists(dev.resolve("vfio/devices").resolve(c));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> cdevs(Device d) {
        Path dir = d.dir().resolve("vfio-dev");
        if (!dir.toFile().isDirectory()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "vfio[0-9]*")) {
            entries.forEach(e -> out.add(e.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    private List<DeviceNode> cdevNodes(List<Device> members) {
        List<DeviceNode> out = new ArrayList<>();
        for (Device d : members) {
            for (String c : cdevs(d)) {
                out.add(stat("/dev/vfio/devices/" + c, dev.resolve("vfio/devices").resolve(c)));
            }
        }
        return out;
    }

    private DeviceNode node(int group) {
        String path = "/dev/vfio/" + group;
        Path file = dev.resolve("vfio").resolve(Integer.toString(group));
        if (!present(file)) {
            return DeviceNode.absent(path);
        }
        DeviceNode remembered = ownership.get(group);
        return remembered != null ? remembered : stat(path, file);
    }

    private boolean containerUsable() {
        DeviceNode container = stat("/dev/vfio/vfio", dev.resolve("vfio/vfio"));
        return container.exists() && (container.mode() & 0666) == 0666;
    }

    private static DeviceNode stat(String path, Path file) {
        if (!present(file)) {
            return DeviceNode.absent(path);
        }
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            return new DeviceNode(path, true, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    (Integer) a.get("mode") & 0777);
        } catch (java.nio.file.NoSuchFileException e) {
            return DeviceNode.absent(path); // gone between the two looks
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** chown when permitted; otherwise the simulated owner lives in memory (reported by groupNode). */
    private void setOwner(int group, Path node, int uid, int gid, int mode) {
        try {
            permissions(node, mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.setAttribute(node, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(node, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            ownership.remove(group);
        } catch (FileSystemException e) {
            ownership.put(group, new DeviceNode("/dev/vfio/" + group, true, uid, gid, mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeVfs(Device pf, int count) {
        for (int k = 0; k < count; k++) {
            Path virtfn = pf.dir().resolve("virtfn" + k);
            String vf = linkBase(virtfn);
            if (vf == null) {
                continue;
            }
            try {
                Device d = device("set-numvfs", vf);
                String group = linkBase(d.dir().resolve("iommu_group"));
                for (String c : cdevs(d)) { // the kernel removes a departing device's nodes with it
                    Files.deleteIfExists(dev.resolve("vfio/devices").resolve(c));
                }
                deleteTree(d.dir());
                Files.deleteIfExists(sys.resolve("bus/pci/devices").resolve(vf));
                Files.deleteIfExists(virtfn);
                previousDrivers.remove(vf);
                if (group != null) {
                    int g = Integer.parseInt(group);
                    deleteTree(groupDir(g));
                    Files.deleteIfExists(dev.resolve("vfio").resolve(group));
                    ownership.remove(g);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void createVfs(Device pf, PciAddress pfAddress, int count) {
        try {
            int nextGroup = nextFreeGroup();
            String vendor = pf.vendor();
            String classCode = pf.classCode();
            for (int k = 0; k < count; k++) {
                PciAddress va = new PciAddress(pfAddress.domain(), pfAddress.bus(), 0x10 + k / 8, k % 8);
                String vf = va.toString();
                Path dir = pf.dir().getParent().resolve(vf);
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("vendor"), "0x" + vendor + "\n");
                Files.writeString(dir.resolve("device"), "0x" + pf.device() + "\n");
                Files.writeString(dir.resolve("class"), classCode + "\n");
                Files.writeString(dir.resolve("driver_override"), "");
                Files.createSymbolicLink(dir.resolve("physfn"), dir.relativize(pf.dir()));
                Files.createSymbolicLink(pf.dir().resolve("virtfn" + k), pf.dir().relativize(dir));
                Path bus = sys.resolve("bus/pci/devices");
                Files.createSymbolicLink(bus.resolve(vf), bus.toRealPath().relativize(dir));
                Path g = groupDir(nextGroup + k);
                Files.createDirectories(g.resolve("devices"));
                Files.createSymbolicLink(dir.resolve("iommu_group"), dir.relativize(g.toRealPath()));
                Files.createSymbolicLink(g.resolve("devices").resolve(vf), g.resolve("devices").toRealPath()
                        .relativize(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int nextFreeGroup() throws IOException {
        int max = -1;
        Path groups = sys.resolve("kernel/iommu_groups");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(groups)) {
            for (Path g : entries) {
                try {
                    max = Math.max(max, Integer.parseInt(g.getFileName().toString()));
                } catch (NumberFormatException e) {
                    // not a group
                }
            }
        }
        return max + 1;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path e : entries) {
                    deleteTree(e);
                }
            }
        }
        Files.delete(dir);
    }

    private static void writeIfPresent(Path file, String value) {
        try {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.writeString(file, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void permissions(Path file, int mode) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(rwx(mode)));
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        String letters = "rwx";
        for (int i = 8; i >= 0; i--) {
            s.append((mode & (1 << i)) != 0 ? letters.charAt((8 - i) % 3) : '-');
        }
        return s.toString();
    }

    /** What the host uses of a device, by the inventory's rule, in the helper's words ({@code net:eth0:up}). */
    private record Use(List<String> reasons, boolean rootDevice, boolean hostDevices) {
    }

    private Use use(Device d) {
        PciAddress address = PciAddress.parse(d.address());
        InUseDetector detector = InUseDetector.load(sys, proc,
                InUseDetector.mayHaveHostDevices(d.driver()) ? Set.of(address) : Set.of());
        boolean bootVga = "1".equals(read(d.dir().resolve("boot_vga")));
        List<String> reasons = detector.reasonsOf(address, bootVga).stream().map(SimulatedHost::helperWords).toList();
        return new Use(reasons, detector.holdsRoot(address), detector.hasHostDevices(address));
    }

    private static String helperWords(InUseReason reason) {
        return switch (reason.kind()) {
            case NETWORK_INTERFACE_UP -> "net:" + reason.subject() + ":up";
            case NETWORK_ROUTES -> "net:" + reason.subject() + ":routes";
            case MOUNTED_FILESYSTEM -> "block:" + reason.subject() + ":mounted";
            case ROOT_FILESYSTEM -> "block:" + reason.subject() + ":root-filesystem";
            case ACTIVE_SWAP -> "block:" + reason.subject() + ":swap";
            case BOOT_VGA -> "display:" + reason.subject() + ":boot-vga";
        };
    }

    /**
     * Whether a node is there (the simulation makes no links in its {@code /dev}). {@code java.io.File}: on JDK 17,
     * {@code Files.exists} with {@code NOFOLLOW_LINKS} makes an exception with its stack trace for every missing
     * file, and this is asked several times per grant.
     */
    private static boolean present(Path file) {
        return file.toFile().exists();
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String linkBase(Path link) {
        try {
            Path name = Files.readSymbolicLink(link).getFileName();
            return name == null ? null : name.toString();
        } catch (java.nio.file.NotLinkException | java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
