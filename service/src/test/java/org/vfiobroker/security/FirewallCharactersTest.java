package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The loops answer as Spring Security's regular expressions do (the patterns copied from StrictHttpFirewall). */
class FirewallCharactersTest {

    static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    static final Pattern HEADER_VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    @Test
    void everyCodePointAloneAndAfterAnAllowedOne() {
        int allowed = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            for (String s : new String[] {new String(Character.toChars(cp)), "a" + new String(Character.toChars(cp))}) {
                boolean name = NAMES.matcher(s).matches();
                assertThat(FirewallCharacters.assignedAndNotControl(s)).as("U+%04X", cp).isEqualTo(name);
                assertThat(FirewallCharacters.assignedAndNotControlOrTab(s)).as("U+%04X in a value", cp)
                        .isEqualTo(HEADER_VALUES.matcher(s).matches());
                allowed += name ? 1 : 0;
            }
        }
        assertThat(allowed).as("some are allowed, some not").isBetween(100_000, 2 * 1_000_000);
    }

    @Test
    void randomStringsWithSurrogatesControlsAndTabs() {
        Random random = new Random(26_11_2026);
        char[] interesting = {'\t', '\n', '\u0000', '\u007f', '\u0085', '\u00a0', '\ud800', '\udc00', '\ud83d', '\ude00',
                '\u0378', '\ufffe', '\u2028', 'a', 'Z', '%', '|'};
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(8);
            for (int i = 0; i < length; i++) {
                b.append(random.nextBoolean() ? interesting[random.nextInt(interesting.length)]
                        : (char) random.nextInt(0x10000));
            }
            String s = b.toString();
            assertThat(FirewallCharacters.assignedAndNotControl(s)).as(s).isEqualTo(NAMES.matcher(s).matches());
            assertThat(FirewallCharacters.assignedAndNotControlOrTab(s)).as(s)
                    .isEqualTo(HEADER_VALUES.matcher(s).matches());
        }
    }

    @Test
    void theUsualAreAllowedAndControlsAreNot() {
        assertThat(FirewallCharacters.assignedAndNotControl("Authorization")).isTrue();
        assertThat(FirewallCharacters.assignedAndNotControlOrTab("Bearer abc\tdef")).isTrue();
        assertThat(FirewallCharacters.assignedAndNotControl("a\tb")).isFalse();
        assertThat(FirewallCharacters.assignedAndNotControlOrTab("a\nb")).isFalse();
        assertThat(FirewallCharacters.assignedAndNotControl("\u0378")).isFalse(); // unassigned
    }
}
