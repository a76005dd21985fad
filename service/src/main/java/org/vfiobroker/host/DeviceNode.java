package org.vfiobroker.host;

/** A device node under /dev/vfio and its owner; {@code mode} holds the permission bits. */
public record DeviceNode(String path, boolean exists, int uid, int gid, int mode) {

    public static DeviceNode absent(String path) {
        return new DeviceNode(path, false, -1, -1, 0);
    }

    public String modeOctal() {
        return String.format("%04o", mode);
    }
}
