package org.vfiobroker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.vfiobroker.host.HelperFailedException;
import org.vfiobroker.host.HelperProperties;
import org.vfiobroker.host.HelperStatus;
import org.vfiobroker.host.HelperVersion;
import org.vfiobroker.host.HostAgent;
import org.vfiobroker.host.NativeHelper;

class HelperHealthIndicatorTest {

    private static Health healthWith(HostAgent host) {
        return new HelperHealthIndicator(new HelperStatus(host, Clock.systemUTC())).health(true);
    }

    @Test
    void isUpWhenTheProductionHelperAnswers() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenReturn(new HelperVersion("0.1.0", "production"));

        Health health = healthWith(host);

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("kind", "PRODUCTION").containsEntry("version", "0.1.0");
    }

    @Test
    void isDownWhenTheHelperIsMissing() {
        HostAgent missing = new NativeHelper(new HelperProperties(Path.of("/nonexistent/vfio-broker-helper"),
                java.time.Duration.ofSeconds(5)));

        Health health = healthWith(missing);

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("kind", "MISSING");
        assertThat((String) health.getDetails().get("problem")).contains("/nonexistent/vfio-broker-helper");
    }

    @Test
    void isDownWhenTheHelperFails() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenThrow(new HelperFailedException("version", 78, "policy-insecure",
                "version: /etc/vfio-broker/helper.conf is writable by others", java.util.List.of(), null));

        Health health = healthWith(host);

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("kind", "FAILING");
    }

    @Test
    void isDownForATestBuildWhichMustNeverServeAHost() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenReturn(new HelperVersion("0.1.0", "test"));

        assertThat(healthWith(host).getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void asksTheHelperAtMostOnceWithinTheCachePeriod() {
        HostAgent host = mock(HostAgent.class);
        when(host.version()).thenReturn(new HelperVersion("0.1.0", "production"));
        HelperHealthIndicator indicator = new HelperHealthIndicator(new HelperStatus(host, Clock.systemUTC()));

        indicator.health(true);
        indicator.health(true);

        verify(host, times(1)).version();
    }
}
