package org.vfiobroker.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.vfiobroker.inventory.PciAddress;

/**
 * The in-use rules, named once in Java (the helper applies the same rules in C, usage.c, and is
 * the authority on a real host): a network interface under the device that is up or has routes,
 * a block device under it that is mounted (directly or through a holder such as dm) or used as
 * swap, the boot VGA, and the device behind {@code /}. Reasons read like the helper's:
 * {@code net:eth0:up}, {@code block:nvme0n1p1:mounted}, {@code display:<address>:boot-vga}.
 */
public final class HostUseRule {

    private static final int MAX_DEPTH = 8;

    private final Path sysfs;
    private final Path procfs;

    public HostUseRule(Path sysfs, Path procfs) {
        this.sysfs = sysfs;
        this.procfs = procfs;
    }

    /** In-use reasons of a device directory and whether it holds the root filesystem. */
    public record Use(List<String> reasons, boolean rootDevice) {
        public Use {
            reasons = List.copyOf(reasons);
        }
    }

    public Use of(Path deviceDir, String address) {
        Set<String> reasons = new LinkedHashSet<>();
        boolean[] root = { false };
        List<String[]> mounts = mounts();
        String rootMajMin = mounts.stream().filter(m -> m[1].equals("/")).map(m -> m[0]).reduce((a, b) -> b)
                .orElse("");
        Set<String> mounted = new HashSet<>();
        mounts.forEach(m -> mounted.add(m[0]));
        if ("1".equals(read(deviceDir.resolve("boot_vga")))) {
            reasons.add("display:" + address + ":boot-vga");
        }
        walk(deviceDir, 0, reasons, mounted, rootMajMin, root);
        return new Use(new ArrayList<>(reasons), root[0]);
    }

    private void walk(Path dir, int depth, Set<String> reasons, Set<String> mounted, String rootMajMin,
            boolean[] root) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path sub : entries) {
                String name = sub.getFileName().toString();
                if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS) || PciAddress.isWellFormed(name)) {
                    continue;
                }
                String subsystem = linkBase(sub.resolve("subsystem"));
                if ("net".equals(subsystem)) {
                    net(sub, name, reasons);
                } else if ("block".equals(subsystem)) {
                    block(sub, name, 0, reasons, mounted, rootMajMin, root);
                }
                if (depth < MAX_DEPTH) {
                    walk(sub, depth + 1, reasons, mounted, rootMajMin, root);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void net(Path dir, String ifname, Set<String> reasons) {
        boolean up = "up".equals(read(dir.resolve("operstate")));
        String flags = read(dir.resolve("flags"));
        if (flags != null && flags.startsWith("0x")) {
            try {
                up |= (Long.parseLong(flags.substring(2), 16) & 1L) != 0;
            } catch (NumberFormatException e) {
                // not a flag word: the operstate decides
            }
        }
        if (up) {
            reasons.add("net:" + ifname + ":up");
        }
        if (routed(ifname)) {
            reasons.add("net:" + ifname + ":routes");
        }
    }

    private void block(Path dir, String name, int depth, Set<String> reasons, Set<String> mounted, String rootMajMin,
            boolean[] root) {
        String dev = read(dir.resolve("dev"));
        int before = reasons.size();
        if (dev != null && mounted.contains(dev)) {
            reasons.add("block:" + name + ":mounted");
        }
        if (dev != null && dev.equals(rootMajMin)) {
            reasons.add("block:" + name + ":root-filesystem");
            root[0] = true;
        }
        if (swapped(name)) {
            reasons.add("block:" + name + ":swap");
        }
        Path holders = dir.resolve("holders");
        if (depth < 4 && Files.isDirectory(holders, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(holders)) {
                for (Path h : entries) {
                    String holder = h.getFileName().toString();
                    Path target = sysfs.resolve("class/block").resolve(holder);
                    int beforeHolder = reasons.size();
                    if (Files.isDirectory(target)) {
                        block(target, holder, depth + 1, reasons, mounted, rootMajMin, root);
                    } else {
                        reasons.add("block:" + holder + ":holder-unresolved");
                    }
                    if (reasons.size() > beforeHolder) {
                        reasons.add("block:" + name + ":used-through-holder");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assert reasons.size() >= before;
    }

    private List<String[]> mounts() {
        List<String[]> out = new ArrayList<>();
        for (String line : lines(procfs.resolve("self/mountinfo"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) {
                out.add(new String[] { f[2], f[4] });
            }
        }
        return out;
    }

    private boolean swapped(String name) {
        List<String> lines = lines(procfs.resolve("swaps"));
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length > 0 && f[0].substring(f[0].lastIndexOf('/') + 1).equals(name)) {
                return true;
            }
        }
        return false;
    }

    private boolean routed(String ifname) {
        List<String> v4 = lines(procfs.resolve("net/route"));
        for (int i = 1; i < v4.size(); i++) {
            String[] f = v4.get(i).trim().split("\\s+");
            if (f.length > 0 && f[0].equals(ifname)) {
                return true;
            }
        }
        for (String line : lines(procfs.resolve("net/ipv6_route"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 0 && f[f.length - 1].equals(ifname)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String linkBase(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) {
                return null;
            }
            Path target = Files.readSymbolicLink(link);
            Path name = target.getFileName();
            return name == null ? null : name.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
