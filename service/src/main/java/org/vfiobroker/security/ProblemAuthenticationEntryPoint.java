package org.vfiobroker.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.vfiobroker.problem.ProblemType;
import tools.jackson.databind.json.JsonMapper;

/** Answers an unauthenticated API request with a 401 problem and Basic and Bearer challenges. */
class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private final JsonMapper json;

    ProblemAuthenticationEntryPoint(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean badToken = e instanceof ApiTokenService.TokenRejectedException;
        ProblemDetail problem = ProblemType.UNAUTHENTICATED.problem(badToken ? e.getMessage()
                : "Send the credentials of a service account with HTTP Basic, or an API token as"
                + " 'Authorization: Bearer vb_...'.");
        response.setStatus(problem.getStatus());
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"vfio-broker\"");
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, badToken
                ? "Bearer realm=\"vfio-broker\", error=\"invalid_token\"" : "Bearer realm=\"vfio-broker\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
