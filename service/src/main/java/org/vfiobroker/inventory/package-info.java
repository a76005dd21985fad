/**
 * The live inventory: PCI functions, IOMMU groups and the host's VFIO state, read from sysfs, procfs and
 * devfs (each root configurable, see {@link org.vfiobroker.inventory.InventoryProperties}).
 *
 * <p>Conventions of the public model: a reference-typed component that is {@code null} means "absent or
 * unknown on this host" (no driver, no NUMA node, no name in {@code pci.ids}, not an SR-IOV PF ...);
 * collections are never {@code null}, only empty, and are immutable. All values are records, so a
 * {@link org.vfiobroker.inventory.InventoryService.Snapshot} can be shared freely between threads.
 *
 * <p>Two rules live here and nowhere else: which drivers let user space own DMA
 * ({@link org.vfiobroker.inventory.DmaOwnershipRule}) and what makes a device "in use by the host"
 * ({@link org.vfiobroker.inventory.InUseDetector}).
 */
package org.vfiobroker.inventory;
