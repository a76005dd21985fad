package org.vfiobroker.policy;

import java.time.Instant;
import org.vfiobroker.inventory.PciAddress;

/** A named device selector. {@link PoolRepository} reads and writes it (table {@code pool}). */
public class Pool {

    private Long id;
    private String name;
    private String description;
    private String vendorDevices;
    private String classPrefixes;
    private String addresses;
    private String physicalFunctions;
    private final Instant createdAt;
    private Instant updatedAt;

    Pool(String name, String description, PoolSelector selector, Instant now) {
        this.createdAt = now;
        set(name, description, selector, now);
    }

    /** A stored pool; the criteria as stored, comma-separated lists. */
    Pool(long id, String name, String description, String vendorDevices, String classPrefixes, String addresses,
         String physicalFunctions, Instant createdAt, Instant updatedAt) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.vendorDevices = vendorDevices;
        this.classPrefixes = classPrefixes;
        this.addresses = addresses;
        this.physicalFunctions = physicalFunctions;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
    }

    final void set(String name, String description, PoolSelector selector, Instant now) {
        this.name = name;
        this.description = description;
        this.vendorDevices = PoolSelector.join(selector.vendorDevices());
        this.classPrefixes = PoolSelector.join(selector.classPrefixes());
        this.addresses = PoolSelector.join(selector.addresses());
        this.physicalFunctions = PoolSelector.join(selector.physicalFunctions());
        this.updatedAt = now;
    }

    /** Given by the database on INSERT. */
    void setId(long id) {
        this.id = id;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public PoolSelector selector() {
        return new PoolSelector(PoolSelector.split(vendorDevices), PoolSelector.split(classPrefixes),
                PoolSelector.split(addresses).stream().map(PciAddress::parse).toList(),
                PoolSelector.split(physicalFunctions).stream().map(PciAddress::parse).toList());
    }

    String vendorDevices() {
        return vendorDevices;
    }

    String classPrefixes() {
        return classPrefixes;
    }

    String addresses() {
        return addresses;
    }

    String physicalFunctions() {
        return physicalFunctions;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
