package org.vfiobroker.host;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vfiobroker.inventory.ConfigSpaceReader;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.SysfsConfigSpaceReader;

/**
 * Reads config space from sysfs and, when that yields only the unprivileged 64 bytes, asks the helper
 * ({@code read-config}) for the whole space. The helper's answer is kept per function and state: the header's
 * first 12 bytes (vendor, device, command, status, revision, class) and the bound driver. So a rescan costs no
 * helper call unless the device, its command or status register, or its driver changed; a driver's probe and a
 * bind to vfio-pci (which change MSI/MSI-X enablement) are seen at once, while capability bits that a running
 * driver flips without touching the command register may lag until one of those changes. When the helper is
 * unavailable or fails, the 64 bytes are returned and the inventory marks capabilities as unknown.
 */
class HelperConfigSpaceReader implements ConfigSpaceReader {

    private static final Logger log = LoggerFactory.getLogger(HelperConfigSpaceReader.class);
    private static final int HEADER = 64;

    private final HostAgent host;
    private final SysfsConfigSpaceReader sysfs = new SysfsConfigSpaceReader();
    private final Map<PciAddress, Cached> cache = new ConcurrentHashMap<>();
    private volatile boolean helperWorks = true;

    HelperConfigSpaceReader(HostAgent host) {
        this.host = host;
    }

    private record Cached(String identity, byte[] config) {
    }

    @Override
    public byte[] read(PciAddress address, Path deviceDir) {
        byte[] own = sysfs.read(address, deviceDir);
        if (own.length > HEADER || own.length < 16 || !helperWorks) {
            return own;
        }
        String identity = identity(own) + '|' + driver(deviceDir);
        Cached cached = cache.get(address);
        if (cached != null && cached.identity().equals(identity)) {
            return cached.config();
        }
        try {
            byte[] full = host.readConfigSpace(address);
            cache.put(address, new Cached(identity, full));
            return full;
        } catch (HelperUnavailableException e) {
            helperWorks = false;
            log.warn("Capabilities beyond the first 64 bytes of config space are unknown: {}", e.getMessage());
            return own;
        } catch (HostException e) {
            log.debug("read-config {} failed: {}", address, e.getMessage());
            return own;
        }
    }

    /** Vendor, device, command, status, revision and class: the bytes 0x00-0x0b of the header. */
    private static String identity(byte[] header) {
        return java.util.HexFormat.of().formatHex(header, 0, 12);
    }

    /** The bound driver's name, empty when none. */
    private static String driver(Path deviceDir) {
        try {
            return java.nio.file.Files.readSymbolicLink(deviceDir.resolve("driver")).getFileName().toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
