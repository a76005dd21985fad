package org.vfiobroker.inventory;

import java.nio.file.Path;

/**
 * Tells the owner and mode of a device node. The default looks at the filesystem; the host package may
 * supply a bean that asks the helper instead (declare it {@code @Primary}).
 */
@FunctionalInterface
public interface DeviceNodeInspector {

    /**
     * @param node        where to look (under the configured devfs root)
     * @param displayPath how the host names the node, e.g. {@code /dev/vfio/12}
     */
    DeviceNodeStatus inspect(Path node, String displayPath);
}
