package org.vfiobroker.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;

/**
 * The {@code demo} profile: the service runs against a bundled sample host (a workstation with a GPU
 * and its audio function, an SR-IOV NIC with VFs, a PCIe-to-PCI bridge group, an NVMe drive holding
 * {@code /}) written under {@code <data-dir>/demo-host}, with the simulated host in place of the helper.
 * The tree is written once and kept, so what the simulated host changed survives a restart like a
 * real host's state would (delete the folder to start afresh).
 */
public class DemoHostEnvironment implements EnvironmentPostProcessor, Ordered {

    public static final String PROFILE = "demo";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.acceptsProfiles(Profiles.of(PROFILE))) {
            return;
        }
        Path root = Path.of(environment.getProperty("vfio-broker.data-dir", "./data")).toAbsolutePath()
                .normalize().resolve("demo-host");
        SysfsFixture fixture = Files.isDirectory(root.resolve("sys")) ? SysfsFixture.at(root) : write(root);
        environment.getPropertySources().addFirst(new MapPropertySource("vfio-broker-demo-host", Map.of(
                "vfio-broker.host", "simulated",
                "vfio-broker.sysfs-root", fixture.sysfs().toString(),
                "vfio-broker.procfs-root", fixture.procfs().toString(),
                "vfio-broker.devfs-root", fixture.devfs().toString())));
    }

    private static SysfsFixture write(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo host under " + root, e);
        }
        return SampleHosts.workstation(root);
    }

    @Override
    public int getOrder() {
        // After the config data (application-*.properties, profiles) has been loaded.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
