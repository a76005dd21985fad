package org.vfiobroker.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.vfiobroker.problem.ProblemType;
import tools.jackson.databind.json.JsonMapper;

/** Answers an API request the account's role does not allow with a 403 problem. */
class ProblemAccessDeniedHandler implements AccessDeniedHandler {

    private final JsonMapper json;

    ProblemAccessDeniedHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        ProblemDetail problem = ProblemType.FORBIDDEN.problem("This account's role does not allow this operation.");
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
