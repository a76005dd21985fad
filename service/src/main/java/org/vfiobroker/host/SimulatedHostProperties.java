package org.vfiobroker.host;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vfio-broker.simulated.*}: the simulated host's stand-in for the helper's policy file. Its
 * fixture tree is the inventory's ({@code vfio-broker.sysfs-root}, {@code procfs-root}, {@code devfs-root}).
 *
 * @param minUid the lowest grantee uid, like the helper's {@code min-uid}
 */
@ConfigurationProperties("vfio-broker.simulated")
public record SimulatedHostProperties(@DefaultValue("1000") int minUid) {
}
