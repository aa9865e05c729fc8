package io.keysmith.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The public shape of a key: {@code ksk_} + 32 base62 characters from a CSPRNG (190 bits) + 6 base62 characters of
 * CRC32 over everything before them. The checksum lets a mistyped or malformed key be rejected without a database
 * lookup and makes leaked keys easy to scan for; it is not a secret.
 */
public final class KeyFormat {
    public static final String PREFIX = "ksk_";
    /**
     * An OAuth client's secret (issue 16): the same shape under its own prefix, so scanners tell it from a key and
     * the key verifier refuses it as malformed (a client secret buys tokens, it is not a bearer credential itself).
     */
    public static final String CLIENT_SECRET_PREFIX = "kso_";

    public static final int RANDOM_LENGTH = 32;
    public static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;

    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Why a candidate is not a key; {@code OK} when it is well formed. */
    public enum Verdict {
        OK,
        PREFIX,
        LENGTH,
        ALPHABET,
        CHECKSUM
    }

    private KeyFormat() {}

    public static String generate() {
        return generate(PREFIX);
    }

    /** A new secret under {@code prefix} ({@link #PREFIX} or {@link #CLIENT_SECRET_PREFIX}). */
    public static String generate(String prefix) {
        StringBuilder sb = new StringBuilder(LENGTH).append(prefix);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            // nextInt(62) is unbiased (rejection sampling inside SecureRandom)
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.append(checksum(sb)).toString();
    }

    public static Verdict check(CharSequence candidate) {
        return check(candidate, PREFIX);
    }

    /** The verdict on {@code candidate} as a secret under {@code prefix} (both prefixes have the same length). */
    public static Verdict check(CharSequence candidate, String prefix) {
        if (candidate.length() < prefix.length() || !startsWithPrefix(candidate, prefix)) {
            return Verdict.PREFIX;
        }
        if (candidate.length() != LENGTH) {
            return Verdict.LENGTH;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (indexOf(candidate.charAt(i)) < 0) {
                return Verdict.ALPHABET;
            }
        }
        CharSequence body = candidate.subSequence(0, LENGTH - CHECKSUM_LENGTH);
        CharSequence given = candidate.subSequence(LENGTH - CHECKSUM_LENGTH, LENGTH);
        return checksum(body).contentEquals(given) ? Verdict.OK : Verdict.CHECKSUM;
    }

    public static boolean isWellFormed(CharSequence candidate) {
        return check(candidate) == Verdict.OK;
    }

    /** Any secret Keysmith issues: an API key or an OAuth client secret (both rows of api_keys, hashed alike). */
    public static boolean isKeysmithSecret(CharSequence candidate) {
        return isWellFormed(candidate) || check(candidate, CLIENT_SECRET_PREFIX) == Verdict.OK;
    }

    /** The display hint kept beside the hash: the prefix and the first four random characters. */
    public static String hint(String key) {
        return key.substring(0, PREFIX.length() + 4);
    }

    private static boolean startsWithPrefix(CharSequence s, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String checksum(CharSequence body) {
        CRC32 crc = new CRC32();
        crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (value % ALPHABET.length)];
            value /= ALPHABET.length;
        }
        return new String(out);
    }

    private static int indexOf(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return 10 + c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return 36 + c - 'a';
        }
        return -1;
    }
}
