package io.keysmith.errors;

/**
 * An expected refusal from the rules of the product, thrown by services and repositories, which know nothing of HTTP.
 * {@code http/FailureHandler} alone turns it into problem+json (ADR 0011). {@code code} is the stable problem type
 * clients switch on; the message is the detail, for humans, and never carries a secret; {@code field} names the part
 * of the request the refusal concerns, if any.
 */
public abstract sealed class DomainException extends RuntimeException
        permits NotFound, Forbidden, Conflict, Invalid, Unauthenticated, TooMany, Precondition, Unavailable {
    private final String code;
    private final String field;

    DomainException(String code, String detail, String field) {
        super(detail, null, false, false); // no stack trace: an expected outcome, not a bug
        this.code = code;
        this.field = field;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
