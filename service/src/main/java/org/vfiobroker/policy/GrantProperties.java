package org.vfiobroker.policy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vfio-broker.grants.*}.
 *
 * @param minUid            the lowest uid that may receive devices (like the helper's {@code min-uid}); 0 never may
 * @param getent            the {@code getent} program used to resolve Unix users and groups
 * @param nssCacheTtl       how long a user or group lookup is reused
 * @param reconcileInterval how often expiry, drift, usage and unfinished releases are checked
 * @param terminateGrace    how long holders get between TERM and KILL on a forced revocation
 * @param forcedRevocationsAtOnce how many forced revocations asked through the API or the dashboard may run at once:
 *                          each holds its request thread for up to {@code terminateGrace} per group, so this stays
 *                          below {@code server.tomcat.threads.max} and other requests always find a thread; one more
 *                          is answered 503 ({@code busy}) with a {@code Retry-After} of the grace period
 */
@ConfigurationProperties("vfio-broker.grants")
public record GrantProperties(@DefaultValue("1000") long minUid,
                              @DefaultValue("/usr/bin/getent") String getent,
                              @DefaultValue("30s") Duration nssCacheTtl,
                              @DefaultValue("30s") Duration reconcileInterval,
                              @DefaultValue("5s") Duration terminateGrace,
                              @DefaultValue("4") int forcedRevocationsAtOnce) {

    public GrantProperties {
        if (forcedRevocationsAtOnce < 1) {
            throw new IllegalArgumentException("vfio-broker.grants.forced-revocations-at-once must be at least 1, not "
                    + forcedRevocationsAtOnce);
        }
    }
}
