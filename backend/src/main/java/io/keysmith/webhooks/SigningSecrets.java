package io.keysmith.webhooks;

import io.keysmith.config.SecretSeal;
import io.keysmith.config.ServerSecret;
import java.util.UUID;

/**
 * Signing secrets at rest (ADR 0018): HMAC signing needs the secret itself, so it is sealed, not hashed, with the
 * server secret's {@link SecretSeal} for this purpose and bound to the endpoint's organization. A stored value that
 * starts with {@code whsec_} is one an earlier version wrote in plain text: it still signs, and is sealed by the next
 * sweep.
 */
public final class SigningSecrets {
    /** Fixed: changing it makes every sealed signing secret unreadable. */
    static final String PURPOSE = "keysmith webhook signing secret v1";

    private final SecretSeal seal;

    public SigningSecrets(ServerSecret secret) {
        this.seal = new SecretSeal(secret, PURPOSE);
    }

    /** What to store; null stays null (no previous secret). */
    String seal(UUID organization, String secret) {
        return secret == null ? null : seal.seal(secret, organization);
    }

    /** The secret to sign with; fails (without detail of the value) when it was sealed for another organization. */
    String open(UUID organization, String stored) {
        if (stored == null || plaintext(stored)) {
            return stored;
        }
        return seal.open(stored, organization);
    }

    static boolean plaintext(String stored) {
        return stored != null && stored.startsWith(WebhookSigner.PREFIX);
    }
}
