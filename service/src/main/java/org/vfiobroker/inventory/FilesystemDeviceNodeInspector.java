package org.vfiobroker.inventory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** The default {@link DeviceNodeInspector}: {@code lstat} of the node. */
public class FilesystemDeviceNodeInspector implements DeviceNodeInspector {

    @Override
    public DeviceNodeStatus inspect(Path node, String displayPath) {
        try {
            Map<String, Object> a = Files.readAttributes(node, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            boolean chr = (mode & 0170000) == 0020000;
            return new DeviceNodeStatus(displayPath, true, chr, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    String.format("%04o", mode & 07777));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return DeviceNodeStatus.missing(displayPath);
        }
    }
}
