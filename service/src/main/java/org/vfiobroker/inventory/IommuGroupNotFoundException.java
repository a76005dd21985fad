package org.vfiobroker.inventory;

/** No IOMMU group has this number on the host. Mapped to a 404 problem. */
public class IommuGroupNotFoundException extends RuntimeException {

    private final int groupId;

    public IommuGroupNotFoundException(int groupId) {
        super("no IOMMU group " + groupId + " on this host");
        this.groupId = groupId;
    }

    public int groupId() {
        return groupId;
    }
}
