package org.vfiobroker.grant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code vfio_broker_grants_active}, {@code vfio_broker_memlock_granted_bytes},
 * {@code vfio_broker_memlock_pinned_bytes}, {@code vfio_broker_grant_refusals_total{reason}} and
 * {@code vfio_broker_grant_transitions_total{to}}.
 */
@Component
class GrantMetrics {

    private final MeterRegistry meters;
    private final AtomicLong pinned = new AtomicLong();

    GrantMetrics(MeterRegistry meters, @Lazy GrantStore store) {
        this.meters = meters;
        Gauge.builder("vfio.broker.grants.active", store, s -> s.count(GrantState.ACTIVE))
                .description("Grants in state ACTIVE").register(meters);
        Gauge.builder("vfio.broker.memlock.granted", store, s -> s.memlockOf(GrantState.ACTIVE)).baseUnit("bytes")
                .description("Locked memory granted by active grants").register(meters);
        Gauge.builder("vfio.broker.memlock.pinned", pinned, AtomicLong::get).baseUnit("bytes")
                .description("Memory the holders of active grants pinned, at the last usage check").register(meters);
    }

    void refused(String reason) {
        Counter.builder("vfio.broker.grant.refusals").description("Grant requests refused, by reason")
                .tag("reason", reason).register(meters).increment();
    }

    private void transition(String to) {
        Counter.builder("vfio.broker.grant.transitions").description("Grant state changes, by new state")
                .tag("to", to).register(meters).increment();
    }

    void activated() {
        transition("active");
    }

    void failed() {
        transition("failed");
    }

    void released() {
        transition("released");
    }

    void quarantined() {
        transition("quarantined");
    }

    void pinned(long bytes) {
        pinned.set(bytes);
    }
}
