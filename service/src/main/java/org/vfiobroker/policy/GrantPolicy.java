package org.vfiobroker.policy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;

/** A Unix user or group may receive groups from a pool, within limits. */
@Entity
@Table(name = "grant_policy")
public class GrantPolicy {

    public enum SubjectKind { USER, GROUP }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "pool_id", nullable = false)
    private Pool pool;
    @Enumerated(EnumType.STRING)
    @Column(name = "subject_kind", nullable = false, length = 8)
    private SubjectKind subjectKind;
    @Column(name = "subject_name", nullable = false, length = 32)
    private String subjectName;
    @Column(name = "max_groups", nullable = false)
    private int maxGroups;
    @Column(name = "max_memlock_bytes", nullable = false)
    private long maxMemlockBytes;
    @Column(name = "max_lease_seconds", nullable = false)
    private long maxLeaseSeconds;
    @Column(name = "revoke_on_excess", nullable = false)
    private boolean revokeOnExcess;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected GrantPolicy() {
    }

    GrantPolicy(Instant now) {
        this.createdAt = now;
    }

    void set(Pool pool, SubjectKind kind, String name, QuotaRules.Limits limits, boolean revokeOnExcess, Instant now) {
        this.pool = pool;
        this.subjectKind = kind;
        this.subjectName = name;
        this.maxGroups = limits.maxGroups();
        this.maxMemlockBytes = limits.maxMemlockBytes();
        this.maxLeaseSeconds = limits.maxLeaseSeconds();
        this.revokeOnExcess = revokeOnExcess;
        this.updatedAt = now;
    }

    public Long getId() {
        return id;
    }

    public Pool getPool() {
        return pool;
    }

    public SubjectKind getSubjectKind() {
        return subjectKind;
    }

    public String getSubjectName() {
        return subjectName;
    }

    public QuotaRules.Limits limits() {
        return new QuotaRules.Limits(maxGroups, maxMemlockBytes, maxLeaseSeconds);
    }

    public boolean isRevokeOnExcess() {
        return revokeOnExcess;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
