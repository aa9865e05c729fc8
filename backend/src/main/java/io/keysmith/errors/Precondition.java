package io.keysmith.errors;

/**
 * A request refused for what it presumes rather than what it asks: a stale {@code If-Match} (412), a missing one the
 * organization requires (428), or an {@code Idempotency-Key} reused with another request (422).
 */
public final class Precondition extends DomainException {
    private final int status;

    private Precondition(int status, String code, String detail, String field) {
        super(code, detail, field);
        this.status = status;
    }

    public static Precondition failed(String detail, String field) {
        return new Precondition(412, "precondition-failed", detail, field);
    }

    public static Precondition required(String detail, String field) {
        return new Precondition(428, "precondition-required", detail, field);
    }

    public static Precondition idempotencyKeyReused(String detail) {
        return new Precondition(422, "idempotency-key-reused", detail, "Idempotency-Key");
    }

    public int status() {
        return status;
    }
}
