package org.vfiobroker.inventory;

import org.vfiobroker.fixture.SysfsFixture;

/** Builds the full config space a privileged reader would return for a fixture function. */
final class SysfsFixtureConfig {

    private SysfsFixtureConfig() {
    }

    static byte[] full(SysfsFixture fx, String address) {
        return fx.fullConfig(address);
    }
}
