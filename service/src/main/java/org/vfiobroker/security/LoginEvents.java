package org.vfiobroker.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditLog;

/**
 * Counts logins (metric {@code vfio_broker_logins_total{method,outcome}}, method {@code form}, {@code basic}
 * or {@code bearer}, outcome {@code success}, {@code failure} or {@code throttled}) and lockouts
 * ({@code vfio_broker_login_lockouts_total{kind}}), feeds failures to the {@link LoginThrottle} and audits
 * every lock ({@code auth.lock}, outcome REFUSED, target {@code account:<name>} or {@code address:<ip>}).
 */
@Component
class LoginEvents {

    static final String LOGINS = "vfio.broker.logins";
    static final String LOCKOUTS = "vfio.broker.login.lockouts";
    private static final Logger log = LoggerFactory.getLogger(LoginEvents.class);

    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final MeterRegistry meters;

    LoginEvents(LoginThrottle throttle, AuditLog audit, MeterRegistry meters) {
        this.throttle = throttle;
        this.audit = audit;
        this.meters = meters;
    }

    @EventListener
    void failed(AbstractAuthenticationFailureEvent event) {
        HttpServletRequest request = currentRequest();
        String method = method(request);
        count(method, "failure");
        failed(method, event.getAuthentication().getName(), request == null ? null : request.getRemoteAddr());
    }

    @EventListener
    void succeeded(AuthenticationSuccessEvent event) {
        if (event.getAuthentication() instanceof TokenAuthentication) {
            return;
        }
        count(method(currentRequest()), "success");
        throttle.succeeded(event.getAuthentication().getName());
    }

    void bearerSucceeded() {
        count("bearer", "success");
    }

    void bearerFailed(String address) {
        count("bearer", "failure");
        failed("bearer", null, address);
    }

    void throttled(String method) {
        count(method, "throttled");
    }

    private void failed(String method, String username, String address) {
        for (LoginThrottle.Lock lock : throttle.failed(username, address)) {
            String kind = lock.key().startsWith("account:") ? "account" : "address";
            Counter.builder(LOCKOUTS).description("Account names and client addresses locked after failed logins")
                    .tag("kind", kind).register(meters).increment();
            log.warn("Login throttled: {} locked for {} after {} failed logins", lock.key(), lock.duration(),
                    lock.failures());
            try {
                audit.record(new AuditEvent.Draft("system", "auth.lock", lock.key(), AuditEvent.Outcome.REFUSED,
                        lock.failures() + " failed " + method + " logins within the window; locked for "
                                + lock.duration().toSeconds() + " s"));
            } catch (RuntimeException e) {
                log.error("Could not audit the login lock of {}", lock.key(), e);
            }
        }
    }

    private void count(String method, String outcome) {
        Counter.builder(LOGINS).description("Login attempts by method and outcome")
                .tag("method", method).tag("outcome", outcome).register(meters).increment();
    }

    private static String method(HttpServletRequest request) {
        return request != null && isLoginForm(request) ? "form" : "basic";
    }

    /** The dashboard's login form, {@code POST /login}. */
    static boolean isLoginForm(HttpServletRequest request) {
        return (request.getContextPath() + "/login").equals(request.getRequestURI());
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a ? a.getRequest() : null;
    }
}
