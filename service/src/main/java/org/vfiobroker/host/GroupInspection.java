package org.vfiobroker.host;

import java.util.List;

/** What the host says about one IOMMU group. */
public record GroupInspection(int group, boolean noiommu, String type, boolean viable, List<Member> members,
        DeviceNode node, List<DeviceNode> cdevNodes, boolean containerUsable) {

    public GroupInspection {
        members = List.copyOf(members);
        cdevNodes = List.copyOf(cdevNodes);
    }

    /** One function of the group; {@code driver} is null when unbound. */
    public record Member(String address, String vendor, String device, String classCode, String driver,
            boolean bridge, boolean dmaOwnershipOk, List<String> inUse, boolean rootDevice, boolean allowedByPolicy,
            String policyDecision, List<String> cdevs) {

        public Member {
            inUse = List.copyOf(inUse);
            cdevs = List.copyOf(cdevs);
        }
    }
}
