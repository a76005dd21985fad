package org.vfiobroker.security;

/**
 * Spring Security's {@code StrictHttpFirewall} rules for header names and values and parameter names, as loops over
 * the code points instead of its regular expressions ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*}, and for header
 * values the same with TAB allowed): the same answer for every string (FirewallCharactersTest compares them on every
 * code point and on random strings), without a {@code Matcher} per header and parameter of every request, which was
 * ~8 % of the service's samples under the device-page load.
 */
final class FirewallCharacters {

    private FirewallCharacters() {
    }

    /** Every code point assigned and not a control character. */
    static boolean assignedAndNotControl(String s) {
        return check(s, false);
    }

    /** Every code point assigned and not a control character, or TAB. */
    static boolean assignedAndNotControlOrTab(String s) {
        return check(s, true);
    }

    private static boolean check(String s, boolean tab) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp < 0x80) { // ASCII: all assigned; controls are 0x00-0x1f and 0x7f
                if ((cp < 0x20 && !(tab && cp == '\t')) || cp == 0x7f) {
                    return false;
                }
                i++;
                continue;
            }
            int type = Character.getType(cp);
            if (type == Character.UNASSIGNED || type == Character.CONTROL) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
