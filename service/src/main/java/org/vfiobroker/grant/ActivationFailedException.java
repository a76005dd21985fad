package org.vfiobroker.grant;

import org.vfiobroker.host.HostException;

/** Activation of a grant failed on the host; the grant was undone (or is being released) and says why. */
public class ActivationFailedException extends RuntimeException {

    private final long grantId;
    private final transient Grant grant;

    ActivationFailedException(Grant grant, RuntimeException cause) {
        super("Activating grant " + grant.getId() + " failed: " + cause.getMessage(), cause);
        this.grantId = grant.getId();
        this.grant = grant;
    }

    public long grantId() {
        return grantId;
    }

    public Grant grant() {
        return grant;
    }

    /** The host's refusal or failure behind it, if that is what it was. */
    public HostException hostCause() {
        return getCause() instanceof HostException h ? h : null;
    }
}
