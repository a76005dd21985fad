package org.vfiobroker.inventory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the inventory reads the host from. Every root is configurable so that tests and the {@code demo}
 * profile can point the service at a fixture tree.
 *
 * @param sysfsRoot  {@code vfio-broker.sysfs-root}, default {@code /sys}
 * @param procfsRoot {@code vfio-broker.procfs-root}, default {@code /proc}
 * @param devfsRoot  {@code vfio-broker.devfs-root}, default {@code /dev}
 * @param pciIds     {@code vfio-broker.pci-ids}, default the first existing of {@link #PCI_IDS_CANDIDATES};
 *                   {@code null} when none exists (names are then absent and only ids are shown)
 * @param inventory  {@code vfio-broker.inventory.*}
 */
@ConfigurationProperties("vfio-broker")
public record InventoryProperties(Path sysfsRoot, Path procfsRoot, Path devfsRoot, Path pciIds, Inventory inventory) {

    /** Where distributions put {@code pci.ids}, in the order they are tried. */
    public static final List<Path> PCI_IDS_CANDIDATES = List.of(
            Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"), Path.of("/usr/share/pci.ids"));

    public InventoryProperties {
        sysfsRoot = sysfsRoot != null ? sysfsRoot : Path.of("/sys");
        procfsRoot = procfsRoot != null ? procfsRoot : Path.of("/proc");
        devfsRoot = devfsRoot != null ? devfsRoot : Path.of("/dev");
        pciIds = pciIds != null ? pciIds : PCI_IDS_CANDIDATES.stream().filter(Files::isReadable).findFirst().orElse(null);
        inventory = inventory != null ? inventory : new Inventory(null, null);
    }

    /** Properties for the given roots with every other setting at its default (tests, fixtures, benchmark). */
    public static InventoryProperties forRoots(Path sysfsRoot, Path procfsRoot, Path devfsRoot) {
        return new InventoryProperties(sysfsRoot, procfsRoot, devfsRoot, null, null);
    }

    /**
     * @param refreshInterval {@code vfio-broker.inventory.refresh-interval}: how often the hot-plug watcher
     *                        compares the cheap fingerprint of the host, default 5 s
     * @param scanThreads     {@code vfio-broker.inventory.scan-threads}: parallelism of a full rescan,
     *                        default the number of processors (at most 8)
     */
    public record Inventory(Duration refreshInterval, Integer scanThreads) {
        public Inventory {
            refreshInterval = refreshInterval != null ? refreshInterval : Duration.ofSeconds(5);
            scanThreads = scanThreads != null && scanThreads > 0 ? scanThreads
                    : Math.min(8, Runtime.getRuntime().availableProcessors());
        }
    }
}
