package org.vfiobroker.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The token format: {@code vb_<prefix>_<secret>}. {@code prefix} is 10 characters of {@code [a-z0-9]}
 * (random, not secret, unique, shown in listings); {@code secret} is 32 random bytes in unpadded base64url
 * (43 characters, 256 bits). The database keeps {@code hex(SHA-256(utf8(token)))}: a fast hash is right for a
 * secret of that entropy, where a slow password hash would only cost time on every request.
 */
final class ApiTokens {

    static final String DISPLAY_PREFIX = "vb_";
    static final int PREFIX_LENGTH = 10;
    static final int SECRET_BYTES = 32;
    private static final int SECRET_LENGTH = 43;
    private static final char[] PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokens() {
    }

    static String newPrefix() {
        char[] c = new char[PREFIX_LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = PREFIX_ALPHABET[RANDOM.nextInt(PREFIX_ALPHABET.length)];
        }
        return new String(c);
    }

    static String newToken(String prefix) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return DISPLAY_PREFIX + prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** The prefix of a well-formed token, empty for anything else. */
    static Optional<String> prefixOf(String token) {
        if (token == null || token.length() != DISPLAY_PREFIX.length() + PREFIX_LENGTH + 1 + SECRET_LENGTH
                || !token.startsWith(DISPLAY_PREFIX) || token.charAt(DISPLAY_PREFIX.length() + PREFIX_LENGTH) != '_') {
            return Optional.empty();
        }
        String prefix = token.substring(DISPLAY_PREFIX.length(), DISPLAY_PREFIX.length() + PREFIX_LENGTH);
        String secret = token.substring(DISPLAY_PREFIX.length() + PREFIX_LENGTH + 1);
        if (!prefix.chars().allMatch(ch -> (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
                || !secret.chars().allMatch(ch -> Character.isLetterOrDigit(ch) && ch < 128 || ch == '-' || ch == '_')) {
            return Optional.empty();
        }
        return Optional.of(prefix);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Constant-time comparison of two hex hashes. */
    static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
