package org.vfiobroker.policy;

/**
 * The arithmetic of a policy, free of I/O so it can be checked exhaustively: whether a request fits what the
 * user holds already, and if not, which limit it breaks and what remains. Sums saturate instead of overflowing.
 */
public final class QuotaRules {

    private QuotaRules() {
    }

    /** A policy's limits. */
    public record Limits(int maxGroups, long maxMemlockBytes, long maxLeaseSeconds) {
    }

    /**
     * What the user holds now: groups from the policy's pool, locked memory across all of its holding grants.
     */
    public record Holding(int groups, long memlockBytes) {
    }

    public enum Breach { NONE, GROUPS, MEMLOCK, LEASE }

    /**
     * @param breach    the first limit broken, or NONE
     * @param requested what the request asks of that limit
     * @param remaining what the limit still allows (never negative)
     * @param limit     the limit itself
     */
    public record Decision(Breach breach, long requested, long remaining, long limit) {
        public boolean allowed() {
            return breach == Breach.NONE;
        }
    }

    public static Decision check(Limits limits, Holding holding, int groups, long memlockBytes, long leaseSeconds) {
        long groupsLeft = Math.max(0, (long) limits.maxGroups() - holding.groups());
        if (groups > groupsLeft) {
            return new Decision(Breach.GROUPS, groups, groupsLeft, limits.maxGroups());
        }
        long memlockLeft = Math.max(0, limits.maxMemlockBytes() - Math.max(0, holding.memlockBytes()));
        if (memlockBytes > memlockLeft) {
            return new Decision(Breach.MEMLOCK, memlockBytes, memlockLeft, limits.maxMemlockBytes());
        }
        if (leaseSeconds > limits.maxLeaseSeconds()) {
            return new Decision(Breach.LEASE, leaseSeconds, limits.maxLeaseSeconds(), limits.maxLeaseSeconds());
        }
        return new Decision(Breach.NONE, 0, 0, 0);
    }

    /** a + b, or Long.MAX_VALUE when that overflows. */
    public static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
