package org.vfiobroker.policy;

import java.util.Optional;

/** Resolves Unix users and groups through NSS (passwd, group, initgroups), as the host knows them. */
public interface UnixUsers {

    Optional<UnixUser> user(String name);

    /** The gid of a Unix group. */
    Optional<Long> group(String name);
}
