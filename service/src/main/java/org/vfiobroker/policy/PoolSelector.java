package org.vfiobroker.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.vfiobroker.inventory.InvalidPciAddressException;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.problem.InvalidInputException;

/**
 * Which functions a pool holds. A function matches when it matches every non-empty list (any entry of
 * each). A group belongs to the pool when every endpoint matches; bridges and ports are ignored.
 *
 * @param vendorDevices     {@code vvvv:dddd} or {@code vvvv:*}
 * @param classPrefixes     hexadecimal class-code prefixes of 2, 4 or 6 digits
 * @param addresses         function addresses
 * @param physicalFunctions SR-IOV PFs whose VFs match
 */
public record PoolSelector(List<String> vendorDevices, List<String> classPrefixes, List<PciAddress> addresses,
                           List<PciAddress> physicalFunctions) {

    private static final Pattern VENDOR_DEVICE = Pattern.compile("[0-9a-f]{4}:([0-9a-f]{4}|\\*)");
    private static final Pattern CLASS_PREFIX = Pattern.compile("([0-9a-f]{2}){1,3}");
    private static final int MAX_ENTRIES = 256;

    public PoolSelector {
        vendorDevices = List.copyOf(vendorDevices);
        classPrefixes = List.copyOf(classPrefixes);
        addresses = List.copyOf(addresses);
        physicalFunctions = List.copyOf(physicalFunctions);
    }

    /** Parses and checks the lists as a request gives them; every problem names the member at fault. */
    public static PoolSelector of(List<String> vendorDevices, List<String> classPrefixes, List<String> addresses,
                                  List<String> physicalFunctions) {
        List<String> vd = strings("selector.vendorDevices", vendorDevices, VENDOR_DEVICE,
                "'vvvv:dddd' or 'vvvv:*' in hexadecimal, e.g. '15b3:101e'");
        List<String> cp = strings("selector.classPrefixes", classPrefixes, CLASS_PREFIX,
                "2, 4 or 6 hexadecimal digits of the class code, e.g. '02' (network) or '0108' (NVMe)");
        List<PciAddress> ad = addresses("selector.addresses", addresses);
        List<PciAddress> pf = addresses("selector.physicalFunctions", physicalFunctions);
        if (vd.isEmpty() && cp.isEmpty() && ad.isEmpty() && pf.isEmpty()) {
            throw new InvalidInputException("selector", "selector: name at least one of vendorDevices, classPrefixes,"
                    + " addresses, physicalFunctions; an empty selector would select nothing");
        }
        return new PoolSelector(vd, cp, ad, pf);
    }

    /** Whether the function matches every non-empty criterion. */
    public boolean matches(PciFunction f) {
        if (!vendorDevices.isEmpty() && vendorDevices.stream().noneMatch(v -> vendorDeviceMatches(v, f))) {
            return false;
        }
        if (!classPrefixes.isEmpty() && classPrefixes.stream().noneMatch(c -> classMatches(c, f.classCode()))) {
            return false;
        }
        if (!addresses.isEmpty() && !addresses.contains(f.address())) {
            return false;
        }
        return physicalFunctions.isEmpty() || (f.physicalFunction() != null
                && physicalFunctions.contains(f.physicalFunction()));
    }

    /** Whether a group with these member functions belongs to the pool: every endpoint matches, at least one. */
    public boolean selectsGroup(List<PciFunction> members) {
        List<PciFunction> endpoints = members.stream().filter(m -> !m.isPciBridge()).toList();
        return !endpoints.isEmpty() && endpoints.stream().allMatch(this::matches);
    }

    private static boolean vendorDeviceMatches(String pattern, PciFunction f) {
        String vd = f.vendorDevice();
        return pattern.endsWith(":*") ? vd.startsWith(pattern.substring(0, 5)) : vd.equals(pattern);
    }

    private static boolean classMatches(String prefix, int classCode) {
        return PciFunction.hex(classCode, 6).startsWith(prefix);
    }

    private static List<String> strings(String field, List<String> values, Pattern form, String expected) {
        if (values == null) {
            return List.of();
        }
        limit(field, values.size());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            String lower = v == null ? null : v.toLowerCase(Locale.ROOT);
            if (lower == null || !form.matcher(lower).matches()) {
                throw new InvalidInputException(field, field + "[" + i + "]: '" + (v == null ? "null"
                        : UnixNames.printable(v)) + "' is not valid; expected " + expected);
            }
            if (!out.contains(lower)) {
                out.add(lower);
            }
        }
        return out;
    }

    private static List<PciAddress> addresses(String field, List<String> values) {
        if (values == null) {
            return List.of();
        }
        limit(field, values.size());
        List<PciAddress> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            try {
                PciAddress a = PciAddress.parse(values.get(i) == null ? null : values.get(i).toLowerCase(Locale.ROOT));
                if (!out.contains(a)) {
                    out.add(a);
                }
            } catch (InvalidPciAddressException e) {
                throw new InvalidInputException(field, field + "[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static void limit(String field, int size) {
        if (size > MAX_ENTRIES) {
            throw new InvalidInputException(field, field + ": at most " + MAX_ENTRIES + " entries (got " + size + ")");
        }
    }

    static String join(List<?> values) {
        return String.join(",", values.stream().map(Object::toString).toList());
    }

    static List<String> split(String stored) {
        return stored == null || stored.isEmpty() ? List.of() : List.of(stored.split(","));
    }
}
