package org.vfiobroker.grant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One IOMMU group of a grant. {@code activeGroup} equals the group while the grant holds it and is null after;
 * the database's UNIQUE constraint on it is what makes a group's grant exclusive.
 */
public class GrantItem {

    private int iommuGroup;
    private Integer activeGroup;
    /** {@code address=vvvv:dddd} of each member at grant time, comma-separated. */
    private String members;
    /** {@code address=driver} of each member the broker bound (driver empty: none), comma-separated. */
    private String previousDrivers;
    private Integer numaNode;

    GrantItem(int group, String members, Integer numaNode) {
        this.iommuGroup = group;
        this.activeGroup = group;
        this.members = members;
        this.numaNode = numaNode;
    }

    /** An item as stored. */
    static GrantItem loaded(int group, Integer activeGroup, String members, String previousDrivers,
                            Integer numaNode) {
        GrantItem item = new GrantItem(group, members, numaNode);
        item.activeGroup = activeGroup;
        item.previousDrivers = previousDrivers;
        return item;
    }

    GrantItem copy() {
        return loaded(iommuGroup, activeGroup, members, previousDrivers, numaNode);
    }

    /** The stored forms of the members and the drivers to restore. */
    String membersText() {
        return members;
    }

    String previousDriversText() {
        return previousDrivers;
    }

    void letGo() {
        this.activeGroup = null;
    }

    public int getIommuGroup() {
        return iommuGroup;
    }

    public Integer getActiveGroup() {
        return activeGroup;
    }

    public Integer getNumaNode() {
        return numaNode;
    }

    /** Address to vendor:device, as recorded when the grant was made. */
    public Map<String, String> memberIds() {
        return parse(members);
    }

    /** Address to the driver to restore ("" for none). */
    public Map<String, String> previousDrivers() {
        return previousDrivers == null ? Map.of() : parse(previousDrivers);
    }

    void previousDrivers(Map<String, String> drivers) {
        this.previousDrivers = format(drivers);
    }

    static String format(Map<String, String> map) {
        StringBuilder s = new StringBuilder();
        map.forEach((k, v) -> s.append(s.isEmpty() ? "" : ",").append(k).append('=').append(Optional.ofNullable(v).orElse("")));
        return s.toString();
    }

    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }
}
