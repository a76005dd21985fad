package org.vfiobroker.host;

import java.util.List;

/** Per member: the driver before, what was done (bound, already-bound, left-alone), the driver after. */
public record BindResult(int group, List<MemberBinding> members, boolean viable) {

    public BindResult {
        members = List.copyOf(members);
    }

    public record MemberBinding(String address, String previousDriver, String action, String driver) {
    }
}
