package org.vfiobroker.inventory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The names of {@code pci.ids} (vendors, devices, subsystems, classes, sub-classes, programming interfaces),
 * parsed once and kept. Lookups follow pciutils: a subsystem that is not listed under its device but equals
 * the device itself is named like the device.
 */
public final class PciIds {

    private static final PciIds EMPTY = new PciIds(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    /** vendor id to name. */
    private final Map<Integer, String> vendors;
    /** vendor id << 16 | device id to name. */
    private final Map<Integer, String> devices;
    /** (vendor << 16 | device) << 32 | (subvendor << 16 | subdevice) to name. */
    private final Map<Long, String> subsystems;
    /** class << 8 | subclass, and class alone as class << 8 | 0x100 marker... see {@link #className}. */
    private final Map<Integer, String> classes;
    /** 24-bit class code to programming interface name. */
    private final Map<Integer, String> progIfs;

    private PciIds(Map<Integer, String> vendors, Map<Integer, String> devices, Map<Long, String> subsystems,
                   Map<Integer, String> classes, Map<Integer, String> progIfs) {
        this.vendors = vendors;
        this.devices = devices;
        this.subsystems = subsystems;
        this.classes = classes;
        this.progIfs = progIfs;
    }

    /** No names at all: every lookup answers {@code null}. */
    public static PciIds empty() {
        return EMPTY;
    }

    /** Loads {@code file}; {@code null} or an unreadable file give {@link #empty()}. */
    public static PciIds load(Path file) {
        if (file == null || !Files.isReadable(file)) {
            return EMPTY;
        }
        try {
            return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return EMPTY;
        }
    }

    /** Parses the text of a {@code pci.ids} file. Malformed lines are skipped. */
    public static PciIds parse(String text) {
        Map<Integer, String> vendors = new HashMap<>(1 << 14);
        Map<Integer, String> devices = new HashMap<>(1 << 16);
        Map<Long, String> subsystems = new HashMap<>(1 << 15);
        Map<Integer, String> classes = new HashMap<>(512);
        Map<Integer, String> progIfs = new HashMap<>(512);
        int vendor = -1;
        int device = -1;
        int cls = -1;
        int sub = -1;
        boolean inClasses = false;
        int len = text.length();
        int pos = 0;
        while (pos < len) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = len;
            }
            int lineEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
            String line = text.substring(pos, lineEnd);
            pos = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int tabs = 0;
            while (tabs < line.length() && line.charAt(tabs) == '\t') {
                tabs++;
            }
            try {
                if (tabs == 0) {
                    device = -1;
                    sub = -1;
                    if (line.startsWith("C ")) {
                        inClasses = true;
                        cls = hex(line, 2, 2);
                        classes.put(cls << 8 | 0x1000000, name(line, 4));
                        vendor = -1;
                    } else if (isHex(line, 0, 4) && line.length() > 6) {
                        inClasses = false;
                        vendor = hex(line, 0, 4);
                        vendors.put(vendor, name(line, 4));
                    } else {
                        // another section (e.g. "X" device lists): ignore until the next known header
                        inClasses = false;
                        vendor = -1;
                        cls = -1;
                    }
                } else if (tabs == 1) {
                    sub = -1;
                    if (inClasses && cls >= 0 && isHex(line, 1, 2)) {
                        sub = hex(line, 1, 2);
                        classes.put(cls << 8 | sub, name(line, 3));
                    } else if (vendor >= 0 && isHex(line, 1, 4)) {
                        device = hex(line, 1, 4);
                        devices.put(vendor << 16 | device, name(line, 5));
                    }
                } else if (tabs == 2) {
                    if (inClasses && sub >= 0 && isHex(line, 2, 2)) {
                        progIfs.put(cls << 16 | sub << 8 | hex(line, 2, 2), name(line, 4));
                    } else if (vendor >= 0 && device >= 0 && isHex(line, 2, 4) && isHex(line, 7, 4)) {
                        long key = ((long) (vendor << 16 | device) << 32) | ((long) hex(line, 2, 4) << 16) | hex(line, 7, 4);
                        subsystems.put(key, name(line, 11));
                    }
                }
            } catch (RuntimeException malformed) {
                // a line that does not follow the format: skip it, as lspci does
            }
        }
        return new PciIds(Map.copyOf(vendors), Map.copyOf(devices), Map.copyOf(subsystems), Map.copyOf(classes),
                Map.copyOf(progIfs));
    }

    public String vendorName(int vendor) {
        return vendors.get(vendor);
    }

    public String deviceName(int vendor, int device) {
        return devices.get(vendor << 16 | device);
    }

    /** The subsystem's name; like lspci, a subsystem equal to the device itself is named like the device. */
    public String subsystemName(int vendor, int device, int subVendor, int subDevice) {
        String name = subsystems.get(((long) (vendor << 16 | device) << 32) | ((long) subVendor << 16) | subDevice);
        if (name == null && vendor == subVendor && device == subDevice) {
            name = deviceName(vendor, device);
        }
        return name;
    }

    /** Name of the sub-class of a 24-bit class code, or of its base class when the sub-class is unlisted. */
    public String className(int classCode) {
        int base = classCode >>> 16 & 0xff;
        int sub = classCode >>> 8 & 0xff;
        String name = classes.get(base << 8 | sub);
        return name != null ? name : classes.get(base << 8 | 0x1000000);
    }

    /** Name of the base class alone. */
    public String baseClassName(int baseClass) {
        return classes.get(baseClass << 8 | 0x1000000);
    }

    /** Name of the programming interface of a 24-bit class code, {@code null} when unlisted. */
    public String progIfName(int classCode) {
        return progIfs.get(classCode & 0xffffff);
    }

    public int vendorCount() {
        return vendors.size();
    }

    private static String name(String line, int from) {
        int i = from;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return line.substring(i).strip();
    }

    private static boolean isHex(String s, int from, int n) {
        if (s.length() < from + n) {
            return false;
        }
        for (int i = from; i < from + n; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return s.length() == from + n || s.charAt(from + n) == ' ';
    }

    private static int hex(String s, int from, int n) {
        return Integer.parseInt(s, from, from + n, 16);
    }
}
