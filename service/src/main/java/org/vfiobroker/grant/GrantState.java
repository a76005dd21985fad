package org.vfiobroker.grant;

import java.util.Set;

/**
 * requested -> active -> releasing -> released; failed (activation undone); quarantined (drift: nodes taken
 * back, groups kept reserved until revoked). A grant holds its groups (its items' {@code active_group} is set)
 * in {@link #HOLDING} states.
 */
public enum GrantState {
    REQUESTED, ACTIVE, RELEASING, RELEASED, FAILED, QUARANTINED;

    public static final Set<GrantState> HOLDING = Set.of(REQUESTED, ACTIVE, RELEASING, QUARANTINED);

    /** The states whose memlock counts in the user's pam_limits drop-in. */
    public static final Set<GrantState> LIMITED = Set.of(REQUESTED, ACTIVE);
}
