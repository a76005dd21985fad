package org.vfiobroker.inventory.web;

import java.util.regex.Pattern;

/**
 * Filters typed into the dashboard's form. Unlike the API, which refuses malformed values with a 400,
 * the page ignores a value it cannot use (the browser's own pattern check already flags it).
 */
final class PageFilters {

    private static final Pattern HEX4 = Pattern.compile("[0-9a-fA-F]{4}");
    private static final Pattern CLASS_PREFIX = Pattern.compile("([0-9a-fA-F]{2}){1,3}");
    private static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private PageFilters() {
    }

    static DeviceFilter lenient(String classPrefix, String vendor, String driver, Integer iommuGroup) {
        return DeviceFilter.of(
                vendor != null && HEX4.matcher(vendor).matches() ? vendor : null,
                null,
                classPrefix != null && CLASS_PREFIX.matcher(classPrefix).matches() ? classPrefix : null,
                driver != null && DRIVER.matcher(driver).matches() ? driver : null,
                null,
                iommuGroup != null && iommuGroup >= 0 ? iommuGroup : null,
                null);
    }
}
