package org.vfiobroker.host;

import java.util.List;

/**
 * The host refused: the helper's policy (exit 65), an unsafe state such as a member in use, a
 * group not viable, noiommu or open by a process (66), or an object that does not exist (67).
 * The API answers 409.
 */
public class HostRefusedException extends HostException {

    private static final long serialVersionUID = 1L;

    public HostRefusedException(String verb, int exitCode, String errorCode, String message, List<String> reasons) {
        super(verb, exitCode, errorCode, message, reasons, null);
    }
}
