package org.vfiobroker.inventory;

import java.util.Comparator;

/**
 * A PCI function address in the canonical sysfs form {@code DDDD:BB:DD.F} (domain, bus, device,
 * function), lower-case hexadecimal. This is the one place where the address syntax is defined: an
 * address that does not parse never travels further than the edge that received it.
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    /** The syntax, stated for error messages. */
    public static final String SYNTAX = "DDDD:BB:DD.F (hexadecimal domain 0000-ffff, bus 00-ff, device 00-1f, function 0-7), e.g. 0000:03:00.1";


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
        if (!hasForm(text)) {
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
        if (!hasForm(text)) {
            return false;
        }
        return Character.digit(text.charAt(8), 16) * 16 + Character.digit(text.charAt(9), 16) <= 0x1f;
    }

    /** The syntax {@code hhhh:hh:hh.o} (hexadecimal, either case; function 0-7), checked without a regex: the scan checks every directory name. */
    private static boolean hasForm(String text) {
        if (text == null || text.length() != 12 || text.charAt(4) != ':' || text.charAt(7) != ':'
                || text.charAt(10) != '.' || text.charAt(11) < '0' || text.charAt(11) > '7') {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (i != 4 && i != 7 && !isHex(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    @Override
    public int compareTo(PciAddress other) {
        return ORDER.compare(this, other);
    }

    /** The canonical form, as sysfs names the device directory. */
    @Override
    public String toString() {
        char[] c = new char[12];
        hex(c, 0, domain, 4);
        c[4] = ':';
        hex(c, 5, bus, 2);
        c[7] = ':';
        hex(c, 8, device, 2);
        c[10] = '.';
        c[11] = (char) ('0' + function);
        return new String(c);
    }

    private static void hex(char[] out, int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = Character.forDigit(value & 0xf, 16);
            value >>>= 4;
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
