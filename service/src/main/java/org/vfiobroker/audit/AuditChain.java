package org.vfiobroker.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The hash of one link of the audit chain.
 *
 * <p>{@code hash = hex(SHA-256(utf8(E(previousHash) E(sequence) E(at) E(actor) E(action) E(target) E(outcome)
 * E(details))))} where {@code E(s) = <byte length of utf8(s)> ":" s "\n"}, {@code sequence} is decimal,
 * {@code at} is UTC with exactly six fraction digits ({@code 2026-11-25T17:29:45.123456Z}), {@code outcome}
 * is the enum name and an absent {@code details} is the empty string. The length prefixes make the encoding
 * unambiguous: no two different events encode alike. The first event's previous hash is the empty string.
 */
public final class AuditChain {

    /** Stored times have microsecond precision (H2 and PostgreSQL both keep six fraction digits). */
    public static final ChronoUnit PRECISION = ChronoUnit.MICROS;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AuditChain() {
    }

    public static String hash(String previousHash, long sequence, Instant at, String actor, String action,
                              String target, AuditEvent.Outcome outcome, String details) {
        StringBuilder canonical = new StringBuilder(256);
        field(canonical, previousHash);
        field(canonical, Long.toString(sequence));
        field(canonical, TIME.format(at.truncatedTo(PRECISION)));
        field(canonical, actor);
        field(canonical, action);
        field(canonical, target);
        field(canonical, outcome.name());
        field(canonical, details == null ? "" : details);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The hash of a stored event, recomputed from its fields. */
    public static String hash(AuditEvent e) {
        return hash(e.previousHash(), e.sequence(), e.at(), e.actor(), e.action(), e.target(), e.outcome(),
                e.details());
    }

    private static void field(StringBuilder out, String value) {
        out.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('\n');
    }
}
