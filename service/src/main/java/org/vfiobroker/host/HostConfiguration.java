package org.vfiobroker.host;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the host: {@code vfio-broker.host=native} (default) or {@code simulated}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ HelperProperties.class, SimulatedHostProperties.class })
class HostConfiguration {

    @Bean
    @ConditionalOnProperty(name = "vfio-broker.host", havingValue = "native", matchIfMissing = true)
    HostAgent nativeHelper(HelperProperties properties) {
        return new NativeHelper(properties);
    }

    @Bean
    @ConditionalOnProperty(name = "vfio-broker.host", havingValue = "simulated")
    HostAgent simulatedHost(SimulatedHostProperties properties) {
        return new SimulatedHost(properties);
    }
}
