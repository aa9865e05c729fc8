package io.keysmith.config;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets Keysmith must be able to read back (an IdP's client secret, a webhook signing secret) are stored as a
 * compact JWE (dir + A256GCM, Nimbus JOSE) under a key derived from the server secret for one purpose alone: a value
 * sealed for one purpose never opens for another. The JWE's kid names the server secret's version, so a rotated
 * secret still opens what the previous one sealed. A value sealed for an organization carries its id in the
 * protected header (the AEAD's additional data, marked critical): it opens only for that organization, so a sealed
 * value copied to another organization's row is refused (ADR 0018).
 */
public final class SecretSeal {
    /** The protected-header parameter naming the organization a value is bound to. */
    static final String ORGANIZATION = "ks_org";

    private final ServerSecret secret;
    private final byte[] purpose;

    /** {@code purpose}: a fixed string per kind of secret; changing it makes everything sealed before unreadable. */
    public SecretSeal(ServerSecret secret, String purpose) {
        this.secret = Objects.requireNonNull(secret);
        if (purpose == null || purpose.isBlank()) {
            throw new IllegalArgumentException("A seal needs a purpose");
        }
        this.purpose = purpose.getBytes(StandardCharsets.UTF_8);
    }

    /** Sealed for no organization in particular (opened by {@link #open(String)} only). */
    public String seal(String plaintext) {
        return seal(plaintext, null);
    }

    /** Sealed for {@code organization}: opened by {@link #open(String, UUID)} with the same organization only. */
    public String seal(String plaintext, UUID organization) {
        ServerSecret.Version v = secret.current();
        JWEHeader.Builder header =
                new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM).keyID("v" + v.id());
        if (organization != null) {
            header.customParam(ORGANIZATION, organization.toString()).criticalParams(Set.of(ORGANIZATION));
        }
        try {
            JWEObject jwe = new JWEObject(header.build(), new Payload(plaintext));
            jwe.encrypt(new DirectEncrypter(key(v)));
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot seal a secret", e);
        }
    }

    /** The plaintext of a value sealed for no organization; fails (no detail about the value) otherwise. */
    public String open(String sealed) {
        return open(sealed, null);
    }

    /**
     * The plaintext of a value sealed for {@code organization} (null: for none); fails, with no detail about the
     * value, if no configured version of the server secret opens it or it was sealed for another organization.
     */
    public String open(String sealed, UUID organization) {
        try {
            JWEObject jwe = JWEObject.parse(sealed);
            String kid = jwe.getHeader().getKeyID();
            int id = kid != null && kid.startsWith("v") ? Integer.parseInt(kid.substring(1)) : -1;
            ServerSecret.Version v = secret.version(id)
                    .orElseThrow(() -> new IllegalStateException(
                            "A sealed secret names server secret version " + kid + ", which is not configured"));
            // the organization parameter is checked here; a value bound to one fails an unbound open (crit)
            Set<String> understood = organization == null ? Set.of() : Set.of(ORGANIZATION);
            jwe.decrypt(new DirectDecrypter(new SecretKeySpec(key(v), "AES"), understood));
            Object bound = jwe.getHeader().getCustomParam(ORGANIZATION);
            if (organization != null && !organization.toString().equals(bound)) {
                throw new IllegalStateException("A sealed secret was not sealed for this organization");
            }
            return jwe.getPayload().toString();
        } catch (ParseException | JOSEException | NumberFormatException e) {
            throw new IllegalStateException("A sealed secret could not be opened with the server secret");
        }
    }

    private byte[] key(ServerSecret.Version v) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(v.key(), "HmacSHA256"));
            return mac.doFinal(purpose); // 32 bytes: an A256GCM key
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
