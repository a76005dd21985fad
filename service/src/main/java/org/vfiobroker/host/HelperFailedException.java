package org.vfiobroker.host;

import java.util.List;

/** The helper ran but failed: non-zero exit other than a refusal, timeout, or output we cannot read (502). */
public class HelperFailedException extends HostException {

    private static final long serialVersionUID = 1L;

    public HelperFailedException(String verb, int exitCode, String errorCode, String message, List<String> reasons,
            Throwable cause) {
        super(verb, exitCode, errorCode, message, reasons, cause);
    }
}
