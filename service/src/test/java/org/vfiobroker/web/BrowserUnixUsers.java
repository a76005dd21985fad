package org.vfiobroker.web;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.policy.UnixUsers;

/** A fixed NSS for the browser tests: the Unix users who receive devices (alice 2001, bob 2002 in hpc 3000). */
@TestConfiguration(proxyBeanMethods = false)
class BrowserUnixUsers {

    static final Map<String, UnixUser> USERS = Map.of(
            "alice", new UnixUser("alice", 2001, 2001, Set.of(2001L)),
            "bob", new UnixUser("bob", 2002, 2002, Set.of(2002L, 3000L)));

    @Bean
    @Primary
    UnixUsers browserUnixUsers() {
        return new UnixUsers() {
            @Override
            public Optional<UnixUser> user(String name) {
                return Optional.ofNullable(USERS.get(name));
            }

            @Override
            public Optional<Long> group(String name) {
                return "hpc".equals(name) ? Optional.of(3000L) : Optional.empty();
            }
        };
    }
}
