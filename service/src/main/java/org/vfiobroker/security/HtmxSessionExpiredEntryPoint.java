package org.vfiobroker.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * An htmx request without a valid session is answered with 401 and {@code HX-Redirect} to the login
 * page, so htmx loads the login page as a whole instead of swapping it into part of the page.
 */
class HtmxSessionExpiredEntryPoint implements AuthenticationEntryPoint {

    private final String loginPath;

    HtmxSessionExpiredEntryPoint(String loginPath) {
        this.loginPath = loginPath;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("HX-Redirect", request.getContextPath() + loginPath);
    }
}
