package org.vfiobroker.policy;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrantProperties.class)
class PolicyConfiguration {

    @Bean
    UnixUsers unixUsers(GrantProperties properties, Clock clock) {
        return new GetentUnixUsers(properties.getent(), properties.nssCacheTtl(), clock);
    }
}
