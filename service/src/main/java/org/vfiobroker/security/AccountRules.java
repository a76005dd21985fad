package org.vfiobroker.security;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.vfiobroker.problem.InvalidInputException;

/** The rules for account names, display names and passwords, with messages a person can act on. */
final class AccountRules {

    static final int USERNAME_MIN = 2;
    static final int USERNAME_MAX = 32;
    static final int DISPLAY_NAME_MAX = 128;
    static final int PASSWORD_MIN = 12;
    static final int PASSWORD_MAX = 64;
    /** bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused. */
    static final int PASSWORD_MAX_BYTES = 72;
    private static final Pattern USERNAME = Pattern.compile("^[a-z][a-z0-9._-]*$");

    private AccountRules() {
    }

    static String username(String username) {
        if (username == null || username.isEmpty()) {
            throw new InvalidInputException("username", "username: give a name of " + USERNAME_MIN + " to "
                    + USERNAME_MAX + " characters");
        }
        if (username.length() < USERNAME_MIN || username.length() > USERNAME_MAX) {
            throw new InvalidInputException("username", "username: must be " + USERNAME_MIN + " to " + USERNAME_MAX
                    + " characters long (got " + username.length() + ")");
        }
        if (!USERNAME.matcher(username).matches()) {
            throw new InvalidInputException("username", "username: use lower-case letters a-z, digits and . _ -,"
                    + " starting with a letter (got '" + username + "')");
        }
        return username;
    }

    static String displayName(String displayName) {
        if (displayName == null || displayName.isBlank()) {
            return null;
        }
        String trimmed = displayName.strip();
        if (trimmed.length() > DISPLAY_NAME_MAX) {
            throw new InvalidInputException("displayName", "displayName: must be at most " + DISPLAY_NAME_MAX
                    + " characters long (got " + trimmed.length() + ")");
        }
        if (trimmed.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("displayName", "displayName: must not contain control characters");
        }
        return trimmed;
    }

    static String password(String password, String username) {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException("password", "password: give a password of at least " + PASSWORD_MIN
                    + " characters");
        }
        int length = password.codePointCount(0, password.length());
        if (length < PASSWORD_MIN) {
            throw new InvalidInputException("password", "password: must be at least " + PASSWORD_MIN
                    + " characters long (got " + length + "); a few unrelated words make a good one");
        }
        if (length > PASSWORD_MAX || password.getBytes(StandardCharsets.UTF_8).length > PASSWORD_MAX_BYTES) {
            throw new InvalidInputException("password", "password: must be at most " + PASSWORD_MAX
                    + " characters and " + PASSWORD_MAX_BYTES + " bytes in UTF-8 long");
        }
        if (password.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("password", "password: must not contain control characters"
                    + " (tabs, line breaks)");
        }
        if (password.codePoints().distinct().count() < 4) {
            throw new InvalidInputException("password", "password: use at least 4 different characters");
        }
        if (username != null && password.toLowerCase(Locale.ROOT).contains(username.toLowerCase(Locale.ROOT))) {
            throw new InvalidInputException("password", "password: must not contain the user name");
        }
        return password;
    }
}
