package io.keysmith.errors;

/**
 * Something the request depends on outside Keysmith (an organization's identity provider) did not answer usably; the
 * same request may succeed after {@code retryAfterSeconds}. 503, never a 500: it is not our bug.
 */
public final class Unavailable extends DomainException {
    private final int retryAfterSeconds;

    public Unavailable(String code, String detail, int retryAfterSeconds) {
        super(code, detail, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
