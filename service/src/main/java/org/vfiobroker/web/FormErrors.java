package org.vfiobroker.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;

/**
 * A service's refusal placed next to the form field it names: the problem's {@code field} member
 * ({@code selector.vendorDevices[1]} counts as {@code selector.vendorDevices}) through the page's aliases, or
 * {@code form} for a message about the whole form.
 */
public final class FormErrors {

    public static final String FORM = "form";

    private FormErrors() {
    }

    /** @param aliases service field name to form field name, e.g. {@code maxMemlockBytes -> maxMemlockMib} */
    public static Map<String, String> of(ProblemException e, Map<String, String> aliases) {
        Object named = e instanceof InvalidInputException i ? i.field() : e.properties().get("field");
        String field = FORM;
        if (named instanceof String s && !s.isBlank()) {
            int bracket = s.indexOf('[');
            String base = bracket >= 0 ? s.substring(0, bracket) : s;
            field = aliases.getOrDefault(base, aliases.containsValue(base) ? base : FORM);
        }
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put(field, e.getMessage());
        return errors;
    }
}
