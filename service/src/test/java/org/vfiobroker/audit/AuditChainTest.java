package org.vfiobroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.vfiobroker.audit.AuditEvent.Outcome;

class AuditChainTest {

    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678901Z");

    @Test
    void matchesTheDocumentedTestVector() {
        // The README documents this vector; any other implementation (a verifier script) must give the same.
        assertThat(AuditChain.hash("", 1, AT, "admin", "account.create", "account:alice", Outcome.SUCCESS,
                "role=VIEWER")).isEqualTo("0e98b1128f72a696337b8def5a018527885983293599d55d5036098fc94b33d0");
    }

    @Test
    void everyFieldTakesPart() {
        String base = AuditChain.hash("ab", 7, AT, "a", "x.y", "t", Outcome.SUCCESS, "d");

        assertThat(AuditChain.hash("ac", 7, AT, "a", "x.y", "t", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 8, AT, "a", "x.y", "t", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT.plusNanos(1000), "a", "x.y", "t", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT, "b", "x.y", "t", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT, "a", "x.z", "t", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT, "a", "x.y", "u", Outcome.SUCCESS, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT, "a", "x.y", "t", Outcome.FAILED, "d")).isNotEqualTo(base);
        assertThat(AuditChain.hash("ab", 7, AT, "a", "x.y", "t", Outcome.SUCCESS, "e")).isNotEqualTo(base);
    }

    @Test
    void movingTextBetweenFieldsChangesTheHash() {
        assertThat(AuditChain.hash("", 1, AT, "ab", "c.d", "t", Outcome.SUCCESS, null))
                .isNotEqualTo(AuditChain.hash("", 1, AT, "a", "bc.d", "t", Outcome.SUCCESS, null));
    }

    @Test
    void absentDetailsHashLikeEmptyDetails() {
        assertThat(AuditChain.hash("", 1, AT, "a", "c.d", "t", Outcome.SUCCESS, null))
                .isEqualTo(AuditChain.hash("", 1, AT, "a", "c.d", "t", Outcome.SUCCESS, ""));
    }

    @Test
    void timesBelowAMicrosecondDoNotCount() {
        assertThat(AuditChain.hash("", 1, AT.plusNanos(999), "a", "c.d", "t", Outcome.SUCCESS, null))
                .isEqualTo(AuditChain.hash("", 1, AT, "a", "c.d", "t", Outcome.SUCCESS, null));
    }

    @Test
    void clipsOverlongValuesVisiblyAndCleansControlCharacters() {
        assertThat(ChainedAuditLog.clip("x".repeat(300), 256)).hasSize(256).endsWith("more characters cut]");
        assertThat(ChainedAuditLog.clip("a\u0000b\nc", 64)).isEqualTo("a b\nc");
    }
}
