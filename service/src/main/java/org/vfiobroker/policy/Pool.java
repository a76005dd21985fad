package org.vfiobroker.policy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.vfiobroker.inventory.PciAddress;

/** A named device selector. */
@Entity
@Table(name = "pool")
public class Pool {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(nullable = false, length = 64)
    private String name;
    @Column(length = 256)
    private String description;
    @Column(name = "vendor_devices", nullable = false)
    private String vendorDevices;
    @Column(name = "class_prefixes", nullable = false)
    private String classPrefixes;
    @Column(nullable = false)
    private String addresses;
    @Column(name = "physical_functions", nullable = false)
    private String physicalFunctions;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected Pool() {
    }

    Pool(String name, String description, PoolSelector selector, Instant now) {
        this.createdAt = now;
        set(name, description, selector, now);
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

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
