package org.vfiobroker.security;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.csrf.CsrfException;

/**
 * A mutating request whose CSRF token no longer matches because the session is gone (expired, or the
 * server restarted) is a lapsed login, not a forgery to report as 403: an htmx request gets 401 and
 * {@code HX-Redirect} to the login page (so htmx reloads the whole page instead of swapping an error into
 * it), a plain form is redirected there. A bad token within a live session stays a 403.
 */
class ExpiredSessionAccessDeniedHandler implements AccessDeniedHandler {

    private final String loginPath;
    private final AccessDeniedHandler otherwise = new AccessDeniedHandlerImpl();

    ExpiredSessionAccessDeniedHandler(String loginPath) {
        this.loginPath = loginPath;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException, ServletException {
        if (e instanceof CsrfException && !loggedIn()) {
            String target = request.getContextPath() + loginPath;
            if ("true".equals(request.getHeader("HX-Request"))) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setHeader("HX-Redirect", target);
            } else {
                response.sendRedirect(target);
            }
            return;
        }
        otherwise.handle(request, response, e);
    }

    private static boolean loggedIn() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.isAuthenticated() && !(a instanceof AnonymousAuthenticationToken);
    }
}
