package org.vfiobroker.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Security settings.
 *
 * @param initialAdminPassword password of the first administrator {@code admin}, created at first
 *     start when no account exists; empty means "generate one and print it once in the log"
 */
@ConfigurationProperties("vfio-broker.security")
public record SecurityProperties(String initialAdminPassword) {

    public SecurityProperties {
        initialAdminPassword = initialAdminPassword == null ? "" : initialAdminPassword;
    }
}
