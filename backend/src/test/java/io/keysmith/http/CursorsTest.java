package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Page cursors: sealed with an HMAC, bound to their binding, any change refused")
class CursorsTest {
    private static final byte[] A = "a-secret-of-thirty-two-bytes-at-least!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] B = "another-secret-of-thirty-two-bytes-long".getBytes(StandardCharsets.UTF_8);

    @Test
    void opensWhatItSealed_onlyWithTheSameBinding() {
        Cursors c = new Cursors(List.of(A));
        String cursor = c.seal("listPeople|org|user|NAME", "0b6c4c1e-0000-4000-8000-000000000001");
        assertThat(cursor).matches("[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(200);
        assertThat(c.open("listPeople|org|user|NAME", cursor)).contains("0b6c4c1e-0000-4000-8000-000000000001");
        assertThat(c.open("listPeople|org|user|ID", cursor)).isEmpty();
        assertThat(c.open("listPeople|org2|user|NAME", cursor)).isEmpty();
        assertThat(new Cursors(List.of(B)).open("listPeople|org|user|NAME", cursor))
                .isEmpty();
    }

    @Test
    void refusesEveryOneBitChange_andForgedOrGarbageCursors() {
        Cursors c = new Cursors(List.of(A));
        String cursor = c.seal("b", "position");
        byte[] raw = Base64.getUrlDecoder().decode(cursor);
        for (int i = 0; i < raw.length * 8; i++) {
            byte[] flipped = raw.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(c.open("b", Base64.getUrlEncoder().withoutPadding().encodeToString(flipped)))
                    .as("bit %d", i)
                    .isEmpty();
        }
        assertThat(c.open("b", Base64.getUrlEncoder().encodeToString("position".getBytes(StandardCharsets.UTF_8))))
                .isEmpty();
        assertThat(c.open("b", "!!not base64!!")).isEmpty();
        assertThat(c.open("b", "")).isEmpty();
    }

    @Test
    void aRotatedSecret_stillOpensCursorsOfTheOldOne() {
        String old = new Cursors(List.of(A)).seal("b", "p");
        assertThat(new Cursors(List.of(B, A)).open("b", old)).contains("p");
    }
}
