package org.vfiobroker.grant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One IOMMU group of a grant. {@code activeGroup} equals the group while the grant holds it and is null after;
 * the database's UNIQUE constraint on it is what makes a group's grant exclusive.
 */
@Entity
@Table(name = "grant_item")
public class GrantItem {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "grant_id", nullable = false)
    private Grant grant;
    @Column(name = "iommu_group", nullable = false)
    private int iommuGroup;
    @Column(name = "active_group")
    private Integer activeGroup;
    /** {@code address=vvvv:dddd} of each member at grant time, comma-separated. */
    @Column(nullable = false)
    private String members;
    /** {@code address=driver} of each member the broker bound (driver empty: none), comma-separated. */
    @Column(name = "previous_drivers")
    private String previousDrivers;
    @Column(name = "numa_node")
    private Integer numaNode;

    protected GrantItem() {
    }

    GrantItem(Grant grant, int group, String members, Integer numaNode) {
        this.grant = grant;
        this.iommuGroup = group;
        this.activeGroup = group;
        this.members = members;
        this.numaNode = numaNode;
    }

    void letGo() {
        this.activeGroup = null;
    }

    public Long getId() {
        return id;
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
