package org.vfiobroker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** vfio-broker: hands whole IOMMU groups of PCIe devices to unprivileged users, safely. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class VfioBrokerApplication {

    public static void main(String[] args) {
        SpringApplication.run(VfioBrokerApplication.class, args);
    }
}
