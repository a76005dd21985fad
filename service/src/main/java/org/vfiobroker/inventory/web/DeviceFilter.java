package org.vfiobroker.inventory.web;

import java.util.Locale;
import java.util.function.Predicate;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;

/**
 * The filters of {@code GET /api/v1/devices} and of the device table. Each absent criterion matches
 * everything. Syntax was checked at the edge (the contract's patterns); this only compares.
 */
public record DeviceFilter(Integer vendor, Integer device, String classPrefix, String driver, Integer numaNode,
                    Integer iommuGroup, PciAddress physicalFunction) implements Predicate<PciFunction> {

    /** The driver filter value that selects functions without a driver. */
    static final String NO_DRIVER = "none";

    static DeviceFilter of(String vendor, String device, String classPrefix, String driver, Integer numaNode,
                           Integer iommuGroup, String physicalFunction) {
        return new DeviceFilter(
                blank(vendor) ? null : Integer.parseInt(vendor, 16),
                blank(device) ? null : Integer.parseInt(device, 16),
                blank(classPrefix) ? null : classPrefix.toLowerCase(Locale.ROOT),
                blank(driver) ? null : driver,
                numaNode,
                iommuGroup,
                blank(physicalFunction) ? null : PciAddress.parse(physicalFunction));
    }

    @Override
    public boolean test(PciFunction f) {
        return (vendor == null || f.vendorId() == vendor)
                && (device == null || f.deviceId() == device)
                && (classPrefix == null || PciFunction.hex(f.classCode(), 6).startsWith(classPrefix))
                && (driver == null || (NO_DRIVER.equals(driver) ? f.driver() == null : driver.equals(f.driver())))
                && (numaNode == null || numaNode.equals(f.numaNode()))
                && (iommuGroup == null || iommuGroup.equals(f.iommuGroup()))
                && (physicalFunction == null || physicalFunction.equals(f.physicalFunction()));
    }

    /** The vendor criterion as typed: four hexadecimal digits, or empty. */
    public String vendorHex() {
        return vendor == null ? "" : PciFunction.hex(vendor, 4);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
