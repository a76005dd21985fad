package org.vfiobroker.security;

/** What a service account may do. The Unix users who receive devices are not accounts. */
public enum Role {
    /** Everything, including accounts. */
    ADMIN,
    /** Grants and SR-IOV, no accounts. */
    OPERATOR,
    /** API tokens for job schedulers: grants within policy. */
    SCHEDULER,
    /** Read-only. */
    VIEWER;

    /** The Spring Security authority, {@code ROLE_<name>}. */
    public String authority() {
        return "ROLE_" + name();
    }
}
