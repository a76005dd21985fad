package org.vfiobroker.ops;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import org.vfiobroker.inventory.HostSummary;
import org.vfiobroker.inventory.InventoryService;

/**
 * Health component {@code iommu}. UP whenever the inventory can be read, also on a host where no grant is
 * possible: the service still works there (inventory, dashboard, audit), and a load balancer should not take
 * it out of rotation for a property of the hardware. Whether grants are possible, and why not, is in the
 * details ({@code grantsPossible}, {@code grantBlockers}). DOWN when the inventory cannot be read at all.
 *
 * <p>The helper has its own component, {@link HelperHealthIndicator}.
 */
@Component("iommu")
class IommuHealthIndicator extends AbstractHealthIndicator {

    private final InventoryService inventory;

    IommuHealthIndicator(InventoryService inventory) {
        super("The inventory could not be read");
        this.inventory = inventory;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        HostSummary host = inventory.host();
        builder.up()
                .withDetail("present", host.iommu().present())
                .withDetail("kind", host.iommu().kind().label())
                .withDetail("groups", host.iommu().groupCount())
                .withDetail("noiommuMode", host.noiommuMode())
                .withDetail("grantsPossible", host.grantsPossible())
                .withDetail("grantBlockers", host.grantBlockers());
    }
}
