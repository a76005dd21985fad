package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.inventory.PciAddress;

/** The unprivileged service's config-space reader: the helper's full space, cached per device state. */
class HelperConfigSpaceReaderTest {

    private static final PciAddress ADDRESS = PciAddress.parse("0000:03:00.0");

    @TempDir
    Path tmp;

    private Path dir;
    private final byte[] header = new byte[64];
    private final byte[] full = new byte[4096];
    private final HostAgent host = mock(HostAgent.class);

    @BeforeEach
    void device() throws IOException {
        dir = Files.createDirectories(tmp.resolve("devices").resolve(ADDRESS.toString()));
        Files.createDirectories(tmp.resolve("drivers/mlx5_core"));
        Files.createDirectories(tmp.resolve("drivers/vfio-pci"));
        header[0] = (byte) 0xb3;
        header[1] = 0x15;
        header[2] = 0x1e;
        header[3] = 0x10;
        header[4] = 0x06; // command: memory space, bus master
        header[0x0b] = 0x02;
        writeHeader();
        Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../drivers/mlx5_core"));
        System.arraycopy(header, 0, full, 0, 64);
        full[0x100] = 0x10; // something beyond the unprivileged 64 bytes
        when(host.readConfigSpace(any())).thenReturn(full);
    }

    private void writeHeader() throws IOException {
        Files.write(dir.resolve("config"), header);
    }

    @Test
    void theHelpersFullSpaceIsReadOnceWhileNothingChanges() {
        HelperConfigSpaceReader reader = new HelperConfigSpaceReader(host);

        assertThat(reader.read(ADDRESS, dir)).isEqualTo(full);
        assertThat(reader.read(ADDRESS, dir)).isEqualTo(full);
        verify(host, times(1)).readConfigSpace(ADDRESS);
    }

    @Test
    void aNewDriverOrCommandRegisterReadsItAgain() throws IOException {
        HelperConfigSpaceReader reader = new HelperConfigSpaceReader(host);
        reader.read(ADDRESS, dir);

        Files.delete(dir.resolve("driver"));
        Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../drivers/vfio-pci"));
        reader.read(ADDRESS, dir);
        verify(host, times(2)).readConfigSpace(ADDRESS);

        Files.delete(dir.resolve("driver")); // unbound
        reader.read(ADDRESS, dir);
        verify(host, times(3)).readConfigSpace(ADDRESS);

        header[4] = 0x00; // memory space and bus master off
        writeHeader();
        reader.read(ADDRESS, dir);
        reader.read(ADDRESS, dir);
        verify(host, times(4)).readConfigSpace(ADDRESS);
    }

    @Test
    void aReadableFullSpaceNeedsNoHelper() throws IOException {
        Files.write(dir.resolve("config"), full);
        HelperConfigSpaceReader reader = new HelperConfigSpaceReader(host);

        assertThat(reader.read(ADDRESS, dir)).isEqualTo(full);
        verify(host, never()).readConfigSpace(any());
    }

    @Test
    void withoutTheHelperTheHeaderIsAllThereIsAndItIsNotAskedAgain() {
        when(host.readConfigSpace(any())).thenThrow(new HelperUnavailableException("read-config", "not installed", null));
        HelperConfigSpaceReader reader = new HelperConfigSpaceReader(host);

        assertThat(reader.read(ADDRESS, dir)).isEqualTo(Arrays.copyOf(header, 64));
        assertThat(reader.read(ADDRESS, dir)).isEqualTo(Arrays.copyOf(header, 64));
        verify(host, times(1)).readConfigSpace(ADDRESS);
    }
}
