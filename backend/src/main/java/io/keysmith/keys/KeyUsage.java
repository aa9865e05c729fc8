package io.keysmith.keys;

import java.util.UUID;

/**
 * What verification needs from usage, defined here so that {@code keys} imports nothing of {@code usage}: the
 * rate limiter, the usage meter and the key metrics, supplied by the composition root. {@link KeyVerifier} is the
 * only caller.
 */
public interface KeyUsage {
    enum Outcome {
        ALLOWED,
        DENIED,
        RATE_LIMITED,
        INVALID;

        /** The usage outcome of an answer's status. */
        public static Outcome of(int status) {
            return switch (status) {
                case 401 -> INVALID;
                case 403 -> DENIED;
                case 429 -> RATE_LIMITED;
                default -> ALLOWED;
            };
        }
    }

    /** A rate-limit decision and what the IETF RateLimit headers report; {@code limit} 0: unlimited. */
    record Limit(
            boolean allowed,
            long limit,
            long windowSeconds,
            long remaining,
            long resetSeconds,
            long retryAfterSeconds) {}

    /** Spends one request of the key's budget. */
    Limit acquire(UUID key, long perMinute);

    /** Counts one answered request of a key (in memory, written behind); {@code address} is an IP literal or null. */
    void record(UUID org, UUID key, String operationId, Outcome outcome, String address);

    /** The Prometheus side of one key-authenticated request; {@code org}/{@code key} null when no key is known. */
    void request(UUID org, UUID key, String operationId, Outcome outcome, int status);

    /** The Prometheus side of one verification (verify or forward-auth). */
    void verification(UUID org, String code, long nanos);

    /** A verdict-cache lookup. */
    void cache(boolean hit);
}
