package io.keysmith.keys;

/**
 * The verifier's answer: valid (with the key, and the rate-limit decision once spent) or refused with one reason.
 * The same answer serves key-authenticated operations, verify and forward-auth.
 */
public sealed interface Verification {
    /** {@code limit}: null until the key's budget was spent for this request. */
    record Valid(KeyPrincipal key, KeyUsage.Limit limit) implements Verification {}

    /**
     * {@code key}: the key refused, when one was found (metering counts a refusal against it, except for
     * {@link Reason#OTHER_ORGANIZATION}); {@code permission}: the missing one; {@code limit}: for RATE_LIMITED.
     */
    record Refused(Reason reason, KeyPrincipal key, String permission, KeyUsage.Limit limit) implements Verification {
        static Refused of(Reason reason) {
            return new Refused(reason, null, null, null);
        }
    }

    enum Reason {
        MALFORMED(401),
        UNKNOWN(401),
        DISABLED(401),
        REVOKED(401),
        EXPIRED(401),
        OWNER_INACTIVE(401),
        SUSPENDED(401),
        IP_NOT_ALLOWED(401),
        OTHER_ORGANIZATION(401),
        NOT_FOR_KEYS(401),
        OUTSIDE_API_TYPE(403),
        PERMISSION_MISSING(403),
        RATE_LIMITED(429),
        KEY_IN_URL(400),
        UNKNOWN_OPERATION(404),
        AMBIGUOUS_URI(400),
        THROTTLED(429),
        /** Governance (issue 20): held for an administrator's approval; authenticates nothing until then. */
        PENDING_APPROVAL(403);

        public final int status;

        Reason(int status) {
            this.status = status;
        }
    }
}
