package org.vfiobroker.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * The live inventory. Reads come from an immutable, cached {@link Snapshot}; a full rescan replaces it when
 * {@link #invalidate()} was called (after the broker changed the host) or when the hot-plug watcher sees the
 * host's fingerprint change (devices, drivers, groups or {@code /dev/vfio} nodes appearing or going away).
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

    public InventoryService(InventoryProperties properties, ConfigSpaceReader configReader, DeviceNodeInspector nodes) {
        this.properties = properties;
        this.pool = new ForkJoinPool(properties.inventory().scanThreads());
        this.scanner = new SysfsScanner(properties, PciIds.load(properties.pciIds()), configReader, nodes, pool);
    }

    /** An inventory on the given roots with the default readers (tests, benchmark, tools). */
    public static InventoryService forRoots(InventoryProperties properties) {
        return new InventoryService(properties, new SysfsConfigSpaceReader(), new FilesystemDeviceNodeInspector());
    }

    /** The current snapshot; scans first when none is current. */
    public Snapshot snapshot() {
        Snapshot s = snapshot;
        if (s != null && !stale && changedGroups.isEmpty()) {
            return s;
        }
        synchronized (scanLock) {
            if (snapshot == null || stale) {
                rescanLocked();
            } else if (!changedGroups.isEmpty()) {
                refreshLocked();
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

    /** Marks the snapshot stale: the next read rescans. Call after changing the host. */
    public void invalidate() {
        stale = true;
    }

    /**
     * Marks these groups changed: the next read re-reads only their functions and rebuilds them (and the host
     * summary), instead of a full rescan. Call after the broker changed only these groups (bind, restore, device
     * nodes); anything else (SR-IOV, hot-plug) needs {@link #invalidate()}.
     */
    public void invalidateGroups(Collection<Integer> groups) {
        changedGroups.addAll(groups);
    }

    /** Rescans now and returns the new snapshot. */
    public Snapshot rescan() {
        synchronized (scanLock) {
            rescanLocked();
            return snapshot;
        }
    }

    /**
     * The hot-plug watcher: compares the cheap fingerprint with the snapshot's and rescans when it changed.
     *
     * @return whether a rescan happened
     */
    @Scheduled(initialDelayString = "${vfio-broker.inventory.refresh-interval:5s}",
            fixedDelayString = "${vfio-broker.inventory.refresh-interval:5s}")
    public boolean refreshIfChanged() {
        Snapshot s = snapshot;
        if (s == null) {
            return false; // nobody asked yet; the first read scans
        }
        String now = SysfsScanner.fingerprint(properties);
        // The broker's own changes to groups are refreshed first (cheap); a difference that remains is someone
        // else's. A few tries, as grants may keep changing groups meanwhile.
        for (int i = 0; i < 3 && !stale && !now.equals(s.fingerprint()) && !changedGroups.isEmpty(); i++) {
            s = snapshot();
            now = SysfsScanner.fingerprint(properties);
        }
        if (now.equals(s.fingerprint()) && !stale) {
            return false;
        }
        log.info("host changed ({} -> {}), rescanning the inventory", s.fingerprint(), now);
        rescan();
        return true;
    }

    private void rescanLocked() {
        stale = false;
        Set<Integer> covered = Set.copyOf(changedGroups); // a change marked during the scan stays marked
        changedGroups.removeAll(covered);
        Snapshot s = scanner.scan();
        snapshot = s;
        log.debug("inventory scanned: {} functions, {} groups in {} ms", s.devices().size(), s.groups().size(),
                s.scanTime().toMillis());
    }

    private void refreshLocked() {
        Set<Integer> groups = Set.copyOf(changedGroups);
        changedGroups.removeAll(groups);
        Snapshot s = scanner.refresh(snapshot, groups);
        if (s == null) {
            log.info("the host's functions changed while refreshing groups {}, rescanning the inventory", groups);
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
     */
    public record Snapshot(Instant takenAt, Duration scanTime, String fingerprint, HostSummary host,
                           List<PciFunction> devices, Map<PciAddress, PciFunction> devicesByAddress,
                           List<IommuGroup> groups, Map<Integer, IommuGroup> groupsById) {

        public Snapshot {
            devices = List.copyOf(devices);
            devicesByAddress = Map.copyOf(devicesByAddress);
            groups = List.copyOf(groups);
            groupsById = Map.copyOf(groupsById);
        }

        static Snapshot of(Instant takenAt, Duration scanTime, String fingerprint, HostSummary host,
                           List<PciFunction> devices, List<IommuGroup> groups) {
            Map<PciAddress, PciFunction> byAddress = new HashMap<>(devices.size() * 2);
            devices.forEach(f -> byAddress.put(f.address(), f));
            Map<Integer, IommuGroup> byId = new HashMap<>(groups.size() * 2);
            groups.forEach(g -> byId.put(g.id(), g));
            return new Snapshot(takenAt, scanTime, fingerprint, host, devices, byAddress, groups, byId);
        }
    }
}
