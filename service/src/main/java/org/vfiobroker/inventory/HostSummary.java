package org.vfiobroker.inventory;

import java.util.List;
import java.util.Map;

/**
 * What the host offers for VFIO, and why grants are impossible when they are.
 *
 * @param kernelRelease    {@code /proc/sys/kernel/osrelease}, {@code null} when unreadable
 * @param iommu            the IOMMU hardware the kernel drives
 * @param commandLine      the kernel command-line parameters that matter for VFIO (name to value; a flag
 *                         without value maps to the empty string), in command-line order
 * @param vfioModules      loaded vfio modules ({@code /sys/module/vfio*}) with their parameters
 * @param noiommuMode      {@code vfio.enable_unsafe_noiommu_mode} is on
 * @param noiommuGroups    groups created by noiommu mode
 * @param taint            the kernel taint state
 * @param cdevSupported    vfio device cdevs exist ({@code vfio-dev} directories or {@code /dev/vfio/devices})
 * @param iommufdPresent   {@code /dev/iommu} exists
 * @param vfioContainer    state of {@code /dev/vfio/vfio}
 * @param grantBlockers    plain-language reasons why no grant is possible on this host; empty when grants are possible
 */
public record HostSummary(String kernelRelease, Iommu iommu, Map<String, String> commandLine,
                          List<VfioModule> vfioModules, boolean noiommuMode, List<Integer> noiommuGroups, Taint taint,
                          boolean cdevSupported, boolean iommufdPresent, DeviceNodeStatus vfioContainer,
                          List<String> grantBlockers) {

    public HostSummary {
        commandLine = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(commandLine));
        vfioModules = List.copyOf(vfioModules);
        noiommuGroups = List.copyOf(noiommuGroups);
        grantBlockers = List.copyOf(grantBlockers);
    }

    /** Whether grants are possible on this host. */
    public boolean grantsPossible() {
        return grantBlockers.isEmpty();
    }

    /**
     * @param present    an IOMMU is registered ({@code /sys/class/iommu/*})
     * @param kind       its kind ({@link IommuKind#NONE} when absent)
     * @param units      names of the IOMMU units, e.g. {@code [dmar0, dmar1]}
     * @param groupCount number of IOMMU groups
     */
    public record Iommu(boolean present, IommuKind kind, List<String> units, int groupCount) {
        public Iommu {
            units = List.copyOf(units);
        }
    }

    public enum IommuKind {
        INTEL_VT_D("Intel VT-d"),
        AMD_VI("AMD-Vi"),
        ARM_SMMU("ARM SMMU"),
        VIRTIO_IOMMU("virtio-iommu"),
        OTHER("other"),
        NONE("none");

        private final String label;

        IommuKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param name       module name, e.g. {@code vfio_pci}
     * @param parameters parameter name to value ({@code /sys/module/<name>/parameters/*})
     */
    public record VfioModule(String name, Map<String, String> parameters) {
        public VfioModule {
            parameters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(parameters));
        }
    }

    /**
     * @param value the raw bit mask of {@code /proc/sys/kernel/tainted}
     * @param flags the set flags, each as its letter and meaning
     */
    public record Taint(long value, List<TaintFlag> flags) {
        public Taint {
            flags = List.copyOf(flags);
        }

        public boolean tainted() {
            return value != 0;
        }
    }

    /**
     * @param bit         bit number
     * @param letter      the letter the kernel prints in oops reports
     * @param description what it means
     */
    public record TaintFlag(int bit, char letter, String description) {
    }
}
