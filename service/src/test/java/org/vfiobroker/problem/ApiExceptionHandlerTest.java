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
}
