package org.vfiobroker.host;

import java.util.List;

/** A failed host operation, with what the helper said: exit code, stable error code, message, reasons. */
public abstract class HostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String verb;
    private final int exitCode;
    private final String errorCode;
    private final List<String> reasons;

    protected HostException(String verb, int exitCode, String errorCode, String message, List<String> reasons,
            Throwable cause) {
        super(message, cause);
        this.verb = verb;
        this.exitCode = exitCode;
        this.errorCode = errorCode;
        this.reasons = List.copyOf(reasons);
    }

    public String verb() {
        return verb;
    }

    /** The helper's exit code, or -1 when it did not exit by itself (missing, timeout). */
    public int exitCode() {
        return exitCode;
    }

    public String errorCode() {
        return errorCode;
    }

    public List<String> reasons() {
        return reasons;
    }
}
