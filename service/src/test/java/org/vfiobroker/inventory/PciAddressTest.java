package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PciAddressTest {

    @Test
    void parsesCanonicalForm() {
        PciAddress address = PciAddress.parse("0000:03:1f.7");

        assertThat(address).isEqualTo(new PciAddress(0, 3, 0x1f, 7));
        assertThat(address.toString()).isEqualTo("0000:03:1f.7");
    }

    @Test
    void acceptsUpperCaseAndPrintsLowerCase() {
        assertThat(PciAddress.parse("ABCD:EF:0A.1").toString()).isEqualTo("abcd:ef:0a.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "03:00.0", "0000:03:00", "0000:03:00.8", "0000:03:20.0", "0000:3:00.0",
            "0000:03:00.0 ", " 0000:03:00.0", "0000:03:00.0\n", "0000:03:00.00", "g000:03:00.0",
            "0000-03-00.0", "../../0000:03:00.0", "0000:03:00.0/../x", "+000:03:00.0", "0000:٣3:00.0"})
    void rejectsAnythingElseWithTheExpectedSyntax(String text) {
        assertThatThrownBy(() -> PciAddress.parse(text))
                .isInstanceOf(InvalidPciAddressException.class)
                .hasMessageContaining("DDDD:BB:DD.F");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> PciAddress.parse(null)).isInstanceOf(InvalidPciAddressException.class);
    }

    @Test
    void rejectsOutOfRangeComponents() {
        assertThatThrownBy(() -> new PciAddress(0x10000, 0, 0, 0)).isInstanceOf(InvalidPciAddressException.class);
        assertThatThrownBy(() -> new PciAddress(0, 0x100, 0, 0)).isInstanceOf(InvalidPciAddressException.class);
        assertThatThrownBy(() -> new PciAddress(0, 0, 0x20, 0)).isInstanceOf(InvalidPciAddressException.class);
        assertThatThrownBy(() -> new PciAddress(0, 0, 0, 8)).isInstanceOf(InvalidPciAddressException.class);
    }

    @Test
    void ordersByDomainBusDeviceFunction() {
        assertThat(PciAddress.parse("0000:00:1f.3")).isLessThan(PciAddress.parse("0000:01:00.0"));
        assertThat(PciAddress.parse("0000:ff:00.0")).isLessThan(PciAddress.parse("0001:00:00.0"));
        assertThat(PciAddress.parse("0000:00:02.0")).isLessThan(PciAddress.parse("0000:00:02.1"));
    }

    @Test
    void tellsWellFormedDirectoryNames() {
        assertThat(PciAddress.isWellFormed("0000:00:1f.3")).isTrue();
        assertThat(PciAddress.isWellFormed("0000:00:2f.3")).isFalse();
        assertThat(PciAddress.isWellFormed("pci0000:00")).isFalse();
    }
}
