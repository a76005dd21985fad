package org.vfiobroker.host;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.vfiobroker.inventory.ConfigSpaceReader;
import org.vfiobroker.inventory.InventoryProperties;

/** Chooses the host: {@code vfio-broker.host=native} (default) or {@code simulated}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ HelperProperties.class, SimulatedHostProperties.class })
class HostConfiguration {

    @Bean
    @ConditionalOnProperty(name = "vfio-broker.host", havingValue = "native", matchIfMissing = true)
    HostAgent nativeHelper(HelperProperties properties, MeterRegistry meters) {
        return new MeteredHostAgent(new NativeHelper(properties), meters);
    }

    @Bean
    @ConditionalOnProperty(name = "vfio-broker.host", havingValue = "simulated")
    HostAgent simulatedHost(InventoryProperties roots, SimulatedHostProperties properties, MeterRegistry meters) {
        return new MeteredHostAgent(new SimulatedHost(roots, properties), meters);
    }

    /**
     * On a real host the unprivileged service reads only the first 64 bytes of a device's config
     * space from sysfs; the helper supplies the rest, so capabilities (MSI-X, ACS, SR-IOV ...) are known.
     */
    @Bean
    @ConditionalOnProperty(name = "vfio-broker.host", havingValue = "native", matchIfMissing = true)
    ConfigSpaceReader helperConfigSpaceReader(HostAgent host) {
        return new HelperConfigSpaceReader(host);
    }
}
