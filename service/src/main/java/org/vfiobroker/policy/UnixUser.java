package org.vfiobroker.policy;

import java.util.Set;

/**
 * A Unix user as NSS resolves it: the one who receives devices (not a service account).
 *
 * @param name     the login name
 * @param uid      user id
 * @param gid      primary group id
 * @param groupIds primary and supplementary group ids
 */
public record UnixUser(String name, long uid, long gid, Set<Long> groupIds) {

    public UnixUser {
        groupIds = Set.copyOf(groupIds);
    }

    public boolean isMemberOf(long groupId) {
        return gid == groupId || groupIds.contains(groupId);
    }
}
