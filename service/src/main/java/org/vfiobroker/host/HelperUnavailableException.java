package org.vfiobroker.host;

import java.util.List;

/** The helper cannot be run: missing or not executable (503). */
public class HelperUnavailableException extends HostException {

    private static final long serialVersionUID = 1L;

    public HelperUnavailableException(String verb, String message, Throwable cause) {
        super(verb, -1, "helper-unavailable", message, List.of(), cause);
    }
}
