package io.keysmith.signin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TOTP codes are RFC 6238's, with one step of skew either side and nothing else")
class TotpTest {
    /** RFC 6238 appendix B's SHA-1 secret. */
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    @DisplayName("the codes of RFC 6238's test vectors (SHA-1, last six of the eight digits)")
    void codes_matchTheRfcTestVectors() {
        assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(59)))).isEqualTo("287082");
        assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(1111111109L))))
                .isEqualTo("081804");
        assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(1111111111L))))
                .isEqualTo("050471");
        assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(1234567890L))))
                .isEqualTo("005924");
        assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(2000000000L))))
                .isEqualTo("279037");
    }

    @Test
    @DisplayName("a code matches its own step and one either side, never two away, never a malformed one")
    void matchingStep_allowsOneStepOfSkew() {
        Instant now = Instant.ofEpochSecond(1234567890L);
        long step = Totp.step(now);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step), now))
                .isEqualTo(step);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 1), now))
                .isEqualTo(step - 1);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 1), now))
                .isEqualTo(step + 1);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 2), now))
                .isEqualTo(-1);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 2), now))
                .isEqualTo(-1);
        assertThat(Totp.matchingStep(RFC_SECRET, null, now)).isEqualTo(-1);
        assertThat(Totp.matchingStep(RFC_SECRET, "12345", now)).isEqualTo(-1);
        assertThat(Totp.matchingStep(RFC_SECRET, "１２３４５６", now)).isEqualTo(-1);
    }

    @Test
    @DisplayName("the enrolment URI carries the Base32 secret, the issuer and the parameters apps read")
    void uri_isWhatAuthenticatorAppsRead() {
        String uri = Totp.uri(RFC_SECRET, "ada+x@example.com");
        assertThat(uri)
                .isEqualTo("otpauth://totp/Keysmith%3Aada%2Bx%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                        + "&issuer=Keysmith&algorithm=SHA1&digits=6&period=30");
    }
}
