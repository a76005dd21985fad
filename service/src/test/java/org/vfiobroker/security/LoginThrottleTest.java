package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();
    private final LoginThrottle throttle = new LoginThrottle(new SecurityProperties(null, null,
            new SecurityProperties.Throttle(3, 10, Duration.ofMinutes(15), Duration.ofSeconds(30),
                    Duration.ofMinutes(2))), clock);

    private void fail(int times, String user, String address) {
        for (int i = 0; i < times; i++) {
            throttle.failed(user, address);
        }
    }

    @Test
    void locksAnAccountNameAfterTheLimit() {
        fail(2, "alice", "192.0.2.1");
        assertThat(throttle.blocked("alice", "192.0.2.1")).isEmpty();

        assertThat(throttle.failed("alice", "192.0.2.1")).extracting(LoginThrottle.Lock::key)
                .containsExactly("account:alice");

        assertThat(throttle.blocked("alice", "192.0.2.99")).contains(Duration.ofSeconds(30));
        assertThat(throttle.blocked("bob", "192.0.2.1")).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheLockUpToTheMaximum() {
        fail(3, "alice", null);
        clock.advance(Duration.ofSeconds(31));
        assertThat(throttle.blocked("alice", null)).isEmpty();

        fail(1, "alice", null);
        assertThat(throttle.blocked("alice", null)).contains(Duration.ofSeconds(60));
        clock.advance(Duration.ofSeconds(61));
        fail(1, "alice", null);
        assertThat(throttle.blocked("alice", null)).contains(Duration.ofSeconds(120));
        clock.advance(Duration.ofSeconds(121));
        fail(1, "alice", null);
        assertThat(throttle.blocked("alice", null)).contains(Duration.ofMinutes(2));
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() {
        fail(2, "alice", null);
        clock.advance(Duration.ofMinutes(16));
        fail(2, "alice", null);

        assertThat(throttle.blocked("alice", null)).isEmpty();
    }

    @Test
    void namesAreComparedWithoutCase() {
        fail(3, "Alice", null);

        assertThat(throttle.blocked("alice", null)).isPresent();
    }

    @Test
    void locksAnAddressAfterItsOwnLimit() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("user" + i, "192.0.2.7");
        }

        assertThat(throttle.blocked("someone-else", "192.0.2.7")).isPresent();
        assertThat(throttle.blocked("someone-else", "192.0.2.8")).isEmpty();
    }

    @Test
    void successClearsTheNameButNotTheAddress() {
        for (int i = 0; i < 9; i++) {
            throttle.failed("user" + i, "192.0.2.7");
        }
        fail(2, "alice", "192.0.2.7");
        throttle.succeeded("alice");

        fail(1, "alice", null);
        assertThat(throttle.blocked("alice", null)).isEmpty();
        assertThat(throttle.blocked(null, "192.0.2.7")).isPresent();
    }

    @Test
    void forgetsEntriesOnceTheirWindowAndLockHavePassed() {
        fail(3, "alice", "192.0.2.1");
        assertThat(throttle.trackedKeys()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(16));
        throttle.forgetOld();

        assertThat(throttle.trackedKeys()).isZero();
    }
}
