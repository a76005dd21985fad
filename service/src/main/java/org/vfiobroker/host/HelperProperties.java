package org.vfiobroker.host;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code vfio-broker.helper.*}: where the native helper is and how long one call may take. */
@ConfigurationProperties("vfio-broker.helper")
public record HelperProperties(@DefaultValue("/usr/libexec/vfio-broker/vfio-broker-helper") Path path,
        @DefaultValue("30s") Duration timeout) {
}
