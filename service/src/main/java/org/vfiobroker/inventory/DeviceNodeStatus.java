package org.vfiobroker.inventory;

/**
 * The state of a device node under devfs, e.g. {@code /dev/vfio/12}.
 *
 * @param path             the node's path as the host names it ({@code /dev/vfio/12}, relative to the real root)
 * @param exists           whether the node exists
 * @param characterDevice  whether it is a character device (fixture trees use plain files: {@code false})
 * @param ownerUid         owner uid, {@code null} when the node does not exist
 * @param groupGid         group gid, {@code null} when the node does not exist
 * @param mode             permission bits in octal, e.g. {@code "0600"}, {@code null} when the node does not exist
 */
public record DeviceNodeStatus(String path, boolean exists, boolean characterDevice, Integer ownerUid, Integer groupGid,
                               String mode) {

    public static DeviceNodeStatus missing(String path) {
        return new DeviceNodeStatus(path, false, false, null, null, null);
    }
}
