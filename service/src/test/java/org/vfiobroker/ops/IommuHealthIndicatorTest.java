package org.vfiobroker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.inventory.InventoryProperties;
import org.vfiobroker.inventory.InventoryService;

class IommuHealthIndicatorTest {

    @TempDir
    Path root;

    private Health healthOf(SysfsFixture host) throws Exception {
        InventoryService inventory = InventoryService.forRoots(
                InventoryProperties.forRoots(host.sysfs(), host.procfs(), host.devfs()));
        try {
            return new IommuHealthIndicator(inventory).health(true);
        } finally {
            inventory.destroy();
        }
    }

    @Test
    void isUpWithGrantsPossibleOnAHostWithAnIommu() throws Exception {
        Health health = healthOf(SampleHosts.workstation(root));

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("grantsPossible", true).containsEntry("present", true);
    }

    @Test
    void staysUpButNamesTheBlockersOnAHostWithoutAnIommu() throws Exception {
        Health health = healthOf(SampleHosts.noIommu(root));

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("grantsPossible", false).containsEntry("present", false);
        assertThat((java.util.List<?>) health.getDetails().get("grantBlockers")).isNotEmpty();
    }

    @Test
    void isDownWhenTheInventoryCannotBeRead() {
        InventoryService broken = org.mockito.Mockito.mock(InventoryService.class);
        org.mockito.Mockito.when(broken.host()).thenThrow(new IllegalStateException("sysfs unreadable"));

        assertThat(new IommuHealthIndicator(broken).health(true).getStatus()).isEqualTo(Status.DOWN);
    }
}
