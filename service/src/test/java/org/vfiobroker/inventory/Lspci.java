package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs Debian's {@code lspci} (pciutils) and parses its machine-readable and very verbose output. */
final class Lspci {

    static final Path BINARY = Path.of("/usr/bin/lspci");

    private Lspci() {
    }

    /** The access options for a fixture tree ({@code null}: the real {@code /sys}) plus names from {@code pciIds}. */
    static List<String> access(Path sysfs, Path pciIds) {
        List<String> args = new ArrayList<>();
        if (sysfs != null) {
            args.addAll(List.of("-A", "linux-sysfs", "-O", "sysfs.path=" + sysfs.resolve("bus/pci")));
        }
        args.addAll(List.of("-O", "hwdb.disable=1"));
        if (pciIds != null) {
            args.addAll(List.of("-i", pciIds.toString()));
        }
        return args;
    }

    static String run(List<String> access, String... options) {
        if (!Files.isExecutable(BINARY)) {
            fail("lspci is missing at " + BINARY + ": install pciutils (apt-get install pciutils)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(access);
        cmd.addAll(List.of(options));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("lspci failed: " + cmd);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("cannot run lspci (install pciutils): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** {@code lspci -vmm -nn -D -k}: one map of tag to value per function, by address. */
    static Map<String, Map<String, String>> machine(List<String> access) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String record : run(access, "-vmm", "-nn", "-D", "-k").split("\n\n")) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (String line : record.split("\n")) {
                int tab = line.indexOf(":\t");
                if (tab > 0) {
                    tags.put(line.substring(0, tab), line.substring(tab + 2));
                }
            }
            if (tags.containsKey("Slot")) {
                out.put(tags.get("Slot"), tags);
            }
        }
        return out;
    }

    /** {@code lspci -vvv -D}: the lines of each function's block, by address. */
    static Map<String, List<String>> verbose(List<String> access) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : run(access, "-vvv", "-D").split("\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                current = new ArrayList<>();
                out.put(line.substring(0, line.indexOf(' ')), current);
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        return out;
    }

    /** The id in the trailing {@code [xxxx]} of a -nn value. */
    static int id(String value) {
        int open = value.lastIndexOf('[');
        return Integer.parseInt(value.substring(open + 1, value.length() - 1), 16);
    }

    /** The name before the trailing {@code [xxxx]} of a -nn value. */
    static String name(String value) {
        int open = value.lastIndexOf(" [");
        return value.substring(0, open);
    }
}
