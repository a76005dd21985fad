package org.vfiobroker.grant;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.vfiobroker.policy.UnixUser;
import org.vfiobroker.policy.UnixUsers;

/**
 * A fixed NSS for the grant tests (one test resolves a real user through getent): alice 2001, bob 2002 (in
 * group hpc 3000), carol 2003, root 0, daemon-ish lowuid 500; users u0..u99 are 5000 + n, in hpc.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestUnixUsers {

    static final Map<String, UnixUser> USERS = Map.of(
            "alice", new UnixUser("alice", 2001, 2001, Set.of(2001L)),
            "bob", new UnixUser("bob", 2002, 2002, Set.of(2002L, 3000L)),
            "carol", new UnixUser("carol", 2003, 2003, Set.of(2003L)),
            "root", new UnixUser("root", 0, 0, Set.of(0L)),
            "lowuid", new UnixUser("lowuid", 500, 500, Set.of(500L)));

    @Bean
    @Primary
    UnixUsers testUnixUsers() {
        return new UnixUsers() {
            @Override
            public Optional<UnixUser> user(String name) {
                if (name.matches("u[0-9]{1,2}")) {
                    long n = Long.parseLong(name.substring(1));
                    return Optional.of(new UnixUser(name, 5000 + n, 5000 + n, Set.of(5000 + n, 3000L)));
                }
                return Optional.ofNullable(USERS.get(name));
            }

            @Override
            public Optional<Long> group(String name) {
                return switch (name) {
                    case "hpc" -> Optional.of(3000L);
                    case "root" -> Optional.of(0L);
                    default -> Optional.empty();
                };
            }
        };
    }
}
