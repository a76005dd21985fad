package org.vfiobroker.inventory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.vfiobroker.inventory.HostSummary.Iommu;
import org.vfiobroker.inventory.HostSummary.IommuKind;
import org.vfiobroker.inventory.HostSummary.Taint;
import org.vfiobroker.inventory.HostSummary.TaintFlag;
import org.vfiobroker.inventory.HostSummary.VfioModule;

/** Reads the host-wide VFIO state into a {@link HostSummary}. */
final class HostInspector {

    /** Command-line parameters that matter for VFIO: exact names and prefixes ending in '.' or '_'. */
    private static final List<String> RELEVANT = List.of("intel_iommu", "amd_iommu", "iommu", "iommu.passthrough",
            "iommu.strict", "iommu.forcedac", "vfio.enable_unsafe_noiommu_mode", "vfio_iommu_type1.allow_unsafe_interrupts",
            "vfio-pci.ids", "vfio_pci.ids", "vfio-pci.disable_vga", "vfio_pci.disable_vga", "pcie_acs_override",
            "pci", "pcie_aspm", "pcie_ports", "modprobe.blacklist", "rd.driver.pre", "rd.driver.blacklist", "efifb",
            "video", "sriov", "noiommu");
    private static final List<String> RELEVANT_PREFIXES = List.of("vfio", "iommu", "intel_iommu", "amd_iommu");

    private static final String[][] TAINTS = {
        {"P", "proprietary module was loaded"}, {"F", "module was force loaded"},
        {"S", "kernel running on an out of specification system"}, {"R", "module was force unloaded"},
        {"M", "processor reported a Machine Check Exception"}, {"B", "bad page referenced or some unexpected page flags"},
        {"U", "taint requested by userspace application (e.g. vfio noiommu mode)"}, {"D", "kernel died recently (OOPS or BUG)"},
        {"A", "ACPI table overridden by user"}, {"W", "kernel issued warning"}, {"C", "staging driver was loaded"},
        {"I", "workaround for bug in platform firmware applied"}, {"O", "externally-built (out-of-tree) module was loaded"},
        {"E", "unsigned module was loaded"}, {"L", "soft lockup occurred"}, {"K", "kernel has been live patched"},
        {"X", "auxiliary taint, defined for and used by distros"}, {"T", "kernel was built with the struct randomization plugin"},
        {"N", "an in-kernel test has been run"}, {"J", "userspace used a mutating debug operation in fwctl"}};

    private HostInspector() {
    }

    /** A full scan's summary: everything read. */
    static HostSummary inspect(Path sysfs, Path procfs, Path devfs, List<IommuGroup> groups, List<VfioModule> modules,
                               boolean anyCdev, DeviceNodeInspector nodes) {
        String release = Sysfs.text(procfs.resolve("sys/kernel/osrelease"));
        String[] units = Sysfs.list(sysfs.resolve("class/iommu"));
        Arrays.sort(units);
        IommuKind kind = units.length == 0 ? IommuKind.NONE : kindOf(units[0]);
        Iommu iommu = new Iommu(units.length > 0, kind, List.of(units),
                Sysfs.list(sysfs.resolve("kernel/iommu_groups")).length);
        Map<String, String> cmdline = relevantFlags(parseCommandLine(Sysfs.text(procfs.resolve("cmdline"))));
        List<Integer> noiommuGroups = groups.stream().filter(IommuGroup::noiommu).map(IommuGroup::id).toList();
        return inspect(sysfs, procfs, devfs, release, iommu, cmdline, modules, noiommuGroups, anyCdev, nodes);
    }

    /**
     * The summary after the broker changed some groups (a targeted refresh): what is fixed for the running kernel
     * (its release and command line; the IOMMU units, registered at boot, and the number of groups, which a bind or
     * a node never changes; a new group or IOMMU makes the watcher rescan in full) is taken from {@code previous},
     * and so are the vfio modules and their parameters, which a bind or a node does not change either (a module
     * loaded or a parameter written by someone else changes the host's fingerprint, and the watcher rescans in full:
     * {@link Fingerprint#modules}); what such a change can alter (taint, cdev and container nodes, and so the
     * blockers) is read again.
     */
    static HostSummary refreshed(HostSummary previous, Path sysfs, Path procfs, Path devfs, List<Integer> noiommuGroups,
                                 boolean anyCdev, DeviceNodeInspector nodes) {
        return inspect(sysfs, procfs, devfs, previous.kernelRelease(), previous.iommu(), previous.commandLine(),
                previous.vfioModules(), noiommuGroups, anyCdev, nodes);
    }

    /**
     * The loaded vfio modules ({@code /sys/module/vfio*}) with their parameters, by name: one listing of
     * {@code /sys/module}, one of each such module's parameters and one read per parameter.
     */
    static List<VfioModule> vfioModules(Path sysfs) {
        List<VfioModule> modules = new ArrayList<>();
        String[] moduleNames = Sysfs.list(sysfs.resolve("module"));
        Arrays.sort(moduleNames);
        for (String m : moduleNames) {
            if (!m.startsWith("vfio")) {
                continue;
            }
            Map<String, String> params = new TreeMap<>();
            Path pdir = sysfs.resolve("module").resolve(m).resolve("parameters");
            for (String p : Sysfs.list(pdir)) {
                String v = Sysfs.text(pdir.resolve(p));
                params.put(p, v != null ? v : "");
            }
            modules.add(new VfioModule(m, params));
        }
        return modules;
    }

    /** Whether vfio's unsafe noiommu mode is on ({@code vfio.enable_unsafe_noiommu_mode} is Y or 1). */
    static boolean noiommuMode(List<VfioModule> modules) {
        String value = modules.stream().filter(m -> m.name().equals("vfio"))
                .map(m -> m.parameters().get("enable_unsafe_noiommu_mode")).filter(v -> v != null).findFirst().orElse("N");
        return value.equals("Y") || value.equals("1");
    }

    private static HostSummary inspect(Path sysfs, Path procfs, Path devfs, String release, Iommu iommu,
                                       Map<String, String> cmdline, List<VfioModule> modules,
                                       List<Integer> noiommuGroups, boolean anyCdev, DeviceNodeInspector nodes) {
        int groupDirs = iommu.groupCount();
        boolean noiommuMode = noiommuMode(modules);

        Taint taint = decodeTaint(Sysfs.text(procfs.resolve("sys/kernel/tainted")));
        boolean cdev = anyCdev || Files.isDirectory(devfs.resolve("vfio/devices"));
        boolean iommufd = Files.exists(devfs.resolve("iommu"));
        DeviceNodeStatus container = nodes.inspect(devfs.resolve("vfio/vfio"), "/dev/vfio/vfio");

        boolean vfioLoaded = modules.stream().anyMatch(m -> m.name().equals("vfio"))
                || Files.isDirectory(sysfs.resolve("bus/pci/drivers/vfio-pci"));
        boolean vfioPci = modules.stream().anyMatch(m -> m.name().equals("vfio_pci"))
                || Files.isDirectory(sysfs.resolve("bus/pci/drivers/vfio-pci"));
        List<String> blockers = new ArrayList<>();
        if (!iommu.present()) {
            blockers.add("No IOMMU is active (" + "/sys/class/iommu is empty), so nothing confines a device's DMA. "
                    + "Enable VT-d or AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on.");
        } else if (groupDirs == 0) {
            blockers.add("An IOMMU is present but the kernel formed no IOMMU groups; check dmesg for IOMMU errors.");
        }
        if (noiommuMode) {
            blockers.add("vfio's unsafe noiommu mode is on (vfio.enable_unsafe_noiommu_mode=Y): noiommu groups have no DMA "
                    + "protection, need CAP_SYS_RAWIO and taint the kernel. They are never granted; turn the mode off.");
        }
        if (!vfioLoaded) {
            blockers.add("The vfio modules are not loaded (no /sys/module/vfio). Run: modprobe vfio-pci");
        } else if (!vfioPci) {
            blockers.add("The vfio-pci driver is not loaded (no /sys/module/vfio_pci). Run: modprobe vfio-pci");
        }
        if (vfioLoaded && !container.exists() && !iommufd) {
            blockers.add("Neither /dev/vfio/vfio nor /dev/iommu exists, so user space cannot open a VFIO container.");
        }
        return new HostSummary(release, iommu, cmdline, modules, noiommuMode, noiommuGroups, taint, cdev, iommufd,
                container, blockers);
    }

    static IommuKind kindOf(String unit) {
        if (unit.startsWith("dmar")) {
            return IommuKind.INTEL_VT_D;
        }
        if (unit.startsWith("ivhd")) {
            return IommuKind.AMD_VI;
        }
        if (unit.startsWith("smmu") || unit.contains(".iommu") || unit.contains("smmu")) {
            return IommuKind.ARM_SMMU;
        }
        if (unit.startsWith("virtio")) {
            return IommuKind.VIRTIO_IOMMU;
        }
        return IommuKind.OTHER;
    }

    /** Splits a kernel command line into parameters (double quotes group, as the kernel's parser does). */
    static List<String> parseCommandLine(String cmdline) {
        List<String> out = new ArrayList<>();
        if (cmdline == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < cmdline.length(); i++) {
            char c = cmdline.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        int end = out.indexOf("--");
        return end >= 0 ? out.subList(0, end) : out;
    }

    static Map<String, String> relevantFlags(List<String> params) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? "" : p.substring(eq + 1);
            String normal = key.replace('-', '_');
            boolean relevant = RELEVANT.contains(key) || RELEVANT.stream().anyMatch(r -> r.replace('-', '_').equals(normal))
                    || RELEVANT_PREFIXES.stream().anyMatch(normal::startsWith);
            if (relevant) {
                out.put(key, value);
            }
        }
        return out;
    }

    /** Decodes {@code /proc/sys/kernel/tainted} (see the kernel's tainted-kernels documentation). */
    static Taint decodeTaint(String text) {
        long value = 0;
        if (text != null) {
            try {
                value = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                value = 0;
            }
        }
        List<TaintFlag> flags = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((value & (1L << bit)) != 0) {
                flags.add(bit < TAINTS.length ? new TaintFlag(bit, TAINTS[bit][0].charAt(0), TAINTS[bit][1])
                        : new TaintFlag(bit, '?', "unknown taint bit " + bit));
            }
        }
        return new Taint(value, flags);
    }
}
