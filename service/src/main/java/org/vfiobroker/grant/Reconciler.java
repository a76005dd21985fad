package org.vfiobroker.grant;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.vfiobroker.host.DeviceNode;
import org.vfiobroker.inventory.DmaOwnershipRule;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciFunction;

/**
 * Brings the host in line with the database, at start-up and on a timer: finishes or undoes activations and
 * releases a crash interrupted (the journal's open steps), releases expired grants, re-applies active grants
 * the host lost (a reboot), quarantines grants whose devices drifted, and checks usage against quotas.
 */
@Component
public class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final GrantStore store;
    private final GrantLifecycle lifecycle;
    private final GrantService grants;
    private final HostSteps steps;
    private final Journal journal;
    private final InventoryService inventory;
    private final GrantMetrics metrics;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();

    Reconciler(GrantStore store, GrantLifecycle lifecycle, GrantService grants, HostSteps steps, Journal journal,
               InventoryService inventory, GrantMetrics metrics, Clock clock) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.grants = grants;
        this.steps = steps;
        this.journal = journal;
        this.inventory = inventory;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What one pass did, for logs and tests. */
    public record Report(List<Long> undone, List<Long> released, List<Long> expired, List<Long> reapplied,
                         List<Long> quarantined, List<Long> excess, List<String> errors) {
    }

    @EventListener(ApplicationReadyEvent.class)
    public void atStartup() {
        Report r = reconcile(true);
        log.info("start-up reconcile: {}", r);
    }

    @Scheduled(initialDelayString = "${vfio-broker.grants.reconcile-interval:30s}",
            fixedDelayString = "${vfio-broker.grants.reconcile-interval:30s}")
    public void onTimer() {
        Report r = reconcile(false);
        if (!r.errors().isEmpty() || !r.quarantined().isEmpty() || !r.reapplied().isEmpty()) {
            log.warn("reconcile: {}", r);
        }
    }

    /**
     * One pass. {@code startup}: this process just started, so no activation is in flight and every REQUESTED
     * grant was interrupted by a crash.
     */
    public Report reconcile(boolean startup) {
        running.lock();
        try {
            return pass(startup);
        } finally {
            running.unlock();
        }
    }

    private Report pass(boolean startup) {
        Report r = new Report(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<JournalEntry> open = journal.interrupted();
        Set<Long> interrupted = new HashSet<>();
        open.forEach(e -> {
            if (e.grantId() != null) {
                interrupted.add(e.grantId());
            }
        });
        for (Grant g : store.inStates(Set.of(GrantState.REQUESTED))) {
            if (!startup && grants.inFlight().contains(g.getId())) {
                continue;
            }
            if (!startup && !interrupted.contains(g.getId()) && g.getCreatedAt().isAfter(clock.instant().minusSeconds(300))) {
                continue; // a request thread may still be about to start it
            }
            act(r, g.getId(), () -> {
                store.markActivationFailed(g.getId());
                lifecycle.release(g.getId(), false, "activation interrupted (the service stopped during it); undone",
                        "system", "grant.recover");
                r.undone().add(g.getId());
            });
        }
        for (Grant g : store.inStates(Set.of(GrantState.RELEASING))) {
            act(r, g.getId(), () -> {
                // a revocation under way is its request's; one that stopped midway is finished here
                if (lifecycle.resumeRelease(g.getId(), "system", "grant.recover")) {
                    r.released().add(g.getId());
                }
            });
        }
        for (JournalEntry e : open) {
            journal.finish(e.id(), JournalEntry.Phase.RECOVERED, e.detail());
        }
        if (!open.isEmpty() || !r.undone().isEmpty() || !r.released().isEmpty()) {
            // an interrupted step may have changed more than its groups (an SR-IOV change): read the whole host
            inventory.rescanAfterChange();
        }
        Instant now = clock.instant();
        Set<String> usersToRewrite = new java.util.LinkedHashSet<>();
        for (Grant g : store.inStates(Set.of(GrantState.ACTIVE))) {
            if (!g.getExpiresAt().isAfter(now)) {
                act(r, g.getId(), () -> {
                    lifecycle.release(g.getId(), true, "expired at " + g.getExpiresAt(), "system", "grant.expire");
                    r.expired().add(g.getId());
                });
                continue;
            }
            act(r, g.getId(), () -> check(g, r, usersToRewrite, startup));
        }
        if (startup) {
            for (Grant g : store.inStates(Set.of(GrantState.ACTIVE))) {
                usersToRewrite.add(g.getUnixUser() + ":" + g.getUid());
            }
        }
        for (String u : usersToRewrite) {
            int colon = u.lastIndexOf(':');
            try {
                lifecycle.writeMemlock(u.substring(0, colon), Long.parseLong(u.substring(colon + 1)), -1);
            } catch (RuntimeException e) {
                r.errors().add("memlock of " + u + ": " + e.getMessage());
            }
        }
        usage(r);
        return r;
    }

    /** Drift quarantines; a group the host lost (reboot: not bound, node absent or root's) is applied again. */
    void check(Grant g, Report r, Set<String> usersToRewrite, boolean startup) {
        InventoryService.Snapshot s = inventory.snapshot();
        boolean reapply = false;
        for (GrantItem item : g.getItems()) {
            int group = item.getIommuGroup();
            Optional<IommuGroup> now = Optional.ofNullable(s.groupsById().get(group));
            if (now.isEmpty()) {
                lifecycle.quarantine(g.getId(), "drift: IOMMU group " + group + " no longer exists");
                r.quarantined().add(g.getId());
                return;
            }
            Map<String, String> ids = new TreeMap<>();
            List<PciFunction> members = inventory.members(now.get());
            members.forEach(f -> ids.put(f.address().toString(), f.vendorDevice()));
            Map<String, String> recorded = new TreeMap<>(item.memberIds());
            if (!ids.equals(recorded)) {
                lifecycle.quarantine(g.getId(), "drift: IOMMU group " + group + " had " + recorded + " when granted and"
                        + " has " + ids + " now (device identity or group membership changed)");
                r.quarantined().add(g.getId());
                return;
            }
            boolean unbound = members.stream().anyMatch(f -> !DmaOwnershipRule.leftAloneByBind(f)
                    && !DmaOwnershipRule.isVfio(f.driver()));
            Optional<DeviceNode> node = steps.host().groupNode(group);
            if (unbound || node.isEmpty() || node.get().uid() == 0) {
                reapply = true;
            } else if (node.get().uid() != g.getUid() || node.get().gid() != g.getGid()
                    || (node.get().mode() & 0777) != 0600) {
                lifecycle.quarantine(g.getId(), "drift: " + node.get().path() + " is owned by uid " + node.get().uid()
                        + " gid " + node.get().gid() + " mode " + node.get().modeOctal() + ", not by the grantee (uid "
                        + g.getUid() + " gid " + g.getGid() + " mode 0600); someone else changed it");
                r.quarantined().add(g.getId());
                return;
            }
        }
        if (reapply) {
            ReentrantLock lock = lifecycle.lockOf(g.getId());
            lock.lock();
            try {
                // What was read may be a revocation that ended meanwhile (it gives the nodes to root and restores
                // the drivers, which looks like a reboot): only a grant still active is applied again.
                Optional<Grant> current = store.find(g.getId()).filter(c -> c.getState() == GrantState.ACTIVE);
                if (current.isEmpty()) {
                    return;
                }
                lifecycle.reapply(current.get());
            } finally {
                lock.unlock();
            }
            r.reapplied().add(g.getId());
        }
    }

    private void usage(Report r) {
        long pinned = 0;
        for (Grant g : store.inStates(Set.of(GrantState.ACTIVE))) {
            try {
                GrantService.Usage u = grants.usageOf(g);
                pinned += u.pinnedBytes();
                if (u.excess()) {
                    r.excess().add(g.getId());
                    if (u.revokeOnExcess()) {
                        lifecycle.release(g.getId(), true, "revoked: holders pinned " + u.pinnedBytes() + " and locked "
                                + u.lockedBytes() + " bytes, above the grant's memlock of " + g.getMemlockBytes(),
                                "system", "grant.excess");
                    }
                }
            } catch (RuntimeException e) {
                r.errors().add("usage of grant " + g.getId() + ": " + e.getMessage());
            }
        }
        metrics.pinned(pinned);
    }

    private void act(Report r, long id, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            r.errors().add("grant " + id + ": " + GrantLifecycle.describe(e));
            log.warn("reconcile of grant {} failed: {}", id, e.toString());
        }
    }
}
