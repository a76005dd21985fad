package org.vfiobroker.grant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.host.BindResult;
import org.vfiobroker.host.HostException;
import org.vfiobroker.host.HostRefusedException;
import org.vfiobroker.host.NodeMode;
import org.vfiobroker.inventory.DmaOwnershipRule;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;

/**
 * The host side of a grant: activation (bind, nodes, drop-in), release (nodes back, drivers restored, drop-in
 * rewritten), quarantine and re-application. Every step is journaled by {@link HostSteps}; state changes are
 * conditional transitions in {@link GrantStore}, so two actors never both act on one grant.
 */
@Component
class GrantLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrantLifecycle.class);

    private final GrantStore store;
    private final HoldingQueries holding;
    private final HostSteps steps;
    private final InventoryService inventory;
    private final GrantMetrics metrics;
    private final GrantLocks grantLocks = new GrantLocks();
    private final GrantLocks userLocks = new GrantLocks();
    private final Duration grace;

    GrantLifecycle(GrantStore store, HoldingQueries holding, HostSteps steps, InventoryService inventory, GrantMetrics metrics,
                   org.vfiobroker.policy.GrantProperties properties) {
        this.store = store;
        this.holding = holding;
        this.steps = steps;
        this.inventory = inventory;
        this.metrics = metrics;
        this.grace = properties.terminateGrace();
    }

    ReentrantLock lockOf(long grantId) {
        return grantLocks.of(grantId);
    }

    /**
     * Binds each group, hands its nodes to the user, writes the user's drop-in, then marks the grant active.
     * On a failure, undoes what was done and marks the grant failed (or releasing, when the undo failed too).
     *
     * @throws ActivationFailedException with the failed grant
     */
    Grant activate(Grant grant) {
        ReentrantLock lock = lockOf(grant.getId());
        lock.lock();
        try {
            try (InventoryService.Change change = inventory.changing(grant.groups())) {
                try (HostSteps.Sequence sequence = steps.sequence()) {
                    for (GrantItem item : grant.getItems()) {
                        bindAndHand(grant, item.getIommuGroup(), sequence);
                    }
                    writeMemlock(grant.getUnixUser(), grant.getUid(), -1, sequence);
                } catch (RuntimeException e) {
                    throw new ActivationFailedException(undoActivation(grant.getId(), e), e);
                }
            }
            Grant active = store.transition(grant, Set.of(GrantState.REQUESTED), GrantState.ACTIVE, null, null,
                    "grant.activate", Outcome.SUCCESS, "groups=" + grant.groups()).orElseThrow();
            metrics.activated();
            return active;
        } finally {
            lock.unlock();
        }
    }

    private void bindAndHand(Grant grant, int group, HostSteps.Sequence sequence) {
        long id = grant.getId();
        GrantItem item = grant.getItems().stream().filter(i -> i.getIommuGroup() == group).findFirst().orElseThrow();
        Map<String, String> predicted = item.previousDrivers();
        BindResult bound = sequence.run(id, "bind-group", "iommu-group:" + group, "restore=" + predicted,
                () -> steps.host().bindGroup(group));
        Map<String, String> restore = new LinkedHashMap<>();
        for (BindResult.MemberBinding m : bound.members()) {
            if ("bound".equals(m.action())) {
                restore.put(m.address(), m.previousDriver() == null ? "" : m.previousDriver());
            }
        }
        if (!restore.equals(predicted)) {
            store.previousDrivers(id, group, restore);
            item.previousDrivers(restore);
        }
        if (!bound.viable()) {
            throw new HostRefusedException("bind-group", 66, "not-viable", "group " + group
                    + " is not viable after binding: a member's driver does not let user space own DMA", List.of());
        }
        sequence.run(id, "grant-nodes", "iommu-group:" + group, "uid=" + grant.getUid() + " gid=" + grant.getGid()
                + " mode=0600", () -> steps.host().grantNodes(group, (int) grant.getUid(), (int) grant.getGid(),
                NodeMode.OWNER_ONLY));
    }

    /** The members that a bind would move to vfio-pci, with their driver now ("" for none), by the inventory. */
    static Map<String, String> driversToRestore(List<PciFunction> members) {
        Map<String, String> out = new LinkedHashMap<>();
        for (PciFunction f : members) {
            if (!DmaOwnershipRule.leftAloneByBind(f) && !DmaOwnershipRule.isVfio(f.driver())) {
                out.put(f.address().toString(), f.driver() == null ? "" : f.driver());
            }
        }
        return out;
    }

    /** The pam_limits drop-in says the sum of the user's requested and active grants, or is removed at 0. */
    void writeMemlock(String user, long uid, long excludeGrant) {
        try (HostSteps.Sequence sequence = steps.sequence()) {
            writeMemlock(user, uid, excludeGrant, sequence);
        }
    }

    private void writeMemlock(String user, long uid, long excludeGrant, HostSteps.Sequence sequence) {
        ReentrantLock lock = userLocks.of(uid);
        lock.lock();
        try {
            long sum = holding.memlockLimited(uid, excludeGrant);
            if (sum > 0) {
                sequence.run(null, "memlock-user", "unix-user:" + user, "bytes=" + sum,
                        () -> steps.host().setUserMemlock(user, sum));
            } else {
                sequence.run(null, "memlock-user-remove", "unix-user:" + user, null,
                        () -> steps.host().removeUserMemlock(user));
            }
        } finally {
            lock.unlock();
        }
    }

    private Grant undoActivation(long id, RuntimeException cause) {
        store.markActivationFailed(id);
        String why = "activation failed: " + describe(cause);
        Grant grant = store.find(id).orElseThrow();
        try {
            takeBack(grant, true);
        } catch (RuntimeException undo) {
            log.warn("grant {}: undoing a failed activation failed too; the reconcile retries: {}", id, undo.toString());
            return store.transition(id, Set.of(GrantState.REQUESTED), GrantState.RELEASING, why
                    + "; undo incomplete (" + describe(undo) + "), the reconcile retries", null, "grant.activate",
                    Outcome.FAILED, why).orElseThrow();
        }
        metrics.failed();
        return store.transition(id, Set.of(GrantState.REQUESTED), GrantState.FAILED, why, null, "grant.activate",
                Outcome.FAILED, why).orElseThrow();
    }

    /**
     * Releases a grant: optionally terminates holders, takes the nodes back, restores drivers and rewrites the
     * drop-in; the grant ends released (or failed, when its activation had failed). Idempotent: a grant already
     * releasing continues where it stopped.
     */
    Grant release(long id, boolean force, String reason, String actor, String action) {
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            Grant grant = store.beginRelease(id, reason, actor, action, (force ? "forced " : "")
                    + (reason == null ? "" : reason));
            if (grant.getState() == GrantState.RELEASED || grant.getState() == GrantState.FAILED) {
                return grant;
            }
            if (force) {
                for (int group : grant.groups()) {
                    steps.run(id, "terminate-holders", "iommu-group:" + group, "grace=" + grace,
                            () -> steps.host().terminateHolders(group, grace));
                }
            }
            try (InventoryService.Change change = inventory.changing(grant.groups())) {
                takeBack(grant, true);
            } catch (RuntimeException e) {
                store.record(new org.vfiobroker.audit.AuditEvent.Draft(actor, "grant.release", "grant:" + id,
                        Outcome.FAILED, describe(e) + "; the grant stays releasing and the reconcile retries"));
                throw e;
            }
            GrantState end = grant.isActivationFailed() ? GrantState.FAILED : GrantState.RELEASED;
            Grant done = store.transition(grant, Set.of(GrantState.RELEASING), end, null, actor, "grant.release",
                    Outcome.SUCCESS, "groups=" + grant.groups()).orElseThrow();
            metrics.released();
            return done;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reconcile's part of a release that stopped midway (a failed step, a crash): finishes it, unless a thread
     * of this process is working on the grant now (a revocation under way holds its lock; waiting for it would only
     * find it done) or it is no longer releasing.
     *
     * @return whether this call finished a release
     */
    boolean resumeRelease(long id, String actor, String action) {
        ReentrantLock lock = lockOf(id);
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (store.find(id).map(Grant::getState).orElse(null) != GrantState.RELEASING) {
                return false;
            }
            release(id, false, null, actor, action);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Nodes back to root, drivers restored, drop-in rewritten without this grant. Safe to repeat. */
    void takeBack(Grant grant, boolean restoreDrivers) {
        long id = grant.getId();
        try (HostSteps.Sequence sequence = steps.sequence()) {
            for (GrantItem item : grant.getItems()) {
                int group = item.getIommuGroup();
                tolerateGone(() -> sequence.run(id, "revoke-nodes", "iommu-group:" + group, null,
                        () -> steps.host().revokeNodes(group)));
                if (restoreDrivers) {
                    for (Map.Entry<String, String> m : item.previousDrivers().entrySet()) {
                        Optional<String> driver = m.getValue().isEmpty() ? Optional.empty()
                                : Optional.of(m.getValue());
                        tolerateGone(() -> sequence.run(id, "restore", "device:" + m.getKey(),
                                "driver=" + m.getValue(), () -> steps.host().restore(PciAddress.parse(m.getKey()),
                                        driver)));
                    }
                }
            }
            writeMemlock(grant.getUnixUser(), grant.getUid(), id, sequence);
        }
    }

    /** Drift: the nodes go back to root at once, the groups stay reserved, an operator decides. */
    void quarantine(long id, String reason) {
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            Optional<Grant> g = store.transition(id, Set.of(GrantState.ACTIVE), GrantState.QUARANTINED, reason,
                    "system", "grant.quarantine", Outcome.SUCCESS, reason);
            if (g.isEmpty()) {
                return;
            }
            metrics.quarantined();
            try {
                takeBack(g.get(), false);
            } catch (RuntimeException e) {
                log.warn("grant {} quarantined, but taking its nodes back failed: {}", id, e.toString());
            }
        } finally {
            inventory.rescanAfterChange();
            lock.unlock();
        }
    }

    /** After a reboot: bind and hand over again what the grant should have. */
    void reapply(Grant grant) {
        try (InventoryService.Change change = inventory.changing(grant.groups())) {
            reapplyOnHost(grant);
        }
        store.record(new org.vfiobroker.audit.AuditEvent.Draft("system", "grant.reapply", "grant:" + grant.getId(),
                Outcome.SUCCESS, "groups=" + grant.groups()));
    }

    private void reapplyOnHost(Grant grant) {
        try (HostSteps.Sequence sequence = steps.sequence()) {
            for (GrantItem item : grant.getItems()) {
                int group = item.getIommuGroup();
                BindResult bound = sequence.run(grant.getId(), "bind-group", "iommu-group:" + group, "reapply",
                        () -> steps.host().bindGroup(group));
                Map<String, String> restore = new LinkedHashMap<>(item.previousDrivers());
                for (BindResult.MemberBinding m : bound.members()) {
                    if ("bound".equals(m.action())) {
                        restore.putIfAbsent(m.address(), m.previousDriver() == null ? "" : m.previousDriver());
                    }
                }
                store.previousDrivers(grant.getId(), group, restore);
                sequence.run(grant.getId(), "grant-nodes", "iommu-group:" + group, "reapply uid=" + grant.getUid(),
                        () -> steps.host().grantNodes(group, (int) grant.getUid(), (int) grant.getGid(),
                                NodeMode.OWNER_ONLY));
            }
            writeMemlock(grant.getUnixUser(), grant.getUid(), -1, sequence);
        }
    }

    /** A host answer that the object is gone already counts as done when taking things back. */
    private static void tolerateGone(Runnable step) {
        try {
            step.run();
        } catch (HostRefusedException e) {
            if (e.exitCode() != 67) {
                throw e;
            }
        }
    }

    static String describe(RuntimeException e) {
        if (e instanceof HostException h) {
            return h.verb() + ": " + h.getMessage() + (h.reasons().isEmpty() ? "" : " " + h.reasons());
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
