package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DmaOwnershipRuleTest {

    @Test
    void permitsVfioVariantsStubPortAndNoDriver() {
        assertThat(DmaOwnershipRule.permits("vfio-pci")).isTrue();
        assertThat(DmaOwnershipRule.permits("mlx5_vfio_pci")).isTrue();
        assertThat(DmaOwnershipRule.permits("pci-stub")).isTrue();
        assertThat(DmaOwnershipRule.permits("pcieport")).isTrue();
        assertThat(DmaOwnershipRule.permits(null)).isTrue();
    }

    @Test
    void refusesHostDrivers() {
        assertThat(DmaOwnershipRule.permits("e1000e")).isFalse();
        assertThat(DmaOwnershipRule.permits("_vfio_pci")).isFalse();
    }
}
