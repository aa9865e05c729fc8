package io.keysmith.errors;

/** The request is well-formed but clashes with the current state (a taken name, a level still in use, ...). */
public final class Conflict extends DomainException {
    public Conflict(String code, String detail) {
        this(code, detail, null);
    }

    public Conflict(String code, String detail, String field) {
        super(code, detail, field);
    }
}
