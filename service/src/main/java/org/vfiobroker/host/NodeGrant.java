package org.vfiobroker.host;

import java.util.List;

/** The nodes after a grant or revoke, and whether /dev/vfio/vfio is usable by unprivileged users. */
public record NodeGrant(int group, DeviceNode node, List<DeviceNode> cdevNodes, boolean containerUsable) {

    public NodeGrant {
        cdevNodes = List.copyOf(cdevNodes);
    }
}
