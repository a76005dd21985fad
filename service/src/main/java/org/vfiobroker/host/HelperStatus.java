package org.vfiobroker.host;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Whether the helper can be run, asked cheaply ({@link HostAgent#version()}) and remembered for a short
 * while, so that a page showing it does not run the helper on every request.
 */
@Component
public class HelperStatus {

    static final Duration TTL = Duration.ofSeconds(30);

    private final HostAgent host;
    private final Clock clock;
    private volatile Cached cached;

    public HelperStatus(HostAgent host, Clock clock) {
        this.host = host;
        this.clock = clock;
    }

    /** The helper's state, at most {@link #TTL} old. */
    public State current() {
        Cached c = cached;
        Instant now = clock.instant();
        if (c != null && c.at().plus(TTL).isAfter(now)) {
            return c.state();
        }
        State s = ask();
        cached = new Cached(now, s);
        return s;
    }

    private State ask() {
        try {
            HelperVersion v = host.version();
            return new State(Kind.of(v.build()), v.version(), v.build(), null);
        } catch (HelperUnavailableException e) {
            return new State(Kind.MISSING, null, null, e.getMessage());
        } catch (HostException e) {
            return new State(Kind.FAILING, null, null, e.getMessage());
        } catch (RuntimeException e) {
            return new State(Kind.FAILING, null, null, String.valueOf(e.getMessage()));
        }
    }

    public enum Kind {
        /** The production helper answered. */
        PRODUCTION,
        /** A test build of the helper (it may take a fake root): never on a real host. */
        TEST_BUILD,
        /** The simulated host (demo profile, tests): nothing on the machine changes. */
        SIMULATED,
        /** The helper cannot be run (missing, not executable, not setuid). */
        MISSING,
        /** The helper ran but refused or failed (misconfigured: caller, policy file). */
        FAILING;

        static Kind of(String build) {
            return switch (build == null ? "" : build) {
                case "production" -> PRODUCTION;
                case "simulated" -> SIMULATED;
                default -> TEST_BUILD;
            };
        }
    }

    /**
     * @param kind    what answered
     * @param version the helper's version, {@code null} when it did not answer
     * @param build   its build kind, {@code null} when it did not answer
     * @param problem what went wrong, {@code null} when it answered
     */
    public record State(Kind kind, String version, String build, String problem) {

        public boolean usable() {
            return kind == Kind.PRODUCTION || kind == Kind.SIMULATED || kind == Kind.TEST_BUILD;
        }
    }

    private record Cached(Instant at, State state) {
    }
}
