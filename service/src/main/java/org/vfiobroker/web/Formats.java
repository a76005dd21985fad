package org.vfiobroker.web;

import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Number formats for the templates ({@code ${@fmt.hex(d.classCode(), 6)}}): Thymeleaf does not let
 * templates call static methods of arbitrary types.
 */
@Component("fmt")
public class Formats {

    /** Lower-case hexadecimal, zero-padded to {@code digits}. */
    public String hex(long value, int digits) {
        return String.format(Locale.ROOT, "%0" + digits + "x", value);
    }

    /** A size in bytes as people read it: 512 B, 4 KiB, 16 MiB, 2.5 GiB. */
    public String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v))
                + " " + units[u];
    }

    /** A percentage 0..100 of {@code part} in {@code whole}; 0 when {@code whole} is 0. */
    public long percent(long part, long whole) {
        return whole <= 0 ? 0 : Math.min(100, Math.round(100.0 * part / whole));
    }
}
