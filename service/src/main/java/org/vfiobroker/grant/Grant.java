package org.vfiobroker.grant;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A lease of whole IOMMU groups to a Unix user. */
@Entity
@Table(name = "device_grant")
public class Grant {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private GrantState state;
    @Column(name = "unix_user", nullable = false, length = 32)
    private String unixUser;
    @Column(nullable = false)
    private long uid;
    @Column(nullable = false)
    private long gid;
    @Column(name = "pool_id")
    private Long poolId;
    @Column(name = "policy_id")
    private Long policyId;
    @Column(name = "memlock_bytes", nullable = false)
    private long memlockBytes;
    @Column(name = "numa_node")
    private Integer numaNode;
    @Column(name = "numa_policy", length = 16)
    private String numaPolicy;
    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;
    @Column(name = "idempotency_key", length = 128)
    private String idempotencyKey;
    @Column(name = "request_digest", length = 64)
    private String requestDigest;
    @Column(name = "activation_failed", nullable = false)
    private boolean activationFailed;
    @Column(length = 2000)
    private String reason;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "activated_at")
    private Instant activatedAt;
    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;
    @Column(name = "released_at")
    private Instant releasedAt;
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;
    @OneToMany(mappedBy = "grant", cascade = CascadeType.ALL, fetch = FetchType.EAGER)
    @OrderBy("iommuGroup")
    private List<GrantItem> items = new ArrayList<>();

    protected Grant() {
    }

    Grant(String unixUser, long uid, long gid, Long poolId, Long policyId, long memlockBytes, Integer numaNode,
          String numaPolicy, String requestedBy, String idempotencyKey, String requestDigest, Instant now,
          Instant expiresAt) {
        this.state = GrantState.REQUESTED;
        this.unixUser = unixUser;
        this.uid = uid;
        this.gid = gid;
        this.poolId = poolId;
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

    void addItem(int group, String members, Integer numaNode, java.util.Map<String, String> driversToRestore) {
        GrantItem item = new GrantItem(this, group, members, numaNode);
        item.previousDrivers(driversToRestore);
        items.add(item);
    }

    void state(GrantState next, String reason, Instant now) {
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

    public Instant getReleasedAt() {
        return releasedAt;
    }

    public List<GrantItem> getItems() {
        return items;
    }

    public List<Integer> groups() {
        return items.stream().map(GrantItem::getIommuGroup).toList();
    }
}
