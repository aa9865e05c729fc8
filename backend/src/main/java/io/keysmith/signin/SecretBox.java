package io.keysmith.signin;

import io.keysmith.config.ServerSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP secrets at rest: AES-256-GCM (the JDK's) under a key derived from the server secret (HMAC-SHA-256 with a fixed
 * label), bound to its organization and user as associated data, so a copied ciphertext opens nowhere else. The
 * server secret's version is stored beside it, so the secret can rotate.
 */
final class SecretBox {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] LABEL = "keysmith:totp-secret:v1".getBytes(StandardCharsets.UTF_8);

    record Sealed(byte[] bytes, int version) {}

    private final ServerSecret secret;

    SecretBox(ServerSecret secret) {
        this.secret = secret;
    }

    Sealed seal(byte[] plain, UUID organizationId, UUID userId) {
        ServerSecret.Version v = secret.current();
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, v, iv, organizationId, userId);
            byte[] out = cipher.doFinal(plain);
            return new Sealed(
                    ByteBuffer.allocate(12 + out.length).put(iv).put(out).array(), v.id());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] open(byte[] sealed, int version, UUID organizationId, UUID userId) {
        ServerSecret.Version v = secret.version(version)
                .orElseThrow(() -> new IllegalStateException("TOTP secret sealed with an unknown server secret"));
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, v, Arrays.copyOfRange(sealed, 0, 12), organizationId, userId);
            return cipher.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TOTP secret does not open", e);
        }
    }

    private static Cipher cipher(int mode, ServerSecret.Version v, byte[] iv, UUID organizationId, UUID userId)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(v.key(), "HmacSHA256"));
        byte[] key = mac.doFinal(LABEL);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD((organizationId + "/" + userId).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
