package io.keysmith.keys;

import io.keysmith.config.ServerSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA-256 of a key with a version of the server secret (ADR 0002); one Mac per thread, reused. */
public final class KeyHasher {
    private final ServerSecret secret;
    private final ThreadLocal<java.util.Map<Integer, Mac>> macs = ThreadLocal.withInitial(java.util.HashMap::new);

    public KeyHasher(ServerSecret secret) {
        this.secret = secret;
    }

    public ServerSecret secret() {
        return secret;
    }

    public byte[] hash(String key, ServerSecret.Version version) {
        Mac mac = macs.get().computeIfAbsent(version.id(), id -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(version.key(), "HmacSHA256"));
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        return mac.doFinal(key.getBytes(StandardCharsets.US_ASCII));
    }
}
