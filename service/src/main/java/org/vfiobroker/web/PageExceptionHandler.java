package org.vfiobroker.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.vfiobroker.host.HelperUnavailableException;
import org.vfiobroker.host.HostException;
import org.vfiobroker.host.HostRefusedException;
import org.vfiobroker.inventory.DeviceNotFoundException;
import org.vfiobroker.inventory.InvalidPciAddressException;
import org.vfiobroker.inventory.IommuGroupNotFoundException;
import org.vfiobroker.problem.ApiExceptionHandler;
import org.vfiobroker.problem.ProblemException;

/**
 * Errors of the dashboard's pages as a page in the layout, with the status a browser and a test can see:
 * 404 for an unknown device or group, 400 for a malformed address, 403 when the role does not allow it,
 * 409/502/503 for the host's refusals and the helper's failures, 409 for a record changed by another request
 * meanwhile, 503 for a lock waited on too long, and the status of any other problem the services raise.
 */
@ControllerAdvice(annotations = DashboardPage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PageExceptionHandler {

    @ExceptionHandler({DeviceNotFoundException.class, IommuGroupNotFoundException.class})
    String notFound(RuntimeException e, HttpServletResponse response, Model model) {
        return page(HttpStatus.NOT_FOUND, e.getMessage(), response, model);
    }

    @ExceptionHandler(InvalidPciAddressException.class)
    String badAddress(InvalidPciAddressException e, HttpServletResponse response, Model model) {
        return page(HttpStatus.BAD_REQUEST, e.getMessage(), response, model);
    }

    @ExceptionHandler({AccessDeniedException.class, AuthorizationDeniedException.class})
    String forbidden(RuntimeException e, HttpServletResponse response, Model model) {
        return page(HttpStatus.FORBIDDEN, null, response, model);
    }

    @ExceptionHandler(ProblemException.class)
    String problem(ProblemException e, HttpServletResponse response, Model model) {
        ProblemDetail p = e.toProblem();
        HttpStatus status = HttpStatus.resolve(p.getStatus());
        return page(status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status, p.getDetail(), response, model);
    }

    /** The host refused (409), the helper failed (502) or cannot be run (503). */
    @ExceptionHandler(HostException.class)
    String host(HostException e, HttpServletResponse response, Model model) {
        HttpStatus status = e instanceof HostRefusedException ? HttpStatus.CONFLICT
                : e instanceof HelperUnavailableException ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
        return page(status, e.getMessage() + (e.reasons().isEmpty() ? "" : " (" + String.join("; ", e.reasons()) + ")"),
                response, model);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    String changedMeanwhile(OptimisticLockingFailureException e, HttpServletResponse response, Model model) {
        return page(HttpStatus.CONFLICT, ApiExceptionHandler.CHANGED_MEANWHILE_DETAIL, response, model);
    }

    @ExceptionHandler(PessimisticLockingFailureException.class)
    String busy(PessimisticLockingFailureException e, HttpServletResponse response, Model model) {
        return page(HttpStatus.SERVICE_UNAVAILABLE, ApiExceptionHandler.BUSY_DETAIL, response, model);
    }

    private static String page(HttpStatus status, String detail, HttpServletResponse response, Model model) {
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("detail", detail);
        return "problem";
    }
}
