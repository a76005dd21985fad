package org.vfiobroker.grant;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.vfiobroker.host.BindResult;
import org.vfiobroker.host.DeviceNode;
import org.vfiobroker.host.GroupInspection;
import org.vfiobroker.host.HelperFailedException;
import org.vfiobroker.host.HelperVersion;
import org.vfiobroker.host.HostAgent;
import org.vfiobroker.host.Holder;
import org.vfiobroker.host.MemlockResult;
import org.vfiobroker.host.NodeGrant;
import org.vfiobroker.host.NodeMode;
import org.vfiobroker.host.NumVfsResult;
import org.vfiobroker.host.ProcessMemlockResult;
import org.vfiobroker.host.RestoreResult;
import org.vfiobroker.host.TerminationReport;
import org.vfiobroker.inventory.PciAddress;

/**
 * The simulated host with a fault to inject: the next call of one verb fails once (502, like a crashed helper); or
 * terminations held as long as a test wants, as holders taking their whole grace period would.
 */
public class FaultyHost implements HostAgent {

    private final HostAgent real;
    private final AtomicReference<String> failNext = new AtomicReference<>();
    /** While set, terminations wait until it opens ({@link #holdTerminations}). */
    private volatile java.util.concurrent.CountDownLatch heldTerminations;
    private final java.util.concurrent.atomic.AtomicInteger terminationsHeld = new java.util.concurrent.atomic.AtomicInteger();

    FaultyHost(HostAgent real) {
        this.real = real;
    }

    void failNext(String verb) {
        failNext.set(verb);
    }

    private void maybeFail(String verb) {
        if (verb.equals(failNext.getAndUpdate(v -> verb.equals(v) ? null : v))) {
            throw new HelperFailedException(verb, 70, "injected", verb + ": injected failure", List.of(), null);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Config {
        @Bean
        @Primary
        FaultyHost faultyHost(@Qualifier("simulatedHost") HostAgent real) {
            return new FaultyHost(real);
        }
    }

    @Override
    public GroupInspection inspectGroup(int group) {
        return real.inspectGroup(group);
    }

    @Override
    public BindResult bindGroup(int group) {
        maybeFail("bind-group");
        return real.bindGroup(group);
    }

    @Override
    public RestoreResult restore(PciAddress address, Optional<String> previousDriver) {
        maybeFail("restore");
        return real.restore(address, previousDriver);
    }

    @Override
    public NodeGrant grantNodes(int group, int uid, int gid, NodeMode mode) {
        maybeFail("grant-nodes");
        return real.grantNodes(group, uid, gid, mode);
    }

    @Override
    public NodeGrant revokeNodes(int group) {
        maybeFail("revoke-nodes");
        return real.revokeNodes(group);
    }

    @Override
    public NumVfsResult setNumVfs(PciAddress physicalFunction, int numVfs) {
        maybeFail("set-numvfs");
        return real.setNumVfs(physicalFunction, numVfs);
    }

    @Override
    public MemlockResult setUserMemlock(String user, long bytes) {
        maybeFail("memlock-user");
        return real.setUserMemlock(user, bytes);
    }

    @Override
    public MemlockResult removeUserMemlock(String user) {
        maybeFail("memlock-user-remove");
        return real.removeUserMemlock(user);
    }

    @Override
    public ProcessMemlockResult setProcessMemlock(long pid, int uid, long bytes) {
        return real.setProcessMemlock(pid, uid, bytes);
    }

    @Override
    public List<Holder> holders(int group) {
        return real.holders(group);
    }

    /**
     * From now on, terminations wait (as for holders that take their grace period) until the returned latch opens;
     * {@link #stopHoldingTerminations} ends that.
     */
    java.util.concurrent.CountDownLatch holdTerminations() {
        java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
        heldTerminations = latch;
        return latch;
    }

    void stopHoldingTerminations() {
        java.util.concurrent.CountDownLatch latch = heldTerminations;
        heldTerminations = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Waits until {@code n} terminations are being held. */
    void awaitHeldTerminations(int n) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (terminationsHeld.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(terminationsHeld.get() + " terminations held, not " + n);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public TerminationReport terminateHolders(int group, Duration grace) {
        maybeFail("terminate-holders");
        java.util.concurrent.CountDownLatch hold = heldTerminations;
        if (hold != null) {
            terminationsHeld.incrementAndGet();
            try {
                if (!hold.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a held termination was never let go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                terminationsHeld.decrementAndGet();
            }
        }
        return real.terminateHolders(group, grace);
    }

    @Override
    public void reset(PciAddress address) {
        real.reset(address);
    }

    @Override
    public byte[] readConfigSpace(PciAddress address) {
        return real.readConfigSpace(address);
    }

    @Override
    public HelperVersion version() {
        return real.version();
    }

    @Override
    public Optional<DeviceNode> groupNode(int group) {
        return real.groupNode(group);
    }
}
