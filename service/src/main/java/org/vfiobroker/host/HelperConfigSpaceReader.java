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
 * ({@code read-config}) for the whole space. The helper's answer is kept per function and identity
 * (the first 64 bytes' vendor, device, class and revision), so a rescan costs no helper call unless a
 * device changed; capability enable bits may then lag until the device changes. When the helper is
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
        String identity = identity(own);
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

    /** Vendor, device, revision and class: the bytes 0x00-0x0b of the header. */
    private static String identity(byte[] header) {
        StringBuilder sb = new StringBuilder(24);
        for (int i = 0; i < 12; i++) {
            sb.append(String.format("%02x", header[i] & 0xff));
        }
        return sb.toString();
    }
}
