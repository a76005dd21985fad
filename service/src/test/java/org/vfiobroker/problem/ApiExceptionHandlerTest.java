package org.vfiobroker.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** The answers to a lost race and to a lock waited on too long: problems a client can act on, not a 500. */
class ApiExceptionHandlerTest {

    final ApiExceptionHandler handler = new ApiExceptionHandler();

    @Test
    void aRecordChangedMeanwhileIsAConflictThatSaysToReadAgain() {
        ProblemDetail p = handler.changedMeanwhile(new OptimisticLockingFailureException("pool row 7 was deleted"));

        assertThat(p.getStatus()).isEqualTo(409);
        assertThat(p.getType()).hasToString("urn:vfio-broker:problem:changed-meanwhile");
        assertThat(p.getDetail()).contains("Read it again");
    }

    @Test
    void aLockWaitedOnTooLongIsABusyServiceWithRetryAfter() {
        ResponseEntity<ProblemDetail> r = handler.busy(new CannotAcquireLockException("the audit chain is busy"));

        assertThat(r.getStatusCode().value()).isEqualTo(503);
        assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(r.getBody().getType()).hasToString("urn:vfio-broker:problem:busy");
        assertThat(r.getBody().getProperties()).containsEntry("retryAfterSeconds", 1L);
    }

    @Test
    void aRetryIsAskedInWholeSecondsRoundedUpAndNeverZero() {
        assertThat(ProblemException.retryAfterSeconds(java.time.Duration.ofSeconds(7))).isEqualTo(7);
        assertThat(ProblemException.retryAfterSeconds(java.time.Duration.ofMillis(7001))).isEqualTo(8);
        assertThat(ProblemException.retryAfterSeconds(java.time.Duration.ofMillis(300))).isEqualTo(1);
        assertThat(ProblemException.retryAfterSeconds(java.time.Duration.ZERO)).isEqualTo(1);

        ResponseEntity<ProblemDetail> r = handler.problem(new ProblemException(ProblemType.BUSY, "wait")
                .retryAfter(java.time.Duration.ofMillis(2500)));
        assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("3");
        assertThat(r.getBody().getProperties()).containsEntry("retryAfterSeconds", 3L);
        assertThat(handler.problem(new ProblemException(ProblemType.BUSY, "no hint")).getHeaders()
                .containsHeader("Retry-After")).isFalse();
    }
}
