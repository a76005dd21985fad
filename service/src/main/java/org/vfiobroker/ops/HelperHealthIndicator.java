package org.vfiobroker.ops;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import org.vfiobroker.host.HelperStatus;

/**
 * Health component {@code helper}: the privileged helper answers ({@code version}), asked through the
 * briefly cached {@link HelperStatus} so a health probe never runs it more than twice a minute. DOWN
 * when it is missing or failing (not setuid, wrong caller, insecure policy file): without it no grant
 * can be made or revoked. A test build of the helper is reported DOWN too: it must never serve a host.
 */
@Component("helper")
class HelperHealthIndicator extends AbstractHealthIndicator {

    private final HelperStatus status;

    HelperHealthIndicator(HelperStatus status) {
        super("The helper's state could not be determined");
        this.status = status;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        HelperStatus.State state = status.current();
        switch (state.kind()) {
            case PRODUCTION, SIMULATED -> builder.up();
            case TEST_BUILD, MISSING, FAILING -> builder.down();
        }
        builder.withDetail("kind", state.kind().name());
        if (state.version() != null) {
            builder.withDetail("version", state.version());
        }
        if (state.problem() != null) {
            builder.withDetail("problem", state.problem());
        }
    }
}
