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

    /**
     * A rate-limit decision and what the IETF RateLimit headers report; {@code limit} 0: unlimited. {@code named}:
     * for a key with named limits (ADR 0021), every limit's own decision (the per-minute one first, named "key"),
     * and the fields above are the refusing limit's (refused) or the per-minute's, else the first's (admitted);
     * empty for a key with only the per-minute limit, which answers as before.
     */
    record Limit(
            boolean allowed,
            long limit,
            long windowSeconds,
            long remaining,
            long resetSeconds,
            long retryAfterSeconds,
            java.util.List<Named> named) {
        public Limit(
                boolean allowed,
                long limit,
                long windowSeconds,
                long remaining,
                long resetSeconds,
                long retryAfterSeconds) {
            this(allowed, limit, windowSeconds, remaining, resetSeconds, retryAfterSeconds, java.util.List.of());
        }

        /** The name of the limit that refused (the one with the longest wait), or null. */
        public String refusedBy() {
            Named worst = null;
            for (Named n : named) {
                if (!n.allowed()
                        && n.retryAfterSeconds() > 0
                        && (worst == null || n.retryAfterSeconds() > worst.retryAfterSeconds())) {
                    worst = n;
                }
            }
            return worst == null ? null : worst.name();
        }
    }

    /** One named limit's decision (ADR 0021). */
    record Named(
            String name,
            boolean allowed,
            long limit,
            long windowSeconds,
            long remaining,
            long resetSeconds,
            long retryAfterSeconds) {}

    /** One of a key's named limits as the verifier spends it: {@code id} derived from the key and the name. */
    record RateLimit(String name, UUID id, long limit, long windowSeconds) {}

    /** Spends one request of the key's budget. */
    Limit acquire(UUID key, long perMinute);

    /** Spends one request of every limit of the key, or of none when one refuses (ADR 0021). */
    Limit acquire(UUID key, long perMinute, java.util.List<RateLimit> named);

    /** Counts one answered request of a key (in memory, written behind); {@code address} is an IP literal or null. */
    void record(UUID org, UUID key, String operationId, Outcome outcome, String address);

    /** The Prometheus side of one key-authenticated request; {@code org}/{@code key} null when no key is known. */
    void request(UUID org, UUID key, String operationId, Outcome outcome, int status);

    /** The Prometheus side of one verification (verify or forward-auth). */
    void verification(UUID org, String code, long nanos);

    /** A verdict-cache lookup. */
    void cache(boolean hit);
}
