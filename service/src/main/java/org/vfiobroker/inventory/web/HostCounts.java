package org.vfiobroker.inventory.web;

import org.vfiobroker.inventory.DmaOwnershipRule;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;

/**
 * The overview's numbers.
 *
 * @param functions       PCI functions
 * @param groups          IOMMU groups
 * @param viable          groups user space may own now
 * @param viableOnceBound groups that become viable when their endpoints are bound to vfio-pci
 * @param notViable       groups that cannot be used while a bridge keeps its host driver
 * @param takeable        groups a grant could take now
 * @param onVfio          functions bound to vfio-pci or a variant
 * @param inUse           functions the host uses
 * @param held            groups whose node belongs to someone other than root
 */
public record HostCounts(int functions, int groups, int viable, int viableOnceBound, int notViable, int takeable,
                         int onVfio, int inUse, int held) {

    static HostCounts of(InventoryService.Snapshot s) {
        int viable = 0;
        int onceBound = 0;
        int not = 0;
        int takeable = 0;
        int held = 0;
        for (IommuGroup g : s.groups()) {
            if (g.viability().viable()) {
                viable++;
            } else if (g.viability().viableOnceBound()) {
                onceBound++;
            } else {
                not++;
            }
            if (g.takeable().takeable()) {
                takeable++;
            }
            if (GroupView.heldByUser(g)) {
                held++;
            }
        }
        int onVfio = (int) s.devices().stream().filter(f -> DmaOwnershipRule.isVfio(f.driver())).count();
        int inUse = (int) s.devices().stream().filter(f -> f.isInUse()).count();
        return new HostCounts(s.devices().size(), s.groups().size(), viable, onceBound, not, takeable, onVfio, inUse,
                held);
    }
}
