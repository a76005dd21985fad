package org.vfiobroker.host;

import java.util.Set;

/**
 * The kernel's viability rule, named once in Java (the helper has the same rule in C,
 * {@code dma_ownership_ok}): a group may go to user space only when every member is bound to a
 * driver that lets user space own DMA: {@code vfio-pci} and its variants ({@code *_vfio_pci}),
 * {@code pci-stub}, {@code pcieport}, or no driver at all. Since Linux 5.19 the kernel checks the
 * driver's {@code driver_managed_dma} flag rather than the name; this list mirrors it.
 */
public final class DmaOwnershipRule {

    public static final Set<String> DRIVERS = Set.of("vfio-pci", "pci-stub", "pcieport");
    public static final String VARIANT_SUFFIX = "_vfio_pci";

    private DmaOwnershipRule() {
    }

    /** Whether a member bound to {@code driver} (null or empty: unbound) keeps its group viable. */
    public static boolean permits(String driver) {
        if (driver == null || driver.isEmpty()) {
            return true;
        }
        return DRIVERS.contains(driver)
                || (driver.endsWith(VARIANT_SUFFIX) && driver.length() > VARIANT_SUFFIX.length());
    }

    /** Whether the driver is vfio-pci or one of its variants (the member is already bound). */
    public static boolean isVfio(String driver) {
        return driver != null && (driver.equals("vfio-pci")
                || (driver.endsWith(VARIANT_SUFFIX) && driver.length() > VARIANT_SUFFIX.length()));
    }
}
