package io.keysmith.auth;

import io.keysmith.config.ServerSecret;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One Argon2 salt per person (normalized e-mail), shared by all their memberships, so a sign-in computes one hash
 * whatever the number of memberships and compares it with each one's stored string. Each membership keeps its own
 * password (an organization's admin hands out that membership's reset links, so a shared password would let one
 * organization set the password used in another). Its SQL is in {@link SignInRepository}; the table holds no secret and
 * is not organization-owned. V9's trigger keeps every stored hash on its e-mail's salt.
 */
public final class PasswordSalts {
    private final Pool pool;
    private final SignInRepository repository;
    private final ServerSecret secret;

    public PasswordSalts(Pool pool, SignInRepository repository, ServerSecret secret) {
        this.pool = pool;
        this.repository = repository;
        this.secret = secret;
    }

    /** The person's salt, created on first use (a new password for an e-mail nobody has used yet). */
    public Future<String> forNewPassword(String email) {
        return repository
                .insertSalt(pool, email.trim(), PasswordHasher.newSalt())
                // a separate statement: its snapshot sees a salt a concurrent first use committed meanwhile
                .compose(x -> existing(email))
                .map(salt -> {
                    if (salt == null) {
                        throw new IllegalStateException("password salt vanished");
                    }
                    return salt;
                });
    }

    /**
     * The salt to check a sign-in with: the person's, or for an e-mail without one a decoy derived from the server
     * secret, so an unknown e-mail costs the same hash and stores nothing.
     */
    public Future<String> forSignIn(String email) {
        return existing(email).map(salt -> salt != null ? salt : decoy(email));
    }

    private Future<String> existing(String email) {
        return repository.salt(pool, email.trim());
    }

    private String decoy(String email) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.current().key(), "HmacSHA256"));
            byte[] out = mac.doFinal(
                    ("decoy-salt:" + email.trim().toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOf(out, 16));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
