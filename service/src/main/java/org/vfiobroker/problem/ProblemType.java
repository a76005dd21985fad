package org.vfiobroker.problem;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The kinds of problem the API reports, each with a fixed {@code type} URI (never the request URL), a
 * title and a status. The one list of problem kinds: the README documents the same list.
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", "The request is malformed", HttpStatus.BAD_REQUEST),
    INVALID_PCI_ADDRESS("invalid-pci-address", "Not a PCI address", HttpStatus.BAD_REQUEST),
    UNAUTHENTICATED("unauthenticated", "Authentication required", HttpStatus.UNAUTHORIZED),
    FORBIDDEN("forbidden", "Not allowed for this account", HttpStatus.FORBIDDEN),
    ACCOUNT_NOT_FOUND("account-not-found", "No such account", HttpStatus.NOT_FOUND),
    TOKEN_NOT_FOUND("token-not-found", "No such API token", HttpStatus.NOT_FOUND),
    ACCOUNT_EXISTS("account-exists", "An account of that name exists", HttpStatus.CONFLICT),
    LAST_ADMINISTRATOR("last-administrator", "The last enabled administrator must stay", HttpStatus.CONFLICT),
    OWN_ACCOUNT("own-account", "An account cannot do this to itself", HttpStatus.CONFLICT),
    LOGIN_THROTTLED("login-throttled", "Too many failed logins", HttpStatus.TOO_MANY_REQUESTS),
    DEVICE_NOT_FOUND("device-not-found", "No such PCI function", HttpStatus.NOT_FOUND),
    IOMMU_GROUP_NOT_FOUND("iommu-group-not-found", "No such IOMMU group", HttpStatus.NOT_FOUND),
    HOST_REFUSED("host-refused", "The host helper refused the operation", HttpStatus.CONFLICT),
    HELPER_FAILED("helper-failed", "The host helper failed", HttpStatus.BAD_GATEWAY),
    HELPER_UNAVAILABLE("helper-unavailable", "The host helper is not available", HttpStatus.SERVICE_UNAVAILABLE),
    UNKNOWN_UNIX_USER("unknown-unix-user", "No such Unix user or group", HttpStatus.BAD_REQUEST),
    UNIX_USER_NOT_ALLOWED("unix-user-not-allowed", "This Unix user may not receive devices", HttpStatus.BAD_REQUEST),
    POOL_NOT_FOUND("pool-not-found", "No such pool", HttpStatus.NOT_FOUND),
    POLICY_NOT_FOUND("policy-not-found", "No such policy", HttpStatus.NOT_FOUND),
    GRANT_NOT_FOUND("grant-not-found", "No such grant", HttpStatus.NOT_FOUND),
    POOL_EXISTS("pool-exists", "A pool of that name exists", HttpStatus.CONFLICT),
    POOL_IN_USE("pool-in-use", "Policies name this pool", HttpStatus.CONFLICT),
    POLICY_EXISTS("policy-exists", "A policy for this pool and subject exists", HttpStatus.CONFLICT),
    NO_IOMMU("no-iommu", "The host has no usable IOMMU", HttpStatus.CONFLICT),
    NOIOMMU_MODE("noiommu-mode", "vfio's unsafe noiommu mode is on", HttpStatus.CONFLICT),
    HOST_NOT_READY("host-not-ready", "The host cannot grant devices now", HttpStatus.CONFLICT),
    POLICY_DENIED("policy-denied", "No policy allows this", HttpStatus.CONFLICT),
    QUOTA_EXCEEDED("quota-exceeded", "The policy's quota would be exceeded", HttpStatus.CONFLICT),
    GROUP_NOT_VIABLE("group-not-viable", "The IOMMU group is not viable", HttpStatus.CONFLICT),
    GROUP_IN_USE("group-in-use", "The IOMMU group is in use", HttpStatus.CONFLICT),
    ALREADY_GRANTED("already-granted", "The IOMMU group is granted already", HttpStatus.CONFLICT),
    NO_GROUP_AVAILABLE("no-group-available", "Not enough free groups in the pool", HttpStatus.CONFLICT),
    GRANT_STATE("grant-state", "The grant is not in a state that allows this", HttpStatus.CONFLICT),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "The Idempotency-Key was used for another request",
            HttpStatus.CONFLICT),
    VF_GRANTED("vf-granted", "A virtual function of this device is granted", HttpStatus.CONFLICT),
    CHANGED_MEANWHILE("changed-meanwhile", "Changed by another request meanwhile", HttpStatus.CONFLICT),
    BUSY("busy", "The service is busy", HttpStatus.SERVICE_UNAVAILABLE),
    INTERNAL("internal", "Internal error", HttpStatus.INTERNAL_SERVER_ERROR);

    /** Prefix of every problem type URI. */
    public static final String URI_PREFIX = "urn:vfio-broker:problem:";

    private final URI type;
    private final String title;
    private final HttpStatus status;

    ProblemType(String slug, String title, HttpStatus status) {
        this.type = URI.create(URI_PREFIX + slug);
        this.title = title;
        this.status = status;
    }

    public URI type() {
        return type;
    }

    public String title() {
        return title;
    }

    public HttpStatus status() {
        return status;
    }

    /** A problem of this kind with a detail a person can act on. */
    public ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
