package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.vfiobroker.policy.QuotaRules;
import org.vfiobroker.policy.QuotaRules.Breach;
import org.vfiobroker.policy.QuotaRules.Decision;
import org.vfiobroker.policy.QuotaRules.Holding;
import org.vfiobroker.policy.QuotaRules.Limits;

/** The policy arithmetic, property-based. */
class QuotaRulesProperties {

    @Property
    void allowsExactlyWhatFitsEveryLimit(@ForAll @IntRange(min = 1, max = 4096) int maxGroups,
                                         @ForAll @LongRange(min = 1024, max = 1L << 50) long maxMemlock,
                                         @ForAll @LongRange(min = 60, max = 31536000) long maxLease,
                                         @ForAll @IntRange(min = 0, max = 5000) int heldGroups,
                                         @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long heldMemlock,
                                         @ForAll @IntRange(min = 1, max = 4096) int groups,
                                         @ForAll @LongRange(min = 1024, max = Long.MAX_VALUE / 2) long memlock,
                                         @ForAll @LongRange(min = 1, max = 31536000) long lease) {
        Decision d = QuotaRules.check(new Limits(maxGroups, maxMemlock, maxLease), new Holding(heldGroups, heldMemlock),
                groups, memlock, lease);

        boolean fits = (long) heldGroups + groups <= maxGroups && heldMemlock + memlock <= maxMemlock
                && lease <= maxLease;
        assertThat(d.allowed()).isEqualTo(fits);
    }

    @Property
    void aRefusalReportsWhatRemainsNeverNegative(@ForAll @IntRange(min = 1, max = 64) int maxGroups,
                                                @ForAll @LongRange(min = 1024, max = 1L << 40) long maxMemlock,
                                                @ForAll @IntRange(min = 0, max = 100) int heldGroups,
                                                @ForAll @LongRange(min = 0, max = 1L << 41) long heldMemlock,
                                                @ForAll @IntRange(min = 1, max = 64) int groups,
                                                @ForAll @LongRange(min = 1024, max = 1L << 41) long memlock) {
        Decision d = QuotaRules.check(new Limits(maxGroups, maxMemlock, 3600), new Holding(heldGroups, heldMemlock),
                groups, memlock, 60);

        assertThat(d.remaining()).isNotNegative();
        if (d.breach() == Breach.GROUPS) {
            assertThat(d.remaining()).isEqualTo(Math.max(0, maxGroups - heldGroups)).isLessThan(groups);
        }
        if (d.breach() == Breach.MEMLOCK) {
            assertThat(d.remaining()).isEqualTo(Math.max(0, maxMemlock - heldMemlock)).isLessThan(memlock);
        }
    }

    @Property
    void grantingWhatRemainsFillsTheQuotaExactly(@ForAll @LongRange(min = 1, max = 1L << 30) long maxKib,
                                                 @ForAll @LongRange(min = 0, max = 1L << 30) long heldKib) {
        long max = maxKib * 1024;
        long held = Math.min(heldKib, maxKib) * 1024;
        long remaining = max - held;
        Limits limits = new Limits(10, max, 3600);

        if (remaining > 0) {
            assertThat(QuotaRules.check(limits, new Holding(0, held), 1, remaining, 60).allowed()).isTrue();
        }
        assertThat(QuotaRules.check(limits, new Holding(0, held), 1, remaining + 1024, 60).breach())
                .isEqualTo(Breach.MEMLOCK);
    }

    @Property
    void saturatedAddNeverWraps(@ForAll long a, @ForAll long b) {
        long r = QuotaRules.saturatedAdd(a, b);
        if (a >= 0 && b >= 0) {
            assertThat(r).isGreaterThanOrEqualTo(Math.max(a, b));
        }
    }
}
