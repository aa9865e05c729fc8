package io.keysmith.errors;

/** Throttled: the same request may succeed after {@code retryAfterSeconds}. */
public final class TooMany extends DomainException {
    private final int retryAfterSeconds;

    public TooMany(String detail, int retryAfterSeconds) {
        super("too-many-requests", detail, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
