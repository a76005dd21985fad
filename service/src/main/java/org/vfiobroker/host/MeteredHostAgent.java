package org.vfiobroker.host;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.vfiobroker.inventory.PciAddress;

/**
 * Counts every call through the port: {@code vfio_broker_helper_calls_total{verb, outcome}} with outcome
 * success, refused, failed or unavailable.
 */
public class MeteredHostAgent implements HostAgent {

    private final HostAgent delegate;
    private final MeterRegistry meters;

    public MeteredHostAgent(HostAgent delegate, MeterRegistry meters) {
        this.delegate = delegate;
        this.meters = meters;
    }

    /** The host behind the meter (tests reach the simulated host's extras through it). */
    public HostAgent delegate() {
        return delegate;
    }

    private <T> T call(String verb, Supplier<T> action) {
        String outcome = "success";
        try {
            return action.get();
        } catch (HostRefusedException e) {
            outcome = "refused";
            throw e;
        } catch (HelperUnavailableException e) {
            outcome = "unavailable";
            throw e;
        } catch (RuntimeException e) {
            outcome = "failed";
            throw e;
        } finally {
            Counter.builder("vfio.broker.helper.calls").description("Calls of the host helper, by verb and outcome")
                    .tag("verb", verb).tag("outcome", outcome).register(meters).increment();
        }
    }

    @Override
    public GroupInspection inspectGroup(int group) {
        return call("inspect-group", () -> delegate.inspectGroup(group));
    }

    @Override
    public BindResult bindGroup(int group) {
        return call("bind-group", () -> delegate.bindGroup(group));
    }

    @Override
    public RestoreResult restore(PciAddress address, Optional<String> previousDriver) {
        return call("restore", () -> delegate.restore(address, previousDriver));
    }

    @Override
    public NodeGrant grantNodes(int group, int uid, int gid, NodeMode mode) {
        return call("grant-nodes", () -> delegate.grantNodes(group, uid, gid, mode));
    }

    @Override
    public NodeGrant revokeNodes(int group) {
        return call("revoke-nodes", () -> delegate.revokeNodes(group));
    }

    @Override
    public NumVfsResult setNumVfs(PciAddress physicalFunction, int numVfs) {
        return call("set-numvfs", () -> delegate.setNumVfs(physicalFunction, numVfs));
    }

    @Override
    public MemlockResult setUserMemlock(String user, long bytes) {
        return call("memlock-user", () -> delegate.setUserMemlock(user, bytes));
    }

    @Override
    public MemlockResult removeUserMemlock(String user) {
        return call("memlock-user-remove", () -> delegate.removeUserMemlock(user));
    }

    @Override
    public ProcessMemlockResult setProcessMemlock(long pid, int uid, long bytes) {
        return call("memlock-pid", () -> delegate.setProcessMemlock(pid, uid, bytes));
    }

    @Override
    public List<Holder> holders(int group) {
        return call("holders", () -> delegate.holders(group));
    }

    @Override
    public TerminationReport terminateHolders(int group, Duration grace) {
        return call("terminate-holders", () -> delegate.terminateHolders(group, grace));
    }

    @Override
    public void reset(PciAddress address) {
        call("reset", () -> {
            delegate.reset(address);
            return null;
        });
    }

    @Override
    public byte[] readConfigSpace(PciAddress address) {
        return call("read-config", () -> delegate.readConfigSpace(address));
    }

    @Override
    public HelperVersion version() {
        return call("version", delegate::version);
    }

    @Override
    public Optional<DeviceNode> groupNode(int group) {
        return call("group-node", () -> delegate.groupNode(group));
    }
}
