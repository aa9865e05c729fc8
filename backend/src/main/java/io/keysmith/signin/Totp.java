package io.keysmith.signin;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * RFC 6238 time-based one-time passwords as every authenticator app reads them: HMAC-SHA1, 6 digits, 30-second steps,
 * a 160-bit secret shown as Base32 and in an otpauth:// URI (the QR code). The codes come from java-otp; this class
 * only picks the steps: the current one and one either side (clock skew), and says which step a code matched so the
 * caller can refuse a second use.
 */
public final class Totp {
    public static final Duration STEP = Duration.ofSeconds(30);
    public static final int DIGITS = 6;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base32 BASE32 = new Base32();

    private Totp() {}

    public static byte[] newSecret() {
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        return secret;
    }

    public static String base32(byte[] secret) {
        return BASE32.encodeAsString(secret).replace("=", "");
    }

    /** The enrolment URI (the QR code's content): label "Keysmith:<e-mail>", issuer Keysmith. */
    public static String uri(byte[] secret, String account) {
        String label =
                URLEncoder.encode("Keysmith:" + account, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=Keysmith&algorithm=SHA1&digits="
                + DIGITS + "&period=" + STEP.toSeconds();
    }

    public static long step(Instant at) {
        return at.getEpochSecond() / STEP.toSeconds();
    }

    /** The code of a step (tests and the step search). */
    public static String code(byte[] secret, long step) {
        try {
            // a generator per call: it holds a Mac, which is not thread-safe
            TimeBasedOneTimePasswordGenerator generator = new TimeBasedOneTimePasswordGenerator(STEP, DIGITS);
            int value = generator.generateOneTimePassword(
                    new SecretKeySpec(secret, generator.getAlgorithm()),
                    Instant.ofEpochSecond(step * STEP.toSeconds()));
            return String.format(Locale.ROOT, "%0" + DIGITS + "d", value);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The step (now, one before or one after) whose code {@code code} is, or -1. Every candidate is computed and
     * compared in constant time, so timing does not tell which step matched.
     */
    public static long matchingStep(byte[] secret, String code, Instant now) {
        if (code == null || !code.matches("[0-9]{" + DIGITS + "}")) {
            return -1;
        }
        long current = step(now);
        long found = -1;
        for (long s = current - 1; s <= current + 1; s++) {
            if (MessageDigest.isEqual(
                    code(secret, s).getBytes(StandardCharsets.US_ASCII), code.getBytes(StandardCharsets.US_ASCII))) {
                found = s;
            }
        }
        return found;
    }
}
