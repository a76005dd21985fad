package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;

/** The inventory's beans and properties as the application wires them. */
class InventoryWiringTest {

    @TempDir
    Path tmp;

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(InventoryProperties.class)
    @org.springframework.scheduling.annotation.EnableScheduling
    static class Wiring {
    }

    private ApplicationContextRunner runner(SysfsFixture fx) {
        return new ApplicationContextRunner()
                .withUserConfiguration(Wiring.class, InventoryConfiguration.class, InventoryService.class)
                .withPropertyValues("vfio-broker.sysfs-root=" + fx.sysfs(), "vfio-broker.procfs-root=" + fx.procfs(),
                        "vfio-broker.devfs-root=" + fx.devfs(), "vfio-broker.inventory.refresh-interval=2s");
    }

    @Test
    void bindsRootsAndRefreshIntervalFromProperties() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        runner(fx).run(ctx -> {
            InventoryProperties p = ctx.getBean(InventoryProperties.class);
            assertThat(p.sysfsRoot()).isEqualTo(fx.sysfs());
            assertThat(p.inventory().refreshInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(ctx.getBean(InventoryService.class).getGroup(1).members()).hasSize(2);
        });
    }

    @Test
    void defaultsToTheRealRoots() {
        InventoryProperties p = new InventoryProperties(null, null, null, null, null);

        assertThat(p.sysfsRoot()).isEqualTo(Path.of("/sys"));
        assertThat(p.procfsRoot()).isEqualTo(Path.of("/proc"));
        assertThat(p.devfsRoot()).isEqualTo(Path.of("/dev"));
        assertThat(p.inventory().refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void letsTheHostPackageReplaceTheConfigSpaceReader() {
        SysfsFixture fx = SampleHosts.gpuWithAudio(tmp);
        runner(fx).withBean(ConfigSpaceReader.class, () -> (address, dir) -> new byte[64]).run(ctx -> {
            assertThat(ctx.getBean(ConfigSpaceReader.class)).isNotInstanceOf(SysfsConfigSpaceReader.class);
            assertThat(ctx.getBean(InventoryService.class).devices())
                    .allSatisfy(f -> assertThat(f.capabilities().configSpaceComplete()).isFalse());
        });
    }
}
