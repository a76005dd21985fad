package org.vfiobroker.security;

import java.util.Collection;
import java.util.Optional;
import org.springframework.security.core.GrantedAuthority;

/**
 * What a service account may do. The Unix users who receive devices are not accounts. Declared from the
 * most to the least powerful: an API token's scope may be no more powerful than its owner's role.
 */
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

    /** Whether this role may do at least what {@code other} may. */
    public boolean atLeast(Role other) {
        return ordinal() <= other.ordinal();
    }

    /** The less powerful of the two. */
    public Role cappedAt(Role other) {
        return atLeast(other) ? other : this;
    }

    /** The most powerful role among the authorities, if any. */
    public static Optional<Role> highest(Collection<? extends GrantedAuthority> authorities) {
        Role best = null;
        for (GrantedAuthority a : authorities) {
            for (Role r : values()) {
                if (r.authority().equals(a.getAuthority()) && (best == null || r.atLeast(best))) {
                    best = r;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
