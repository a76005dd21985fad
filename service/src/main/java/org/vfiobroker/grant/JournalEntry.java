package org.vfiobroker.grant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One host-changing step: written STARTED before it, DONE or FAILED after it, RECOVERED by the reconcile. */
@Entity
@Table(name = "operation_journal")
public class JournalEntry {

    public enum Phase { STARTED, DONE, FAILED, RECOVERED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(name = "grant_id")
    private Long grantId;
    @Column(nullable = false, length = 32)
    private String step;
    @Column(nullable = false, length = 128)
    private String target;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Phase phase;
    @Column(length = 4000)
    private String detail;
    @Column(name = "started_at", nullable = false)
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;

    protected JournalEntry() {
    }

    JournalEntry(Long grantId, String step, String target, String detail, Instant now) {
        this.grantId = grantId;
        this.step = step;
        this.target = target;
        this.phase = Phase.STARTED;
        this.detail = clip(detail);
        this.startedAt = now;
    }

    void finish(Phase phase, String detail, Instant now) {
        this.phase = phase;
        if (detail != null) {
            this.detail = clip(detail);
        }
        this.finishedAt = now;
    }

    private static String clip(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }

    public Long getId() {
        return id;
    }

    public Long getGrantId() {
        return grantId;
    }

    public String getStep() {
        return step;
    }

    public String getTarget() {
        return target;
    }

    public Phase getPhase() {
        return phase;
    }

    public String getDetail() {
        return detail;
    }
}
