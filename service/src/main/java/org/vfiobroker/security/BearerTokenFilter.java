package org.vfiobroker.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.WebAuthenticationDetailsSource;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates an API request carrying {@code Authorization: Bearer vb_<prefix>_<secret>}: from the cache of
 * recent authentications when it has the token, without a transaction; otherwise from the database.
 */
class BearerTokenFilter extends OncePerRequestFilter {

    private final ApiTokenService tokens;
    private final TokenAuthenticationCache cache;
    private final LoginEvents events;
    private final AuthenticationEntryPoint entryPoint;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
    private final WebAuthenticationDetailsSource details = new WebAuthenticationDetailsSource();

    BearerTokenFilter(ApiTokenService tokens, TokenAuthenticationCache cache, LoginEvents events,
                      AuthenticationEntryPoint entryPoint) {
        this.tokens = tokens;
        this.cache = cache;
        this.events = events;
        this.entryPoint = entryPoint;
    }

    /** The database path; tells the cache how it ended (see {@link TokenAuthenticationCache#settled}). */
    private TokenAuthentication fromDatabase(String bearer) {
        boolean refused = true;
        try {
            TokenAuthentication authentication = tokens.authenticate(bearer);
            refused = false;
            return authentication;
        } catch (ApiTokenService.TokenRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            refused = false; // the database failed, the token was not refused: keep what the cache knows
            throw e;
        } finally {
            cache.settled(bearer, refused);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        try {
            String bearer = header.substring(7).trim();
            TokenAuthentication authentication = cache.lookup(bearer).orElseGet(() -> fromDatabase(bearer));
            authentication.setDetails(details.buildDetails(request));
            SecurityContext context = contexts.createEmptyContext();
            context.setAuthentication(authentication);
            contexts.setContext(context);
            events.bearerSucceeded();
        } catch (ApiTokenService.TokenRejectedException e) {
            contexts.clearContext();
            events.bearerFailed(request.getRemoteAddr());
            entryPoint.commence(request, response, e);
            return;
        }
        chain.doFilter(request, response);
    }
}
