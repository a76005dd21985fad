package org.vfiobroker.inventory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a function's configuration space. The default reads {@code <device>/config} from sysfs, which gives
 * an unprivileged process only the first 64 bytes; the host package may supply a bean that asks the
 * privileged helper for the full space. Declare it {@code @Primary} to replace the default.
 */
@FunctionalInterface
public interface ConfigSpaceReader {

    /**
     * @param address   the function
     * @param deviceDir its sysfs directory ({@code <sysfs>/bus/pci/devices/<address>})
     * @return the bytes that could be read (possibly fewer than 256); empty when unreadable
     */
    byte[] read(PciAddress address, Path deviceDir) throws IOException;
}
