package org.vfiobroker.inventory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Fallback;

/**
 * Default ports of the inventory. They are {@link Fallback} beans: the host package replaces either one
 * simply by declaring its own bean of the same type.
 */
@Configuration(proxyBeanMethods = false)
class InventoryConfiguration {

    @Bean
    @Fallback
    ConfigSpaceReader sysfsConfigSpaceReader() {
        return new SysfsConfigSpaceReader();
    }

    @Bean
    @Fallback
    DeviceNodeInspector filesystemDeviceNodeInspector() {
        return new FilesystemDeviceNodeInspector();
    }
}
