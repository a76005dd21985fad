package org.vfiobroker.inventory;

/**
 * Why the host itself uses a device, so that taking it away would break the host.
 *
 * @param kind    what kind of use
 * @param subject what is used: an interface name ({@code eth0}), a block device ({@code nvme0n1p2}),
 *                or the device address for {@link Kind#BOOT_VGA}
 * @param detail  a sentence an administrator can act on, e.g. {@code "/ is mounted from nvme0n1p2"}
 */
public record InUseReason(Kind kind, String subject, String detail) {

    public enum Kind {
        /** A network interface of the device is administratively up. */
        NETWORK_INTERFACE_UP,
        /** A network interface of the device carries IPv4 or IPv6 routes. */
        NETWORK_ROUTES,
        /** A filesystem is mounted from a block device of the device (or a device stacked on it). */
        MOUNTED_FILESYSTEM,
        /** A block device of the device is active swap. */
        ACTIVE_SWAP,
        /** The device is the boot VGA (the firmware console). */
        BOOT_VGA,
        /** The root filesystem lives on the device: never taken, not even when forced. */
        ROOT_FILESYSTEM;

        /** Whether an administrator may force a grant despite this use. */
        public boolean forcible() {
            return this != ROOT_FILESYSTEM;
        }
    }

    public InUseReason {
        if (kind == null || subject == null || detail == null) {
            throw new IllegalArgumentException("kind, subject and detail are required");
        }
    }

    /** Whether an administrator may force a grant despite this reason. */
    public boolean forcible() {
        return kind.forcible();
    }
}
