package org.vfiobroker.problem;

/** A request member breaks a rule; reported as a 400 {@code invalid-request} problem naming the member. */
public class InvalidInputException extends ProblemException {

    private final String field;

    public InvalidInputException(String field, String detail) {
        super(ProblemType.INVALID_REQUEST, detail);
        this.field = field;
        with("field", field);
    }

    public String field() {
        return field;
    }
}
