package io.keysmith.keys;

/**
 * The verifier's answer: valid (with the key, and the rate-limit decision once spent) or refused with one reason.
 * The same answer serves key-authenticated operations, verify and forward-auth.
 */
public sealed interface Verification {
    /** {@code limit}: null until the key's budget was spent for this request; {@code quota}: likewise its quota's. */
    record Valid(KeyPrincipal key, KeyUsage.Limit limit, Quotas.State quota) implements Verification {
        Valid(KeyPrincipal key, KeyUsage.Limit limit) {
            this(key, limit, null);
        }
    }

    /**
     * {@code key}: the key refused, when one was found (metering counts a refusal against it, except for
     * {@link Reason#OTHER_ORGANIZATION}); {@code permission}: the missing one; {@code limit}: for RATE_LIMITED;
     * {@code quota}: the usage quota's state, for a key with one once it was spent (USAGE_EXCEEDED among them).
     */
    record Refused(Reason reason, KeyPrincipal key, String permission, KeyUsage.Limit limit, Quotas.State quota)
            implements Verification {
        Refused(Reason reason, KeyPrincipal key, String permission, KeyUsage.Limit limit) {
            this(reason, key, permission, limit, null);
        }

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
        PENDING_APPROVAL(403),
        /** Issue 20 item 2: the key's usage quota cannot pay for this request until it refills. */
        USAGE_EXCEEDED(429);

        public final int status;

        Reason(int status) {
            this.status = status;
        }
    }
}
