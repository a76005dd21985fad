package org.vfiobroker.security;

/**
 * The authorization rules of the application services, as {@code @PreAuthorize} expressions, so that the
 * API and the dashboard share them. Roles per the design: ADMIN everything; OPERATOR grants and SR-IOV, no
 * accounts; SCHEDULER grants within policy through the API; VIEWER read-only.
 */
public final class Roles {

    /** Accounts, and anything else only an administrator may do. */
    public static final String ADMIN = "hasRole('ADMIN')";
    /** Host-changing operations outside policy: SR-IOV, grants of named groups, forced revocation. */
    public static final String OPERATORS = "hasAnyRole('ADMIN', 'OPERATOR')";
    /** Grants within policy (schedulers through the API). */
    public static final String GRANTERS = "hasAnyRole('ADMIN', 'OPERATOR', 'SCHEDULER')";
    /** Reading the audit log: people, not schedulers. */
    public static final String AUDIT_READERS = "hasAnyRole('ADMIN', 'OPERATOR', 'VIEWER')";
    /** Reading the inventory, pools, policies and grants; managing one's own API tokens. */
    public static final String ANY = "isAuthenticated()";

    private Roles() {
    }
}
