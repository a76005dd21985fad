package org.vfiobroker.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * The live inventory. Reads come from an immutable, cached {@link Snapshot} and never wait, except for the
 * first scan and after {@link #invalidate()}, which makes the next read rescan. Wider changes by the broker
 * (SR-IOV, quarantine, reconcile) are rescanned by the thread that made them ({@link #rescanAfterChange}). The
 * broker's changes to single groups (bind, nodes, restore) are re-read at once by the thread that
 * made them ({@link #refreshGroups}, O(group)); the hot-plug watcher rescans when the host's fingerprint
 * changes otherwise (devices, drivers, groups or {@code /dev/vfio} nodes appearing or going away, a vfio module
 * loaded or unloaded or one of its parameters written).
 */
@Service
public class InventoryService implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(InventoryService.class);

    private final SysfsScanner scanner;
    private final InventoryProperties properties;
    private final ForkJoinPool pool;
    private final Object scanLock = new Object();
    private volatile Snapshot snapshot;
    private volatile boolean stale = true;
    /** Groups the broker changed since the snapshot: the next read re-reads just them. */
    private final Set<Integer> changedGroups = ConcurrentHashMap.newKeySet();
    /** Opens when the next targeted refresh to start has ended: it covers every group marked until it starts. */
    private final AtomicReference<CountDownLatch> nextRefresh = new AtomicReference<>(new CountDownLatch(1));
    /** The latch the targeted refresh under way opens when done, or null (one refresh at a time). */
    private final AtomicReference<CountDownLatch> refreshing = new AtomicReference<>();
    /** Groups the broker is changing now: how many {@link Change}s of each are open. */
    private final Map<Integer, Integer> openChanges = new ConcurrentHashMap<>();
    /** Counts changes begun, refreshed or ended, so the watcher knows which came and went while it looked. */
    private final AtomicLong changes = new AtomicLong();
    /** Per group, the value of {@link #changes} when the broker last began, refreshed or ended a change of it. */
    private final Map<Integer, Long> touched = new ConcurrentHashMap<>();

    public InventoryService(InventoryProperties properties, ConfigSpaceReader configReader, DeviceNodeInspector nodes) {
        this.properties = properties;
        this.pool = new ForkJoinPool(properties.inventory().scanThreads());
        this.scanner = new SysfsScanner(properties, PciIds.load(properties.pciIds()), configReader, nodes, pool);
    }

    /** An inventory on the given roots with the default readers (tests, benchmark, tools). */
    public static InventoryService forRoots(InventoryProperties properties) {
        return new InventoryService(properties, new SysfsConfigSpaceReader(), new FilesystemDeviceNodeInspector());
    }

    /**
     * The current snapshot; scans first when none is current. Never waits for a targeted refresh: the broker's
     * changes to a group are in the snapshot once {@link #refreshGroups} (or the {@link Change} around them)
     * returned.
     */
    public Snapshot snapshot() {
        Snapshot s = snapshot;
        if (s != null && !stale) {
            return s;
        }
        synchronized (scanLock) {
            if (snapshot == null || stale) {
                rescanLocked();
            }
            return snapshot;
        }
    }

    public HostSummary host() {
        return snapshot().host();
    }

    /** All functions, sorted by address. */
    public List<PciFunction> devices() {
        return snapshot().devices();
    }

    public Optional<PciFunction> findDevice(PciAddress address) {
        return Optional.ofNullable(snapshot().devicesByAddress().get(address));
    }

    /** @throws DeviceNotFoundException when no function has this address */
    public PciFunction getDevice(PciAddress address) {
        return findDevice(address).orElseThrow(() -> new DeviceNotFoundException(address));
    }

    /** All groups with at least one PCI function, sorted by number. */
    public List<IommuGroup> groups() {
        return snapshot().groups();
    }

    public Optional<IommuGroup> findGroup(int id) {
        return Optional.ofNullable(snapshot().groupsById().get(id));
    }

    /** @throws IommuGroupNotFoundException when no group has this number */
    public IommuGroup getGroup(int id) {
        return findGroup(id).orElseThrow(() -> new IommuGroupNotFoundException(id));
    }

    /** The members of a group as functions, sorted by address. */
    public List<PciFunction> members(IommuGroup group) {
        Snapshot s = snapshot();
        return group.members().stream().map(s.devicesByAddress()::get).filter(f -> f != null).toList();
    }

    /** Marks the snapshot stale: the next read rescans, and every reader waits for that scan. */
    public void invalidate() {
        stale = true;
    }

    /**
     * Rescans in the calling thread after it changed the host beyond single groups (SR-IOV, quarantine, the
     * reconciler's recovery): readers keep the previous snapshot until the new one is in place, instead of all
     * waiting for the scan as after {@link #invalidate()}. When the scan fails, the snapshot is marked stale (the
     * next read tries again) and the failure is logged, not thrown: callers run this in {@code finally} blocks.
     */
    public void rescanAfterChange() {
        try {
            rescan();
        } catch (RuntimeException e) { // rescanLocked left the snapshot stale: the next read scans again
            log.warn("rescanning the inventory after a change failed ({}); the next read tries again", e.toString());
        }
    }

    /**
     * Re-reads these groups now, after the broker changed only them (bind, restore, device nodes): their
     * functions, the groups and the host summary, O(group) instead of a full rescan. When it returns, every read
     * shows the change. Concurrent calls share the work like a group commit: one refresh covers every group marked
     * before it began; the callers it covers wait for it together and return together, instead of taking the scan
     * lock one after another only to find their groups done (a convoy that cost each of them a scheduling delay per
     * caller ahead under load). If the refresh fails, the snapshot is left stale and the next read rescans.
     * Anything else: {@link #rescanAfterChange()} (SR-IOV, quarantine) or the hot-plug watcher.
     */
    public void refreshGroups(Collection<Integer> groups) {
        changedGroups.addAll(groups);
        touch(groups);
        CountDownLatch mine = nextRefresh.get(); // after marking: the refresh that takes this latch reads the marks
        boolean interrupted = false;
        while (mine.getCount() > 0) {
            CountDownLatch pending = nextRefresh.get();
            if (refreshing.compareAndSet(null, pending)) {
                // Takes the pending latch: every latch is taken by exactly one refresh, which opens it.
                if (!nextRefresh.compareAndSet(pending, new CountDownLatch(1))) {
                    refreshing.set(null); // another refresh took and opened it meanwhile: look again
                    continue;
                }
                try {
                    synchronized (scanLock) {
                        if (snapshot != null && !stale && !changedGroups.isEmpty()) {
                            refreshLocked();
                        }
                        // else: the next read scans everything, marked groups included
                    }
                } finally {
                    refreshing.set(null); // before opening: a caller woken below may start the next refresh
                    pending.countDown();
                }
            } else {
                CountDownLatch running = refreshing.get();
                if (running != null) {
                    try {
                        running.await();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Marks a change of these groups by the broker as under way, so that the hot-plug watcher does not mistake
     * its half-done state for someone else's change; closing it refreshes the groups ({@link #refreshGroups}).
     */
    public Change changing(Collection<Integer> groups) {
        List<Integer> those = List.copyOf(groups);
        those.forEach(g -> openChanges.merge(g, 1, Integer::sum));
        touch(those);
        return new Change(those);
    }

    private void touch(Collection<Integer> groups) {
        long now = changes.incrementAndGet();
        groups.forEach(g -> touched.put(g, now));
    }

    /** A change of some groups by the broker, under way until closed. */
    public final class Change implements AutoCloseable {
        private final List<Integer> groups;
        private boolean closed;

        private Change(List<Integer> groups) {
            this.groups = groups;
        }

        /** Refreshes the groups and ends the change; a second call does nothing. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                refreshGroups(groups);
            } finally {
                groups.forEach(g -> openChanges.computeIfPresent(g, (k, n) -> n == 1 ? null : n - 1));
                touch(groups);
            }
        }
    }

    /** Rescans now and returns the new snapshot. */
    public Snapshot rescan() {
        synchronized (scanLock) {
            rescanLocked();
            return snapshot;
        }
    }

    /**
     * The hot-plug watcher: compares the cheap fingerprint with the snapshot's and rescans when it differs in
     * anything but the groups the broker is changing now or changed while the watcher read (their functions'
     * drivers and their {@code /dev/vfio} entries, half done or not yet refreshed: the broker's own work, which its
     * {@link Change} refreshes). So a hot-plug, someone else's bind or node anywhere else, or a vfio module or
     * parameter that changed (a targeted refresh keeps them), is found at the next turn even under constant grant
     * traffic, and the broker's traffic never costs a full rescan.
     *
     * @return whether a rescan happened
     */
    @Scheduled(initialDelayString = "${vfio-broker.inventory.refresh-interval:5s}",
            fixedDelayString = "${vfio-broker.inventory.refresh-interval:5s}")
    public boolean refreshIfChanged() {
        if (snapshot == null) {
            return false; // nobody asked yet; the first read scans
        }
        long changesBefore = changes.get();
        Fingerprint.Reading now = Fingerprint.reading(properties);
        Snapshot s = snapshot;
        if (stale) {
            rescan();
            return true;
        }
        if (now.fingerprint().equals(s.fingerprint())) {
            return false;
        }
        Set<Integer> excused = new HashSet<>(openChanges.keySet());
        touched.forEach((group, at) -> {
            if (at > changesBefore) {
                excused.add(group);
            }
        });
        if (!excused.isEmpty() && differsOnlyIn(excused, now, s)) {
            log.debug("host fingerprint differs only in groups {} the broker is changing", excused);
            return false;
        }
        log.info("host changed ({} -> {}), rescanning the inventory", s.fingerprint(), now.fingerprint());
        rescan();
        return true;
    }

    /** Whether {@code now} differs from the snapshot only in the functions and device nodes of these groups. */
    private static boolean differsOnlyIn(Set<Integer> groups, Fingerprint.Reading now, Snapshot s) {
        Set<String> members = new HashSet<>();
        Set<String> nodeNames = new HashSet<>();
        Fingerprint.Part theirs = Fingerprint.Part.NONE;
        for (int id : groups) {
            nodeNames.add(Integer.toString(id));
            nodeNames.add("noiommu-" + id);
            IommuGroup g = s.groupsById().get(id);
            if (g == null) {
                continue;
            }
            for (PciAddress a : g.members()) {
                PciFunction f = s.devicesByAddress().get(a);
                if (f != null) {
                    members.add(a.toString());
                    theirs = theirs.withFunction(a.toString(), f.driver());
                }
            }
            String node = SysfsScanner.nodeName(g);
            if (node != null) {
                theirs = theirs.withNode(node);
            }
        }
        Fingerprint.Part mine = Fingerprint.Part.NONE;
        for (int i = 0; i < now.functions().length; i++) {
            if (members.contains(now.functions()[i])) {
                mine = mine.withFunction(now.functions()[i], now.drivers()[i]);
            }
        }
        for (String node : now.nodes()) {
            if (nodeNames.contains(node)) {
                mine = mine.withNode(node);
            }
        }
        return now.fingerprint().equalsBut(s.fingerprint(), mine, theirs);
    }

    private void rescanLocked() {
        stale = false; // before the scan: an invalidate() during it stays marked
        Set<Integer> covered = Set.copyOf(changedGroups); // a change marked during the scan stays marked
        changedGroups.removeAll(covered);
        Snapshot s;
        try {
            s = scanner.scan();
        } catch (RuntimeException | Error e) {
            stale = true; // the previous snapshot stays, but the next read tries again
            changedGroups.addAll(covered);
            throw e;
        }
        snapshot = s;
        log.debug("inventory scanned: {} functions, {} groups in {} ms", s.devices().size(), s.groups().size(),
                s.scanTime().toMillis());
    }

    private void refreshLocked() {
        Set<Integer> groups = Set.copyOf(changedGroups);
        changedGroups.removeAll(groups);
        Snapshot s;
        try {
            s = scanner.refresh(snapshot, groups);
        } catch (RuntimeException e) {
            log.warn("refreshing groups {} failed ({}); rescanning the inventory", groups, e.toString());
            s = null;
        }
        if (s == null) {
            log.info("the functions of groups {} changed meanwhile, rescanning the inventory", groups);
            rescanLocked();
            return;
        }
        snapshot = s;
        log.debug("inventory refreshed groups {} in {} ms", groups, s.scanTime().toMillis());
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }

    /**
     * One immutable view of the host. Safe to share between threads and to keep across requests.
     *
     * @param takenAt          when the scan finished
     * @param scanTime         how long the full scan took
     * @param fingerprint      the watcher's fingerprint of the host at scan time
     * @param host             the host summary
     * @param devices          all functions sorted by address
     * @param devicesByAddress the same, by address
     * @param groups           all groups sorted by number
     * @param groupsById       the same, by number
     * @param generation       the full scan this snapshot comes from; a targeted refresh keeps it, as it changes
     *                         no function's identity, place or group (else it falls back to a full scan), so what
     *                         depends only on those (e.g. a pool's groups) may be cached per generation
     */
    public record Snapshot(Instant takenAt, Duration scanTime, Fingerprint fingerprint, HostSummary host,
                           List<PciFunction> devices, Map<PciAddress, PciFunction> devicesByAddress,
                           List<IommuGroup> groups, Map<Integer, IommuGroup> groupsById, long generation) {

        /** Made only by {@link #of} and {@link #refreshed}, which give immutable lists and maps. */
        public Snapshot {
        }

        static Snapshot of(Instant takenAt, Duration scanTime, Fingerprint fingerprint, HostSummary host,
                           List<PciFunction> devices, List<IommuGroup> groups, long generation) {
            List<PciFunction> deviceList = ChunkedList.of(devices);
            List<IommuGroup> groupList = ChunkedList.of(groups);
            Map<PciAddress, Integer> byAddress = new HashMap<>(deviceList.size() * 2);
            for (int i = 0; i < deviceList.size(); i++) {
                byAddress.put(deviceList.get(i).address(), i);
            }
            Map<Integer, Integer> byId = new HashMap<>(groupList.size() * 2);
            for (int i = 0; i < groupList.size(); i++) {
                byId.put(groupList.get(i).id(), i);
            }
            return new Snapshot(takenAt, scanTime, fingerprint, host, deviceList,
                    new IndexedMap<>(Map.copyOf(byAddress), deviceList), groupList,
                    new IndexedMap<>(Map.copyOf(byId), groupList), generation);
        }

        /**
         * This snapshot with some functions and groups replaced at their positions (same addresses, same group
         * numbers): the indexes are shared, and the lists copy only the chunks the replaced elements are in
         * ({@link ChunkedList}).
         */
        Snapshot refreshed(Instant at, Duration took, Fingerprint newFingerprint, HostSummary newHost,
                           Map<PciAddress, PciFunction> newDevices, Map<Integer, IommuGroup> newGroups) {
            IndexedMap<PciAddress, PciFunction> deviceIndex = (IndexedMap<PciAddress, PciFunction>) devicesByAddress;
            IndexedMap<Integer, IommuGroup> groupIndex = (IndexedMap<Integer, IommuGroup>) groupsById;
            Map<Integer, PciFunction> d = new HashMap<>();
            newDevices.forEach((address, f) -> d.put(requirePosition(deviceIndex.positionOf(address), address), f));
            Map<Integer, IommuGroup> g = new HashMap<>();
            newGroups.forEach((id, group) -> g.put(requirePosition(groupIndex.positionOf(id), id), group));
            List<PciFunction> deviceList = chunked(devices).with(d);
            List<IommuGroup> groupList = chunked(groups).with(g);
            return new Snapshot(at, took, newFingerprint, newHost, deviceList, deviceIndex.over(deviceList),
                    groupList, groupIndex.over(groupList), generation);
        }

        private static <E> ChunkedList<E> chunked(List<E> list) {
            return list instanceof ChunkedList<E> c ? c : ChunkedList.of(list);
        }

        private static int requirePosition(int position, Object key) {
            if (position < 0) {
                throw new IllegalArgumentException(key + " is not in the snapshot");
            }
            return position;
        }
    }
}
