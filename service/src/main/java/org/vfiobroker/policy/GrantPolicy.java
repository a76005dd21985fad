package org.vfiobroker.policy;

import java.time.Instant;

/**
 * A Unix user or group may receive groups from a pool, within limits. {@link PolicyRepository} reads and writes
 * it (table {@code grant_policy}), with its pool.
 */
public class GrantPolicy {

    public enum SubjectKind { USER, GROUP }

    private Long id;
    private Pool pool;
    private SubjectKind subjectKind;
    private String subjectName;
    private int maxGroups;
    private long maxMemlockBytes;
    private long maxLeaseSeconds;
    private boolean revokeOnExcess;
    private final Instant createdAt;
    private Instant updatedAt;

    GrantPolicy(Instant now) {
        this.createdAt = now;
    }

    /** A stored policy. */
    GrantPolicy(long id, Pool pool, SubjectKind kind, String name, QuotaRules.Limits limits, boolean revokeOnExcess,
                Instant createdAt, Instant updatedAt) {
        this.id = id;
        this.createdAt = createdAt;
        set(pool, kind, name, limits, revokeOnExcess, updatedAt);
    }

    final void set(Pool pool, SubjectKind kind, String name, QuotaRules.Limits limits, boolean revokeOnExcess,
                   Instant now) {
        this.pool = pool;
        this.subjectKind = kind;
        this.subjectName = name;
        this.maxGroups = limits.maxGroups();
        this.maxMemlockBytes = limits.maxMemlockBytes();
        this.maxLeaseSeconds = limits.maxLeaseSeconds();
        this.revokeOnExcess = revokeOnExcess;
        this.updatedAt = now;
    }

    /** Given by the database on INSERT. */
    void setId(long id) {
        this.id = id;
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
