package org.vfiobroker.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses a login attempt before its password is checked while its account name or client address is
 * locked by the {@link LoginThrottle}: the API answers 429 with {@code Retry-After}, the login form
 * redirects to {@code /login?throttled=<seconds>}.
 */
class LoginThrottleFilter extends OncePerRequestFilter {

    private final LoginThrottle throttle;
    private final LoginEvents events;
    private final JsonMapper json;
    private final boolean api;

    private LoginThrottleFilter(LoginThrottle throttle, LoginEvents events, JsonMapper json, boolean api) {
        this.throttle = throttle;
        this.events = events;
        this.json = json;
        this.api = api;
    }

    static LoginThrottleFilter forApi(LoginThrottle throttle, LoginEvents events, JsonMapper json) {
        return new LoginThrottleFilter(throttle, events, json, true);
    }

    static LoginThrottleFilter forLoginForm(LoginThrottle throttle, LoginEvents events) {
        return new LoginThrottleFilter(throttle, events, null, false);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String address = request.getRemoteAddr();
        if (api) {
            String header = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (header != null) {
                String method = header.regionMatches(true, 0, "Bearer ", 0, 7) ? "bearer" : "basic";
                Optional<Duration> wait = throttle.blocked(basicUsername(header), address);
                if (wait.isPresent()) {
                    events.throttled(method);
                    long seconds = ProblemException.retryAfterSeconds(wait.get());
                    ProblemDetail problem = ProblemType.LOGIN_THROTTLED.problem("Too many failed logins for this"
                            + " account name or from this address; try again in " + seconds + " seconds.");
                    problem.setProperty(ProblemException.RETRY_AFTER_SECONDS, seconds);
                    response.setStatus(problem.getStatus());
                    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                    json.writeValue(response.getOutputStream(), problem);
                    return;
                }
            }
        } else if ("POST".equals(request.getMethod()) && LoginEvents.isLoginForm(request)) {
            Optional<Duration> wait = throttle.blocked(request.getParameter("username"), address);
            if (wait.isPresent()) {
                events.throttled("form");
                response.sendRedirect(request.getContextPath() + "/login?throttled="
                        + ProblemException.retryAfterSeconds(wait.get()));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The user name of an HTTP Basic header, or {@code null}. */
    static String basicUsername(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
