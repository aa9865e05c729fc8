package io.keysmith.support;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A software passkey for tests: a P-256 key pair from JCA, "none" attestation, authenticatorData and clientDataJSON
 * built as a browser and an authenticator would (webauthn4j's data classes only serialise them; the server verifies
 * with webauthn4j). Knobs to misbehave: another origin, another rpId, a chosen counter, no user verification.
 */
public final class SoftAuthenticator {
    private static final byte UP = 0x01;
    private static final byte UV = 0x04;
    private static final byte AT = 0x40;
    private static final ObjectConverter CONVERTER = new ObjectConverter();

    private final KeyPair keys;
    public final byte[] credentialId = new byte[32];
    public byte[] userHandle;
    public long counter;
    public String origin;
    public String rpIdOverride;
    private String rpId = "localhost";
    public boolean userVerified = true;

    public SoftAuthenticator(String origin) {
        this.origin = origin;
        new SecureRandom().nextBytes(credentialId);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static byte[] unb64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    public String id() {
        return b64(credentialId);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] clientData(String type, String challenge) {
        return new JsonObject()
                .put("type", type)
                .put("challenge", challenge)
                .put("origin", origin)
                .put("crossOrigin", false)
                .encode()
                .getBytes(StandardCharsets.UTF_8);
    }

    private byte flags() {
        return (byte) (UP | (userVerified ? UV : 0));
    }

    /** navigator.credentials.create's answer (toJSON) to {@code options.publicKey}. */
    public JsonObject create(JsonObject options) {
        JsonObject pk = options.getJsonObject("publicKey");
        rpId = pk.getJsonObject("rp").getString("id");
        String rpId = rpIdOverride != null ? rpIdOverride : this.rpId;
        userHandle = unb64(pk.getJsonObject("user").getString("id"));
        AttestedCredentialData acd = new AttestedCredentialData(
                AAGUID.ZERO,
                credentialId,
                EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> authData = new AuthenticatorData<>(
                sha256(rpId.getBytes(StandardCharsets.UTF_8)), (byte) (flags() | AT), counter, acd);
        byte[] attestation = new AttestationObjectConverter(CONVERTER)
                .convertToBytes(new AttestationObject(authData, new NoneAttestationStatement()));
        return new JsonObject()
                .put("id", id())
                .put("rawId", id())
                .put("type", "public-key")
                .put("authenticatorAttachment", "platform")
                .put(
                        "response",
                        new JsonObject()
                                .put("clientDataJSON", b64(clientData("webauthn.create", pk.getString("challenge"))))
                                .put("attestationObject", b64(attestation))
                                .put("transports", new JsonArray().add("internal")))
                .put("clientExtensionResults", new JsonObject().put("credProps", new JsonObject().put("rk", true)));
    }

    /** navigator.credentials.get's answer (toJSON) to {@code options.publicKey}, the counter advanced first. */
    public JsonObject get(JsonObject options) {
        counter++;
        return assertion(options.getJsonObject("publicKey").getString("challenge"), counter);
    }

    /** An assertion for a challenge with a given counter (a clone's, say). */
    public JsonObject assertion(String challenge, long count) {
        String rpId = rpIdOverride != null ? rpIdOverride : this.rpId;
        AuthenticatorData<AuthenticationExtensionAuthenticatorOutput> authData =
                new AuthenticatorData<>(sha256(rpId.getBytes(StandardCharsets.UTF_8)), flags(), count);
        byte[] authBytes = new AuthenticatorDataConverter(CONVERTER).convert(authData);
        byte[] clientData = clientData("webauthn.get", challenge);
        byte[] signature;
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(authBytes);
            s.update(sha256(clientData));
            signature = s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        JsonObject response = new JsonObject()
                .put("clientDataJSON", b64(clientData))
                .put("authenticatorData", b64(authBytes))
                .put("signature", b64(signature));
        if (userHandle != null) {
            response.put("userHandle", b64(userHandle));
        }
        return new JsonObject()
                .put("id", id())
                .put("rawId", id())
                .put("type", "public-key")
                .put("authenticatorAttachment", "platform")
                .put("response", response)
                .put("clientExtensionResults", new JsonObject());
    }
}
