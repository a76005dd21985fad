package org.vfiobroker.security;

import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Security settings.
 *
 * @param initialAdminPassword password of the first administrator {@code admin}, created at first
 *     start when no account exists; empty means "generate one and print it once in the log"
 * @param tokens               {@code vfio-broker.security.tokens.*}
 * @param throttle             {@code vfio-broker.security.throttle.*}
 */
@ConfigurationProperties("vfio-broker.security")
public record SecurityProperties(String initialAdminPassword, Tokens tokens, Throttle throttle) {

    public SecurityProperties {
        initialAdminPassword = initialAdminPassword == null ? "" : initialAdminPassword;
        tokens = tokens != null ? tokens : new Tokens(null, null, null, null);
        throttle = throttle != null ? throttle : new Throttle(null, null, null, null, null);
    }

    /**
     * @param defaultLifetimeDays lifetime of a token created without {@code expiresInDays}, default 90
     * @param maxLifetimeDays     the longest lifetime a token may be given, default 365
     * @param lastUseResolution   the last use of a token is written at most this often, default 1 minute
     * @param cacheTtl            how long a successful token authentication is reused without reading the
     *     database, default 5 s; another instance on the same database sees a revocation within this time;
     *     0 disables the cache
     */
    public record Tokens(Integer defaultLifetimeDays, Integer maxLifetimeDays, Duration lastUseResolution,
                         Duration cacheTtl) {
        public Tokens {
            defaultLifetimeDays = defaultLifetimeDays != null ? defaultLifetimeDays : 90;
            maxLifetimeDays = maxLifetimeDays != null ? maxLifetimeDays : 365;
            lastUseResolution = lastUseResolution != null ? lastUseResolution : Duration.ofMinutes(1);
            cacheTtl = cacheTtl != null ? cacheTtl : Duration.ofSeconds(5);
            if (cacheTtl.isNegative()) {
                throw new IllegalArgumentException("vfio-broker.security.tokens.cache-ttl must not be negative (got "
                        + cacheTtl + "); 0 disables the cache");
            }
        }

        /** Whether a token last used at {@code lastUsedAt} (null: never) has its use at {@code now} written. */
        boolean lastUseDue(Instant lastUsedAt, Instant now) {
            return lastUsedAt == null || !now.isBefore(lastUsedAt.plus(lastUseResolution));
        }
    }

    /**
     * @param maxFailuresPerUsername failed logins for one account name within {@code window} before it is locked, default 5
     * @param maxFailuresPerAddress  failed logins from one client address within {@code window} before it is locked, default 20
     * @param window                 how long a failure counts, default 15 minutes
     * @param firstLock              the first lock; each further failure within the window doubles it, default 30 s
     * @param maxLock                the longest lock, default 15 minutes
     */
    public record Throttle(Integer maxFailuresPerUsername, Integer maxFailuresPerAddress, Duration window,
                           Duration firstLock, Duration maxLock) {
        public Throttle {
            maxFailuresPerUsername = maxFailuresPerUsername != null ? maxFailuresPerUsername : 5;
            maxFailuresPerAddress = maxFailuresPerAddress != null ? maxFailuresPerAddress : 20;
            window = window != null ? window : Duration.ofMinutes(15);
            firstLock = firstLock != null ? firstLock : Duration.ofSeconds(30);
            maxLock = maxLock != null ? maxLock : Duration.ofMinutes(15);
        }
    }
}
