package org.vfiobroker.problem;

import jakarta.validation.ConstraintViolationException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.vfiobroker.grant.ActivationFailedException;
import org.vfiobroker.host.HelperUnavailableException;
import org.vfiobroker.host.HostException;
import org.vfiobroker.host.HostRefusedException;
import org.vfiobroker.inventory.DeviceNotFoundException;
import org.vfiobroker.inventory.InvalidPciAddressException;
import org.vfiobroker.inventory.IommuGroupNotFoundException;
import org.vfiobroker.inventory.PciAddress;

/** Turns exceptions of the REST API into RFC 9457 problem details with fixed type URIs. */
@RestControllerAdvice(annotations = RestController.class)
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /** What a person is told when {@link OptimisticLockingFailureException} ends a request (API and pages). */
    public static final String CHANGED_MEANWHILE_DETAIL = "What this request changes was changed or deleted by another"
            + " request while it ran. Read it again, and retry if the change is still wanted.";
    /** What a person is told when {@link PessimisticLockingFailureException} ends a request (API and pages). */
    public static final String BUSY_DETAIL = "The service waited too long for a lock that other requests hold. Retry in"
            + " a moment (read first what this request changes, if unsure whether it took effect).";
    static final java.time.Duration BUSY_RETRY_AFTER = java.time.Duration.ofSeconds(1);

    @ExceptionHandler(InvalidPciAddressException.class)
    ProblemDetail invalidAddress(InvalidPciAddressException e) {
        ProblemDetail problem = ProblemType.INVALID_PCI_ADDRESS.problem(e.getMessage());
        problem.setProperty("expectedSyntax", PciAddress.SYNTAX);
        return problem;
    }

    @ExceptionHandler(DeviceNotFoundException.class)
    ProblemDetail deviceNotFound(DeviceNotFoundException e) {
        ProblemDetail problem = ProblemType.DEVICE_NOT_FOUND.problem(
                e.getMessage() + "; GET /api/v1/devices lists the functions there are");
        problem.setProperty("address", e.address().toString());
        return problem;
    }

    @ExceptionHandler(IommuGroupNotFoundException.class)
    ProblemDetail groupNotFound(IommuGroupNotFoundException e) {
        ProblemDetail problem = ProblemType.IOMMU_GROUP_NOT_FOUND.problem(
                e.getMessage() + "; GET /api/v1/iommu-groups lists the groups there are");
        problem.setProperty("iommuGroup", e.groupId());
        return problem;
    }

    @ExceptionHandler(HostException.class)
    ProblemDetail host(HostException e) {
        return hostProblem(e, null);
    }

    @ExceptionHandler(ActivationFailedException.class)
    ProblemDetail activationFailed(ActivationFailedException e) {
        HostException cause = e.hostCause();
        if (cause == null) {
            log.error("Activation of grant {} failed", e.grantId(), e);
            ProblemDetail problem = ProblemType.INTERNAL.problem(e.getMessage() + "; the grant is "
                    + e.grant().getState());
            problem.setProperty("grantId", e.grantId());
            return problem;
        }
        return hostProblem(cause, e);
    }

    /** The host's answer as a problem: refusals 409 (by kind), helper failures 502, a missing helper 503. */
    private static ProblemDetail hostProblem(HostException e, ActivationFailedException activation) {
        ProblemType type;
        if (e instanceof HostRefusedException) {
            type = switch (String.valueOf(e.errorCode())) {
                case "in-use" -> ProblemType.GROUP_IN_USE;
                case "not-viable" -> ProblemType.GROUP_NOT_VIABLE;
                case "noiommu" -> ProblemType.NOIOMMU_MODE;
                default -> ProblemType.HOST_REFUSED;
            };
        } else if (e instanceof HelperUnavailableException) {
            type = ProblemType.HELPER_UNAVAILABLE;
        } else {
            type = ProblemType.HELPER_FAILED;
        }
        String detail = "The host " + (e instanceof HostRefusedException ? "refused" : "failed at") + " '" + e.verb()
                + "': " + e.getMessage() + (e.reasons().isEmpty() ? "" : " (" + String.join("; ", e.reasons()) + ")");
        if (activation != null) {
            detail = "Grant " + activation.grantId() + " could not be activated and is now "
                    + activation.grant().getState() + ". " + detail;
        }
        ProblemDetail problem = type.problem(detail);
        problem.setProperty("helperExitCode", e.exitCode());
        problem.setProperty("helperError", e.errorCode());
        if (!e.reasons().isEmpty()) {
            problem.setProperty("inUseBy", e.reasons());
        }
        if (activation != null) {
            problem.setProperty("grantId", activation.grantId());
        }
        return problem;
    }

    /** The problem the service raised; one that says when to retry ({@code retryAfterSeconds}) also has the header. */
    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        ProblemDetail problem = e.toProblem();
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(problem.getStatus());
        e.retryAfterSeconds().ifPresent(seconds -> answer.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)));
        return answer.body(problem);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail constraintViolation(ConstraintViolationException e) {
        String detail = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage()
                        + " (got '" + v.getInvalidValue() + "')")
                .sorted()
                .collect(Collectors.joining("; "));
        return ProblemType.INVALID_REQUEST.problem(detail);
    }

    @ExceptionHandler({AccessDeniedException.class, AuthorizationDeniedException.class})
    ProblemDetail accessDenied(RuntimeException e) {
        return ProblemType.FORBIDDEN.problem("This account's role does not allow this operation.");
    }

    /**
     * Spring MVC's own method validation (the generated interfaces carry the contract's constraints): parameters
     * as "name: message (got 'value')", a body's fields as {@link #handleMethodArgumentNotValid} shows them.
     */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> fields = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (ParameterValidationResult r : e.getParameterValidationResults()) {
            if (r instanceof ParameterErrors errors) {
                fields.addAll(errors.getFieldErrors());
                errors.getGlobalErrors().forEach(g -> parts.add(g.getDefaultMessage()));
            } else {
                r.getResolvableErrors().forEach(err -> parts.add(r.getMethodParameter().getParameterName() + ": "
                        + err.getDefaultMessage() + " (got '" + r.getArgument() + "')"));
            }
        }
        return ResponseEntity.badRequest().body(invalid(fields, parts));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return ResponseEntity.badRequest().body(invalid(e.getBindingResult().getFieldErrors(), List.of()));
    }

    /** One 400 problem for invalid input: every error, sorted; {@code field} names the body's first bad field. */
    private static ProblemDetail invalid(List<FieldError> fields, List<String> others) {
        List<String> parts = new ArrayList<>(others);
        fields.forEach(err -> parts.add(err.getField() + ": " + err.getDefaultMessage()
                + shown(err.getField(), err.getRejectedValue())));
        String detail = parts.stream().sorted().collect(Collectors.joining("; "));
        ProblemDetail problem = ProblemType.INVALID_REQUEST.problem(detail.isEmpty() ? "The body is invalid." : detail);
        if (!fields.isEmpty()) {
            problem.setProperty("field", fields.get(0).getField());
        }
        return problem;
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String cause = e.getMostSpecificCause().getMessage();
        String first = cause == null ? "" : cause.lines().findFirst().orElse("");
        if (first.length() > 300) {
            first = first.substring(0, 300) + "...";
        }
        return ResponseEntity.badRequest().body(ProblemType.INVALID_REQUEST.problem(
                "The body is not valid JSON of the expected shape (see api-spec/openapi.yaml)"
                        + (first.isEmpty() ? "." : ": " + first)));
    }

    /** Echoes a rejected value so the caller sees it, but never a secret. */
    private static String shown(String field, Object value) {
        if (value == null) {
            return "";
        }
        if (field.toLowerCase().contains("password") || field.toLowerCase().contains("secret")) {
            return "";
        }
        String s = String.valueOf(value);
        return " (got '" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "')";
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        return ProblemType.INVALID_REQUEST.problem(
                e.getName() + ": '" + e.getValue() + "' is not a valid " + expected.toLowerCase() + " value");
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // Framework-raised errors (missing parameter, unsupported media type ...) keep their status but get our type URI.
        if (body instanceof ProblemDetail problem && (problem.getType() == null
                || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(status.is4xxClientError()
                    ? ProblemType.INVALID_REQUEST.type() : ProblemType.INTERNAL.type());
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    /** A record this request changes was changed or deleted by a concurrent request ({@code Rows.changedOne}). */
    @ExceptionHandler(OptimisticLockingFailureException.class)
    ProblemDetail changedMeanwhile(OptimisticLockingFailureException e) {
        log.info("changed meanwhile: {}", e.getMessage());
        return ProblemType.CHANGED_MEANWHILE.problem(CHANGED_MEANWHILE_DETAIL);
    }

    /** A lock (a row's, the audit chain's) stayed held past the lock timeout, or a deadlock was broken. */
    @ExceptionHandler(PessimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> busy(PessimisticLockingFailureException e) {
        log.warn("busy: {}", e.toString());
        return problem(new ProblemException(ProblemType.BUSY, BUSY_DETAIL).retryAfter(BUSY_RETRY_AFTER));
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error", e);
        return ProblemType.INTERNAL.problem("An unexpected error occurred; the service log has the details.");
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
