package org.vfiobroker.inventory;

import java.util.ArrayList;
import java.util.List;

import org.vfiobroker.inventory.IommuGroup.Blocker;
import org.vfiobroker.inventory.IommuGroup.Viability;

/**
 * The kernel's viability rule for an IOMMU group, in one place: user space may own a group's DMA only when
 * every member is bound to a driver that lets it, or to none.
 *
 * <p>Kernel fact: since Linux 5.19 the kernel does not look at driver names; it checks each bound driver's
 * {@code driver_managed_dma} flag (set by vfio-pci and its variant drivers, pci-stub and pcieport). The
 * kernel does not export that flag, so this class approximates it with the allow-list of the drivers that
 * set it. Before 5.19 the kernel used a similar name list ({@code vfio_pci_driver_allowed}).
 *
 * <p>"Viable once bound": the broker rebinds endpoints to vfio-pci; bridges and PCIe ports keep their
 * driver (pcieport or none), so a bridge bound to anything else makes the group unusable.
 */
public final class DmaOwnershipRule {

    public static final String VFIO_PCI = "vfio-pci";

    /** Vendor variants of vfio-pci are named {@code <vendor>_vfio_pci}, e.g. {@code mlx5_vfio_pci}. */
    private static final String VARIANT_SUFFIX = "_vfio_pci";

    private DmaOwnershipRule() {
    }

    /** Whether a function bound to {@code driver} ({@code null}: unbound) leaves DMA ownership to user space. */
    public static boolean allowsUserDma(String driver) {
        return driver == null
                || isVfio(driver)
                || driver.equals("pci-stub")
                || driver.equals("pcieport");
    }

    /** Whether the driver is vfio-pci or one of its variants: the function is already given to vfio. */
    public static boolean isVfio(String driver) {
        return driver != null && (driver.equals(VFIO_PCI)
                || (driver.endsWith(VARIANT_SUFFIX) && driver.length() > VARIANT_SUFFIX.length()));
    }

    /**
     * Whether binding a group leaves this member with its driver: PCI-to-PCI bridges (class 0x0604) and
     * members on {@code pcieport}. The helper applies the same rule in C ({@code left_alone} in verbs.c).
     *
     * @param classCode the 24-bit class code
     */
    public static boolean leftAloneByBind(int classCode, String driver) {
        return (classCode >>> 8) == 0x0604 || "pcieport".equals(driver);
    }

    /** {@link #leftAloneByBind(int, String)} for a scanned function. */
    public static boolean leftAloneByBind(PciFunction f) {
        return leftAloneByBind(f.classCode(), f.driver());
    }

    /** Whether the broker would rebind this function to vfio-pci when taking its group (endpoints only). */
    public static boolean needsRebind(PciFunction f) {
        return !allowsUserDma(f.driver()) && !f.isBridge();
    }

    /** Evaluates a group's members. */
    public static Viability evaluate(List<PciFunction> members) {
        List<Blocker> blockers = new ArrayList<>();
        boolean onceBound = true;
        for (PciFunction f : members) {
            if (allowsUserDma(f.driver())) {
                continue;
            }
            if (f.isBridge()) {
                onceBound = false;
                blockers.add(new Blocker(f.address(), f.driver(), "bridge " + f.address() + " is bound to "
                        + f.driver() + ", which keeps DMA ownership in the kernel; bridges are not rebound to "
                        + VFIO_PCI + ", so the group cannot be used while that driver is bound", null));
            } else {
                blockers.add(new Blocker(f.address(), f.driver(), f.address() + " is bound to " + f.driver()
                        + ", a host driver that owns the device's DMA; the group becomes viable when it is bound to "
                        + VFIO_PCI + " (or unbound)", null));
            }
        }
        return new Viability(blockers.isEmpty(), onceBound, blockers);
    }
}
