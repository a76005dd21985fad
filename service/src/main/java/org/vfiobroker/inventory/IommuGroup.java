package org.vfiobroker.inventory;

import java.util.List;

/**
 * An IOMMU group: the unit the broker hands out.
 *
 * @param id          group number ({@code /sys/kernel/iommu_groups/<id>})
 * @param members     member functions, sorted by address
 * @param viability   whether user space may own the group's DMA now (see {@link DmaOwnershipRule})
 * @param takeable    whether a grant could take the group now: viable once its endpoints are bound to
 *                    vfio-pci, not a noiommu group, and no member in use by the host
 * @param noiommu     a group created by vfio's unsafe noiommu mode (no IOMMU confines its DMA)
 * @param deviceNode  state of {@code /dev/vfio/<id>} (or {@code /dev/vfio/noiommu-<id>})
 */
public record IommuGroup(int id, List<PciAddress> members, Viability viability, Takeability takeable, boolean noiommu,
                         DeviceNodeStatus deviceNode) {

    public IommuGroup {
        members = List.copyOf(members);
    }

    /**
     * @param viable          every member is bound to a driver that lets user space own DMA (or to none)
     * @param viableOnceBound the group becomes viable when its endpoints are bound to vfio-pci (bridges keep
     *                        their driver); {@code false} when a member could not be rebound
     * @param blockers        the members that make the group not viable now, with the reason
     */
    public record Viability(boolean viable, boolean viableOnceBound, List<Blocker> blockers) {
        public Viability {
            blockers = List.copyOf(blockers);
        }
    }

    /**
     * @param takeable whether a grant could take the group now
     * @param blockers what prevents it (empty when takeable)
     */
    public record Takeability(boolean takeable, List<Blocker> blockers) {
        public Takeability {
            blockers = List.copyOf(blockers);
        }
    }

    /**
     * One reason a group cannot be used or taken.
     *
     * @param member the member it concerns, {@code null} when it concerns the whole group (noiommu)
     * @param driver the member's driver, {@code null} when unbound or not relevant
     * @param reason a sentence an administrator can act on
     * @param inUse  the host use behind it, {@code null} when the blocker is not a host use
     */
    public record Blocker(PciAddress member, String driver, String reason, InUseReason inUse) {
    }
}
