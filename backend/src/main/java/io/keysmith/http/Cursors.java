package io.keysmith.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Page cursors a caller cannot forge: base64url of the position followed by an HMAC-SHA256 tag (the JDK's Mac, keyed
 * from the server secret) over the position and its binding (organization, caller, operation and sort). A cursor
 * handed to another caller, another organization or another sort, or changed in one bit, is refused, so a cursor can
 * only name a row the caller was shown (issue 13 item 7: a forged cursor was an ordering oracle on hidden records).
 * Every version of the server secret is accepted, so rotating it does not break paging in progress.
 */
public final class Cursors {
    private static final int TAG_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final List<SecretKeySpec> keys;
    /** Mac instances are not thread-safe and cost a little to make: one per thread and key. */
    private final ThreadLocal<Mac[]> macs;

    /** {@code secrets}: the server secret's versions, current first. */
    public Cursors(List<byte[]> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("a secret is required");
        }
        List<SecretKeySpec> derived = new ArrayList<>();
        for (byte[] secret : secrets) {
            // a key of its own, so a cursor tag is never a valid tag of anything else keyed with the secret
            derived.add(new SecretKeySpec(
                    hmac(
                            new SecretKeySpec(secret, ALGORITHM),
                            "keysmith page cursor v1".getBytes(StandardCharsets.UTF_8)),
                    ALGORITHM));
        }
        this.keys = List.copyOf(derived);
        this.macs = ThreadLocal.withInitial(() -> new Mac[keys.size()]);
    }

    /** The cursor for {@code position} (what the query resumes after), bound to {@code binding}. */
    public String seal(String binding, String position) {
        byte[] value = position.getBytes(StandardCharsets.UTF_8);
        byte[] tag = tag(0, binding, value);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(ByteBuffer.allocate(value.length + TAG_BYTES)
                        .put(value)
                        .put(tag)
                        .array());
    }

    /** The position of a cursor this server sealed with the same binding; empty for anything else. */
    public Optional<String> open(String binding, String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length <= TAG_BYTES) {
            return Optional.empty();
        }
        byte[] value = Arrays.copyOfRange(raw, 0, raw.length - TAG_BYTES);
        byte[] given = Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
        for (int k = 0; k < keys.size(); k++) {
            if (MessageDigest.isEqual(given, tag(k, binding, value))) {
                return Optional.of(new String(value, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private byte[] tag(int keyIndex, String binding, byte[] value) {
        Mac mac = mac(keyIndex);
        byte[] b = binding.getBytes(StandardCharsets.UTF_8);
        // length-prefixed, so no binding/position split can collide with another
        mac.update(ByteBuffer.allocate(4).putInt(b.length).array());
        mac.update(b);
        mac.update(value);
        return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
    }

    private Mac mac(int keyIndex) {
        Mac[] mine = macs.get();
        if (mine[keyIndex] == null) {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(keys.get(keyIndex));
                mine[keyIndex] = mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return mine[keyIndex];
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
