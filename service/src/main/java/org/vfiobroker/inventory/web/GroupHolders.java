package org.vfiobroker.inventory.web;

import java.util.Map;

/**
 * Who holds which IOMMU group, as the feature that hands groups out knows it (the grant feature provides
 * it). Without one, the pages fall back to the owner of the group's device node.
 */
public interface GroupHolders {

    /** Group number to a short description of its holder, e.g. {@code alice (grant 3)}. */
    Map<Integer, String> holders();
}
