package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The helper is asked cheaply and the answer kept briefly. */
class HelperStatusTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void asksTheHelperOnceWithinTheCacheTime() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenReturn(new HelperVersion("1.0", "production"));
        HelperStatus status = new HelperStatus(host, clock);

        assertThat(status.current().kind()).isEqualTo(HelperStatus.Kind.PRODUCTION);
        now.set(now.get().plus(HelperStatus.TTL).minusSeconds(1));
        status.current();
        verify(host, times(1)).version();

        now.set(now.get().plus(Duration.ofSeconds(2)));
        status.current();
        verify(host, times(2)).version();
    }

    @Test
    void reportsAMissingHelperWithItsMessage() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenThrow(new HelperUnavailableException("version", "helper not found", null));

        HelperStatus.State s = new HelperStatus(host, clock).current();

        assertThat(s.kind()).isEqualTo(HelperStatus.Kind.MISSING);
        assertThat(s.usable()).isFalse();
        assertThat(s.problem()).contains("helper not found");
    }

    @Test
    void aTestBuildIsUsableButNamed() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenReturn(new HelperVersion("1.0", "test"));

        assertThat(new HelperStatus(host, clock).current().kind()).isEqualTo(HelperStatus.Kind.TEST_BUILD);
    }
}
