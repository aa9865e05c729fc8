package io.keysmith.sso;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import io.keysmith.config.ServerSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets Keysmith must be able to read back (an IdP's client secret) are stored as a compact JWE (dir + A256GCM,
 * Nimbus JOSE) under a key derived from the server secret for this purpose alone. The JWE's kid names the server
 * secret's version, so a rotated secret still opens what the previous one sealed (re-sealed on the next save).
 */
public final class SecretSeal {
    private static final String PURPOSE = "keysmith sso client secret v1";

    private final ServerSecret secret;

    public SecretSeal(ServerSecret secret) {
        this.secret = secret;
    }

    public String seal(String plaintext) {
        ServerSecret.Version v = secret.current();
        try {
            JWEObject jwe = new JWEObject(
                    new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                            .keyID("v" + v.id())
                            .build(),
                    new Payload(plaintext));
            jwe.encrypt(new DirectEncrypter(key(v)));
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot seal a secret", e);
        }
    }

    /** The plaintext; fails (no detail about the value) if no version of the server secret opens it. */
    public String open(String sealed) {
        try {
            JWEObject jwe = JWEObject.parse(sealed);
            String kid = jwe.getHeader().getKeyID();
            int id = kid != null && kid.startsWith("v") ? Integer.parseInt(kid.substring(1)) : -1;
            ServerSecret.Version v = secret.version(id)
                    .orElseThrow(() -> new IllegalStateException(
                            "A sealed secret names server secret version " + kid + ", which is not configured"));
            jwe.decrypt(new DirectDecrypter(key(v)));
            return jwe.getPayload().toString();
        } catch (ParseException | JOSEException | NumberFormatException e) {
            throw new IllegalStateException("A sealed secret could not be opened with the server secret");
        }
    }

    private static byte[] key(ServerSecret.Version v) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(v.key(), "HmacSHA256"));
            return mac.doFinal(PURPOSE.getBytes(StandardCharsets.UTF_8)); // 32 bytes: an A256GCM key
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
