package org.vfiobroker.audit.web;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.AuditApi;
import org.vfiobroker.api.model.AuditEventPage;
import org.vfiobroker.api.model.AuditOutcome;
import org.vfiobroker.api.model.AuditVerification;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditQuery;
import org.vfiobroker.audit.AuditService;
import org.vfiobroker.problem.InvalidInputException;

/** The audit API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link AuditService}. */
@RestController
class AuditController implements AuditApi {

    private final AuditService audit;

    AuditController(AuditService audit) {
        this.audit = audit;
    }

    @Override
    public ResponseEntity<AuditEventPage> listAuditEvents(String actor, String action, String target,
                                                          AuditOutcome outcome, OffsetDateTime from,
                                                          OffsetDateTime to, Integer page, Integer size) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidInputException("from", "'from' (" + from + ") must be before 'to' (" + to + ")");
        }
        AuditQuery query = new AuditQuery(blankToNull(actor), blankToNull(action), blankToNull(target),
                outcome == null ? null : AuditEvent.Outcome.valueOf(outcome.name()),
                from == null ? null : from.toInstant(), to == null ? null : to.toInstant());
        AuditService.Page result = audit.find(query, page, size);
        return ResponseEntity.ok(new AuditEventPage()
                .items(result.items().stream().map(AuditController::dto).toList())
                .page(result.page())
                .size(result.size())
                .totalItems(result.totalItems())
                .totalPages(result.totalPages()));
    }

    @Override
    public ResponseEntity<AuditVerification> verifyAuditChain() {
        org.vfiobroker.audit.AuditVerification v = audit.verify();
        return ResponseEntity.ok(new AuditVerification()
                .intact(v.intact())
                .eventsChecked(v.eventsChecked())
                .lastSequence(v.lastSequence())
                .firstBrokenSequence(v.firstBrokenSequence())
                .problem(v.problem()));
    }

    private static org.vfiobroker.api.model.AuditEvent dto(AuditEvent e) {
        return new org.vfiobroker.api.model.AuditEvent()
                .sequence(e.sequence())
                .at(OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC))
                .actor(e.actor())
                .action(e.action())
                .target(e.target())
                .outcome(AuditOutcome.valueOf(e.outcome().name()))
                .details(e.details())
                .previousHash(e.previousHash())
                .hash(e.hash());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
