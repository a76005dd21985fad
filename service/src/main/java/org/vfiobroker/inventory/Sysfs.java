package org.vfiobroker.inventory;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Small, cheap file reads for sysfs and procfs: one open, one or two reads, one close; no exceptions for
 * absent files on the hot path (callers check the directory listing first where it matters).
 */
public final class Sysfs {

    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[8192]);

    private Sysfs() {
    }

    /** The file's text with trailing whitespace removed, {@code null} when absent or unreadable. */
    public static String text(Path file) {
        return text(file.toString());
    }

    /** {@link #text(Path)} for a path already in string form (saves a Path per read on the hot path). */
    static String text(String file) {
        byte[] buf = BUFFER.get();
        try (FileInputStream in = new FileInputStream(file)) {
            int n = 0;
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
            if (n == buf.length) {
                return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8).stripTrailing();
            }
            while (n > 0 && buf[n - 1] <= ' ') {
                n--;
            }
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Up to {@code max} bytes of the file, empty when absent or unreadable. */
    static byte[] bytes(Path file, int max) {
        try (FileInputStream in = new FileInputStream(file.toString())) {
            byte[] out = new byte[max];
            int n = 0;
            int r;
            while (n < max && (r = in.read(out, n, max - n)) > 0) {
                n += r;
            }
            return n == max ? out : Arrays.copyOf(out, n);
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /** The file's whole text, {@code null} when absent or unreadable (for procfs tables). */
    static String whole(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The symbolic link's target text, {@code null} when it is not a link. */
    static String link(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The last component of the symbolic link's target, {@code null} when it is not a link. */
    static String linkName(Path link) {
        String target = link(link);
        if (target == null) {
            return null;
        }
        int slash = target.lastIndexOf('/');
        return slash < 0 ? target : target.substring(slash + 1);
    }

    /** The directory's entry names, empty when absent (a single getdents loop, no stat per entry). */
    static String[] list(Path dir) {
        String[] names = new File(dir.toString()).list();
        return names != null ? names : new String[0];
    }

    static Integer parseInt(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return text.startsWith("0x") ? Integer.parseInt(text, 2, text.length(), 16) : Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static int hex(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            String t = text.trim();
            return t.startsWith("0x") ? (int) Long.parseLong(t, 2, t.length(), 16) : (int) Long.parseLong(t, 16);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
