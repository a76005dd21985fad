package org.vfiobroker.host;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.vfiobroker.inventory.PciAddress;

/**
 * The port: the one door between the service and the machine's privileged operations. Every
 * method either returns what the host did or throws a {@link HostException}:
 * {@link HostRefusedException} (the host said no: policy, in use, not viable, noiommu; 409),
 * {@link HelperFailedException} (the helper failed; 502), {@link HelperUnavailableException}
 * (the helper cannot be run; 503).
 */
public interface HostAgent {

    /** Members, drivers, in-use reasons, viability and node ownership of an IOMMU group. */
    GroupInspection inspectGroup(int group);

    /** Binds every endpoint member to vfio-pci (bridges and pcieport left alone). */
    BindResult bindGroup(int group);

    /** Gives a device back to the host: to {@code previousDriver} if given, else to the kernel's choice. */
    RestoreResult restore(PciAddress address, Optional<String> previousDriver);

    /** Hands the group node and the members' cdev nodes to uid:gid with mode 0600 or 0660. */
    NodeGrant grantNodes(int group, int uid, int gid, NodeMode mode);

    /** Takes the nodes back: root:root 0600. */
    NodeGrant revokeNodes(int group);

    NumVfsResult setNumVfs(PciAddress physicalFunction, int numVfs);

    /** Writes the user's pam_limits memlock drop-in ({@code bytes} must be whole KiB). */
    MemlockResult setUserMemlock(String user, long bytes);

    MemlockResult removeUserMemlock(String user);

    /** RLIMIT_MEMLOCK of a running process, only if it belongs to {@code uid}. */
    ProcessMemlockResult setProcessMemlock(long pid, int uid, long bytes);

    /** Processes that have the group's nodes open, with what they lock and pin. */
    List<Holder> holders(int group);

    /** TERM, wait up to {@code grace}, KILL; one outcome per holder. */
    TerminationReport terminateHolders(int group, Duration grace);

    void reset(PciAddress address);

    /** The whole configuration space (the unprivileged service can read only 64 bytes itself). */
    byte[] readConfigSpace(PciAddress address);

    HelperVersion version();

    /**
     * Who owns {@code /dev/vfio/<group>} now, as the host sees it; empty when there is no node
     * (the group is not bound to vfio). The simulated host reports ownership it could not chown.
     */
    Optional<DeviceNode> groupNode(int group);
}
