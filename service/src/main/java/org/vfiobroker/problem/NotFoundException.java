package org.vfiobroker.problem;

import java.util.Map;

/**
 * Something named by the request does not exist. Features subclass it so that each kind of thing has
 * its own problem type and the identifier travels as a structured member.
 */
public abstract class NotFoundException extends RuntimeException {

    protected NotFoundException(String message) {
        super(message);
    }

    /** The problem kind reported for this exception. */
    public abstract ProblemType problemType();

    /** Structured members added to the problem, e.g. {@code address} or {@code iommuGroup}. */
    public Map<String, Object> properties() {
        return Map.of();
    }
}
