package org.vfiobroker.problem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
