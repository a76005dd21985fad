package org.vfiobroker.inventory;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * A PCI function address in the canonical sysfs form {@code DDDD:BB:DD.F} (domain, bus, device,
 * function), lower-case hexadecimal. This is the one place where the address syntax is defined: an
 * address that does not parse never travels further than the edge that received it.
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    /** The syntax, stated for error messages. */
    public static final String SYNTAX = "DDDD:BB:DD.F (hexadecimal domain 0000-ffff, bus 00-ff, device 00-1f, function 0-7), e.g. 0000:03:00.1";

    private static final Pattern FORM = Pattern.compile("[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private static final Comparator<PciAddress> ORDER = Comparator.comparingInt(PciAddress::domain)
            .thenComparingInt(PciAddress::bus)
            .thenComparingInt(PciAddress::device)
            .thenComparingInt(PciAddress::function);

    public PciAddress {
        if (domain < 0 || domain > 0xffff) {
            throw new InvalidPciAddressException("domain " + domain + " is outside 0000-ffff");
        }
        if (bus < 0 || bus > 0xff) {
            throw new InvalidPciAddressException("bus " + bus + " is outside 00-ff");
        }
        if (device < 0 || device > 0x1f) {
            throw new InvalidPciAddressException("device " + device + " is outside 00-1f");
        }
        if (function < 0 || function > 7) {
            throw new InvalidPciAddressException("function " + function + " is outside 0-7");
        }
    }

    /**
     * Parses {@code DDDD:BB:DD.F} strictly: exactly that shape, nothing before or after.
     *
     * @throws InvalidPciAddressException with a message that states the expected syntax
     */
    public static PciAddress parse(String text) {
        if (text == null || text.length() != 12 || !FORM.matcher(text).matches()) {
            throw new InvalidPciAddressException("'" + abbreviate(text) + "' is not a PCI address; expected " + SYNTAX);
        }
        try {
            return new PciAddress(
                    Integer.parseInt(text.substring(0, 4), 16),
                    Integer.parseInt(text.substring(5, 7), 16),
                    Integer.parseInt(text.substring(8, 10), 16),
                    Character.digit(text.charAt(11), 8));
        } catch (InvalidPciAddressException e) {
            throw new InvalidPciAddressException("'" + text + "' is not a PCI address: " + e.getMessage()
                    + "; expected " + SYNTAX);
        }
    }

    /** Whether {@code text} is a well-formed address (for scanning directory names). */
    public static boolean isWellFormed(String text) {
        if (text == null || text.length() != 12 || !FORM.matcher(text).matches()) {
            return false;
        }
        return Integer.parseInt(text.substring(8, 10), 16) <= 0x1f;
    }

    @Override
    public int compareTo(PciAddress other) {
        return ORDER.compare(this, other);
    }

    /** The canonical form, as sysfs names the device directory. */
    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
