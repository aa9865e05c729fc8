package io.keysmith.errors;

/** A value the rules refuse, naming the field (null when no single field is at fault). */
public final class Invalid extends DomainException {
    private Invalid(String code, String field, String detail) {
        super(code, detail, field);
    }

    public Invalid(String field, String detail) {
        this("invalid-request", field, detail);
    }

    /** Against one of the organization's key policies (lifetime, expiry, IP ranges, rate ceiling). */
    public static Invalid policy(String field, String detail) {
        return new Invalid("policy-violation", field, detail);
    }
}
