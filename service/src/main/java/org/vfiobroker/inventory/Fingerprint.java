package org.vfiobroker.inventory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vfiobroker.inventory.HostSummary.VfioModule;

/**
 * The hot-plug watcher's cheap fingerprint of the host: the {@code bus/pci/devices} listing with each
 * function's {@code driver} link, the {@code kernel/iommu_groups} listing, the {@code /dev/vfio} listing, and the
 * loaded vfio modules with their parameters (which a targeted refresh does not read again).
 * Each part is a count and an order-independent sum of per-entry hashes, so a targeted refresh updates it for
 * just the functions and device nodes it re-read (O(group)), and gets the value a full read would give.
 *
 * @param functions     entries of {@code bus/pci/devices}
 * @param functionsHash sum of {@link #function(String, String)} over them
 * @param groups        entries of {@code kernel/iommu_groups}
 * @param groupsHash    sum of {@link #entry(String)} over them
 * @param nodes         entries of {@code /dev/vfio}
 * @param nodesHash     sum of {@link #entry(String)} over them
 * @param modulesHash   {@link #modules(List)} of the loaded vfio modules
 */
public record Fingerprint(int functions, long functionsHash, int groups, long groupsHash, int nodes, long nodesHash,
                          long modulesHash) {

    /**
     * What the watcher read: the functions with their drivers and the {@code /dev/vfio} entries behind a
     * fingerprint, so that a difference can be told apart by group.
     */
    record Reading(String[] functions, String[] drivers, String[] nodes, Fingerprint fingerprint) {
    }

    /**
     * Reads the host's listings and the fingerprint they make: three listings, one {@code readlink} per function,
     * and the vfio modules' parameters.
     */
    static Reading reading(InventoryProperties properties) {
        Path devices = properties.sysfsRoot().resolve("bus/pci/devices");
        String[] names = Sysfs.list(devices);
        String[] drivers = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            drivers[i] = Sysfs.linkName(devices.resolve(names[i]).resolve("driver"));
        }
        String[] nodes = Sysfs.list(properties.devfsRoot().resolve("vfio"));
        return new Reading(names, drivers, nodes, of(properties, names, drivers, nodes,
                HostInspector.vfioModules(properties.sysfsRoot())));
    }

    /**
     * The fingerprint of the given function listing and drivers and of the vfio modules a scan read, with the group
     * and node listings read now.
     */
    static Fingerprint of(InventoryProperties properties, String[] names, String[] drivers, List<VfioModule> modules) {
        return of(properties, names, drivers, Sysfs.list(properties.devfsRoot().resolve("vfio")), modules);
    }

    private static Fingerprint of(InventoryProperties properties, String[] names, String[] drivers, String[] nodes,
                                  List<VfioModule> modules) {
        long functionsHash = 0;
        for (int i = 0; i < names.length; i++) {
            functionsHash += function(names[i], drivers[i]);
        }
        String[] groups = Sysfs.list(properties.sysfsRoot().resolve("kernel/iommu_groups"));
        return new Fingerprint(names.length, functionsHash, groups.length, sum(groups), nodes.length, sum(nodes),
                modules(modules));
    }

    /** The vfio modules, each with its parameters and their values, in one hash (in their order, by name). */
    static long modules(List<VfioModule> modules) {
        long h = 0x3c6ef372fe94f82bL;
        for (VfioModule m : modules) {
            h = mix(h, m.name());
            for (Map.Entry<String, String> p : m.parameters().entrySet()) {
                h = mix(mix(h, p.getKey()), p.getValue());
            }
        }
        return h;
    }

    /**
     * Whether this fingerprint (of a reading) and {@code other} (a snapshot's) differ only in what belongs to
     * {@code groups}: the parts of both made by the groups' functions and {@code /dev/vfio} entries are taken
     * out and the rest compared. Exact (up to the hash), O(those groups): a hot-plug, a group that formed or
     * went away, or a driver or node changed in any other group still shows.
     *
     * @param mine   this fingerprint's contributions of the groups: functions with their drivers now, node names
     * @param theirs the same as the snapshot has them
     */
    boolean equalsBut(Fingerprint other, Part mine, Part theirs) {
        return modulesHash == other.modulesHash && groups == other.groups && groupsHash == other.groupsHash
                && functions - mine.functions() == other.functions - theirs.functions()
                && functionsHash - mine.functionsHash() == other.functionsHash - theirs.functionsHash()
                && nodes - mine.nodes() == other.nodes - theirs.nodes()
                && nodesHash - mine.nodesHash() == other.nodesHash - theirs.nodesHash();
    }

    /** What some functions and device nodes add to a fingerprint. */
    record Part(int functions, long functionsHash, int nodes, long nodesHash) {

        static final Part NONE = new Part(0, 0, 0, 0);

        Part withFunction(String name, String driver) {
            return new Part(functions + 1, functionsHash + function(name, driver), nodes, nodesHash);
        }

        Part withNode(String name) {
            return new Part(functions, functionsHash, nodes + 1, nodesHash + entry(name));
        }
    }

    /** This fingerprint after a function's driver changed from {@code before} to {@code after}. */
    Fingerprint withDriver(String function, String before, String after) {
        return new Fingerprint(functions, functionsHash - function(function, before) + function(function, after),
                groups, groupsHash, nodes, nodesHash, modulesHash);
    }

    /** This fingerprint after {@code /dev/vfio/<name>} appeared ({@code present}) or went away. */
    Fingerprint withNode(String name, boolean present) {
        int sign = present ? 1 : -1;
        return new Fingerprint(functions, functionsHash, groups, groupsHash, nodes + sign,
                nodesHash + sign * entry(name), modulesHash);
    }

    static long function(String name, String driver) {
        return mix(mix(0x6a09e667f3bcc909L, name), driver == null ? "\0" : driver);
    }

    static long entry(String name) {
        return mix(0xbb67ae8584caa73bL, name);
    }

    private static long sum(String[] names) {
        long h = 0;
        for (String n : names) {
            h += entry(n);
        }
        return h;
    }

    private static long mix(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        return functions + "/" + groups + "/" + nodes + "/" + Long.toHexString(functionsHash) + "-"
                + Long.toHexString(groupsHash) + "-" + Long.toHexString(nodesHash) + "-"
                + Long.toHexString(modulesHash);
    }
}
