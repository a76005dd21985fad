package org.vfiobroker.policy;

import java.util.regex.Pattern;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;

/**
 * The rules for Unix user and group names the broker accepts, and for who may receive devices: a name
 * NSS knows, never uid 0, never a uid below the helper's minimum.
 */
public final class UnixNames {

    /** Letters, digits, {@code _ . -}, starting with a letter or {@code _}, 1 to 32 characters. */
    public static final String SYNTAX = "1 to 32 characters: letters, digits, '_', '.', '-', starting with a letter or '_'";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");

    private UnixNames() {
    }

    /** @throws InvalidInputException naming {@code field} when the name is malformed */
    public static String check(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException(field, field + ": required; a Unix name, " + SYNTAX);
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException(field, field + ": '" + printable(name) + "' is not a Unix name; expected "
                    + SYNTAX);
        }
        return name;
    }

    /** Resolves a grantee: known to NSS, uid not 0 and not below {@code minUid}. */
    public static UnixUser grantee(UnixUsers users, String field, String name, long minUid) {
        check(field, name);
        UnixUser user = users.user(name).orElseThrow(() -> new ProblemException(ProblemType.UNKNOWN_UNIX_USER,
                field + ": no Unix user '" + name + "' on this host (getent passwd " + name
                        + " finds nothing); create it or check the spelling").with("field", field).with("unixUser", name));
        if (user.uid() == 0 || user.uid() < minUid) {
            throw new ProblemException(ProblemType.UNIX_USER_NOT_ALLOWED, field + ": Unix user '" + name + "' has uid "
                    + user.uid() + "; devices go only to uids from " + minUid + " up, never to root")
                    .with("field", field).with("unixUser", name);
        }
        return user;
    }

    static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
