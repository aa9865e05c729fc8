package io.keysmith.webhooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Standard Webhooks signatures ({@code webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>}), made by
 * the specification's official Java library (com.standardwebhooks:standardwebhooks); WebhookSignerTest checks it
 * against the published vector. During a rotation's overlap every current secret signs, space-separated, as the
 * specification allows. Secrets are {@code whsec_} + base64 of 32 random bytes.
 */
public final class WebhookSigner {
    public static final String PREFIX = "whsec_";
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {}

    public static String newSecret() {
        byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** One {@code v1,...} signature of {@code id.timestamp.body}. */
    public static String sign(String secret, String id, long timestampSeconds, String body) {
        try {
            return new Webhook(secret).sign(id, timestampSeconds, body);
        } catch (WebhookSigningException e) {
            throw new IllegalStateException("Could not sign a webhook", e);
        }
    }

    /** The header value: a signature per secret (the previous one while a rotation overlaps), space-separated. */
    public static String header(List<String> secrets, String id, long timestampSeconds, String body) {
        List<String> out = new ArrayList<>();
        for (String s : secrets) {
            if (s != null) {
                out.add(sign(s, id, timestampSeconds, body));
            }
        }
        return String.join(" ", out);
    }
}
