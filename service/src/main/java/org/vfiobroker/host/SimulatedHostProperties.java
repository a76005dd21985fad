package org.vfiobroker.host;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The roots of the fixture tree the simulated host works on ({@code vfio-broker.sysfs-root},
 * {@code vfio-broker.devfs-root}, {@code vfio-broker.procfs-root}) and its policy stand-ins.
 */
@ConfigurationProperties("vfio-broker")
public record SimulatedHostProperties(@DefaultValue("/sys") Path sysfsRoot, @DefaultValue("/dev") Path devfsRoot,
        @DefaultValue("/proc") Path procfsRoot, @DefaultValue("1000") int simulatedMinUid) {
}
