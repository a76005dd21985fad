package org.vfiobroker.inventory;

import java.nio.file.Path;

/** The default {@link ConfigSpaceReader}: {@code <device>/config} (64 bytes unprivileged, up to 4 KiB as root). */
public class SysfsConfigSpaceReader implements ConfigSpaceReader {

    /** The size of PCIe extended configuration space. */
    public static final int MAX_CONFIG = 4096;

    @Override
    public byte[] read(PciAddress address, Path deviceDir) {
        return Sysfs.bytes(deviceDir.resolve("config"), MAX_CONFIG);
    }
}
