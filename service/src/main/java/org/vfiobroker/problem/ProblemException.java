package org.vfiobroker.problem;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ProblemDetail;

/**
 * An error that the API reports as a problem of a fixed {@link ProblemType}, with a detail a person can act
 * on and structured extras. Features throw it (or a subclass) from their services; the API turns it into
 * RFC 9457 problem details.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ProblemException(ProblemType type, String detail) {
        super(detail);
        this.type = type;
    }

    /** Adds a structured extra member, e.g. {@code username}. */
    public ProblemException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    /**
     * Says when a retry is worthwhile: the {@code retryAfterSeconds} member, which the API also sends as the
     * {@code Retry-After} header ({@link #retryAfterSeconds(Duration)} rounds).
     */
    public ProblemException retryAfter(Duration wait) {
        return with(RETRY_AFTER_SECONDS, retryAfterSeconds(wait));
    }

    /** The {@code retryAfterSeconds} member, when set. */
    public Optional<Long> retryAfterSeconds() {
        return properties.get(RETRY_AFTER_SECONDS) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
    }

    /** A wait in whole seconds for {@code Retry-After}: rounded up, and at least 1 (a 0 would invite a busy loop). */
    public static long retryAfterSeconds(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** The problem member that says in how many seconds to retry (with the {@code Retry-After} header). */
    public static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public ProblemDetail toProblem() {
        ProblemDetail problem = type.problem(getMessage());
        properties.forEach(problem::setProperty);
        return problem;
    }
}
