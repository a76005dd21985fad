package org.vfiobroker.inventory;

import java.nio.file.Path;

/**
 * The hot-plug watcher's cheap fingerprint of the host: the {@code bus/pci/devices} listing with each
 * function's {@code driver} link, the {@code kernel/iommu_groups} listing and the {@code /dev/vfio} listing.
 * Each part is a count and an order-independent sum of per-entry hashes, so a targeted refresh updates it for
 * just the functions and device nodes it re-read (O(group)), and gets the value a full read would give.
 *
 * @param functions     entries of {@code bus/pci/devices}
 * @param functionsHash sum of {@link #function(String, String)} over them
 * @param groups        entries of {@code kernel/iommu_groups}
 * @param groupsHash    sum of {@link #entry(String)} over them
 * @param nodes         entries of {@code /dev/vfio}
 * @param nodesHash     sum of {@link #entry(String)} over them
 */
public record Fingerprint(int functions, long functionsHash, int groups, long groupsHash, int nodes, long nodesHash) {

    /** Reads the host's fingerprint: three listings and one {@code readlink} per function. */
    static Fingerprint read(InventoryProperties properties) {
        Path devices = properties.sysfsRoot().resolve("bus/pci/devices");
        String[] names = Sysfs.list(devices);
        String[] drivers = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            drivers[i] = Sysfs.linkName(devices.resolve(names[i]).resolve("driver"));
        }
        return of(properties, names, drivers);
    }

    /** The fingerprint of the given function listing and drivers, with the group and node listings read now. */
    static Fingerprint of(InventoryProperties properties, String[] names, String[] drivers) {
        long functionsHash = 0;
        for (int i = 0; i < names.length; i++) {
            functionsHash += function(names[i], drivers[i]);
        }
        String[] groups = Sysfs.list(properties.sysfsRoot().resolve("kernel/iommu_groups"));
        String[] nodes = Sysfs.list(properties.devfsRoot().resolve("vfio"));
        return new Fingerprint(names.length, functionsHash, groups.length, sum(groups), nodes.length, sum(nodes));
    }

    /** This fingerprint after a function's driver changed from {@code before} to {@code after}. */
    Fingerprint withDriver(String function, String before, String after) {
        return new Fingerprint(functions, functionsHash - function(function, before) + function(function, after),
                groups, groupsHash, nodes, nodesHash);
    }

    /** This fingerprint after {@code /dev/vfio/<name>} appeared ({@code present}) or went away. */
    Fingerprint withNode(String name, boolean present) {
        return present ? new Fingerprint(functions, functionsHash, groups, groupsHash, nodes + 1, nodesHash + entry(name))
                : new Fingerprint(functions, functionsHash, groups, groupsHash, nodes - 1, nodesHash - entry(name));
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
                + Long.toHexString(groupsHash) + "-" + Long.toHexString(nodesHash);
    }
}
