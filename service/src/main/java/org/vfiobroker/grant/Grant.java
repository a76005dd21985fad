package org.vfiobroker.grant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A lease of whole IOMMU groups to a Unix user: a row of {@code device_grant} with its {@code grant_item}s, read
 * and written by {@link GrantStore} only. Its methods change the object; the store writes what changed.
 */
public class Grant {

    private Long id;
    private GrantState state;
    private String unixUser;
    private long uid;
    private long gid;
    private Long poolId;
    /** The pool's name as it is now, read with the grant ({@code null}: named groups, or the pool was deleted). */
    private String poolName;
    private Long policyId;
    private long memlockBytes;
    private Integer numaNode;
    private String numaPolicy;
    private String requestedBy;
    private String idempotencyKey;
    private String requestDigest;
    private boolean activationFailed;
    private String reason;
    private Instant createdAt;
    private Instant activatedAt;
    private Instant expiresAt;
    private Instant releasedAt;
    private Instant updatedAt;
    private final List<GrantItem> items = new ArrayList<>();

    /** A grant as stored; its items follow through {@link #loadedItem}. */
    private Grant(long id) {
        this.id = id;
    }

    /** A grant read from its row, with the store's column values. */
    static Grant loaded(long id, GrantState state, String unixUser, long uid, long gid, Long poolId, String poolName,
                        Long policyId, long memlockBytes, Integer numaNode, String numaPolicy, String requestedBy,
                        String idempotencyKey, String requestDigest, boolean activationFailed, String reason,
                        Instant createdAt, Instant activatedAt, Instant expiresAt, Instant releasedAt,
                        Instant updatedAt) {
        Grant g = new Grant(id);
        g.state = state;
        g.unixUser = unixUser;
        g.uid = uid;
        g.gid = gid;
        g.poolId = poolId;
        g.poolName = poolName;
        g.policyId = policyId;
        g.memlockBytes = memlockBytes;
        g.numaNode = numaNode;
        g.numaPolicy = numaPolicy;
        g.requestedBy = requestedBy;
        g.idempotencyKey = idempotencyKey;
        g.requestDigest = requestDigest;
        g.activationFailed = activationFailed;
        g.reason = reason;
        g.createdAt = createdAt;
        g.activatedAt = activatedAt;
        g.expiresAt = expiresAt;
        g.releasedAt = releasedAt;
        g.updatedAt = updatedAt;
        return g;
    }

    void loadedItem(GrantItem item) {
        items.add(item);
    }

    /** The id the database gave the new row. */
    void inserted(long id) {
        if (this.id != null) {
            throw new IllegalStateException("grant " + this.id + " is stored already");
        }
        this.id = id;
    }

    Grant(String unixUser, long uid, long gid, Long poolId, String poolName, Long policyId, long memlockBytes,
          Integer numaNode, String numaPolicy, String requestedBy, String idempotencyKey, String requestDigest,
          Instant now, Instant expiresAt) {
        this.state = GrantState.REQUESTED;
        this.unixUser = unixUser;
        this.uid = uid;
        this.gid = gid;
        this.poolId = poolId;
        this.poolName = poolName;
        this.policyId = policyId;
        this.memlockBytes = memlockBytes;
        this.numaNode = numaNode;
        this.numaPolicy = numaPolicy;
        this.requestedBy = requestedBy;
        this.idempotencyKey = idempotencyKey;
        this.requestDigest = requestDigest;
        this.createdAt = now;
        this.updatedAt = now;
        this.expiresAt = expiresAt;
    }

    void addItem(int group, String members, Integer numaNode, Map<String, String> driversToRestore) {
        GrantItem item = new GrantItem(group, members, numaNode);
        item.previousDrivers(driversToRestore);
        items.add(item);
        items.sort(Comparator.comparingInt(GrantItem::getIommuGroup));
    }

    /** This grant as it is after moving to {@code next}: a copy, this one is left as it was. */
    Grant inState(GrantState next, String reason, Instant now) {
        Grant g = loaded(id, state, unixUser, uid, gid, poolId, poolName, policyId, memlockBytes, numaNode, numaPolicy,
                requestedBy, idempotencyKey, requestDigest, activationFailed, this.reason, createdAt, activatedAt,
                expiresAt, releasedAt, updatedAt);
        items.forEach(i -> g.loadedItem(i.copy()));
        g.state(next, reason, now);
        return g;
    }

    private void state(GrantState next, String reason, Instant now) {
        this.state = next;
        if (reason != null) {
            this.reason = reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
        }
        this.updatedAt = now;
        if (next == GrantState.ACTIVE && activatedAt == null) {
            activatedAt = now;
        }
        if (next == GrantState.RELEASED || next == GrantState.FAILED) {
            releasedAt = now;
            items.forEach(GrantItem::letGo);
        }
    }

    void activationFailed() {
        this.activationFailed = true;
    }

    void expiresAt(Instant at, Instant now) {
        this.expiresAt = at;
        this.updatedAt = now;
    }

    public Long getId() {
        return id;
    }

    public GrantState getState() {
        return state;
    }

    public String getUnixUser() {
        return unixUser;
    }

    public long getUid() {
        return uid;
    }

    public long getGid() {
        return gid;
    }

    public Long getPoolId() {
        return poolId;
    }

    public String getPoolName() {
        return poolName;
    }

    public Long getPolicyId() {
        return policyId;
    }

    public long getMemlockBytes() {
        return memlockBytes;
    }

    public Integer getNumaNode() {
        return numaNode;
    }

    public String getNumaPolicy() {
        return numaPolicy;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }

    public String getRequestDigest() {
        return requestDigest;
    }

    public boolean isActivationFailed() {
        return activationFailed;
    }

    public String getReason() {
        return reason;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getActivatedAt() {
        return activatedAt;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public Instant getReleasedAt() {
        return releasedAt;
    }

    /** The items in order of their group. */
    public List<GrantItem> getItems() {
        return Collections.unmodifiableList(items);
    }

    public List<Integer> groups() {
        return items.stream().map(GrantItem::getIommuGroup).toList();
    }
}
