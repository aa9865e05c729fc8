package io.keysmith.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhook signatures follow Standard Webhooks")
class WebhookSignerTest {
    // the specification's published vector (standard-webhooks/standard-webhooks, libraries' sign tests)
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330L;
    private static final String SPEC_BODY = "{\"test\": 2432232314}";
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void theSpecificationsTestVector_signsToItsPublishedSignature() {
        assertThat(WebhookSigner.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void aSecretWithoutItsPrefix_signsTheSame() {
        assertThat(WebhookSigner.sign(SPEC_SECRET.substring(6), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void aChangedBodyIdOrTimestamp_changesTheSignature() {
        assertThat(WebhookSigner.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY + " "))
                .isNotEqualTo(SPEC_SIGNATURE);
        assertThat(WebhookSigner.sign(SPEC_SECRET, SPEC_ID + "x", SPEC_TIMESTAMP, SPEC_BODY))
                .isNotEqualTo(SPEC_SIGNATURE);
        assertThat(WebhookSigner.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY))
                .isNotEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void newSecrets_areWhsecBase64Of32RandomBytes_andDiffer() {
        String a = WebhookSigner.newSecret();
        String b = WebhookSigner.newSecret();
        assertThat(a).startsWith("whsec_").isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
    }

    @Test
    void duringARotation_bothSecretsSign_spaceSeparated_andEachVerifiesAlone() throws Exception {
        String old = WebhookSigner.newSecret();
        String current = WebhookSigner.newSecret();
        String header = WebhookSigner.header(Arrays.asList(current, old), "evt_1", 1700000000L, "{}");
        List<String> parts = List.of(header.split(" "));
        assertThat(parts).hasSize(2);
        assertThat(parts).contains(receiverSignature(old, "evt_1", 1700000000L, "{}"));
        assertThat(parts).contains(receiverSignature(current, "evt_1", 1700000000L, "{}"));
        assertThat(WebhookSigner.header(Arrays.asList(current, null), "evt_1", 1700000000L, "{}"))
                .doesNotContain(" ");
    }

    /** What a receiver computes, written from the specification's text (not through the class under test). */
    static String receiverSignature(String secret, String id, long timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        return "v1,"
                + Base64.getEncoder()
                        .encodeToString(
                                mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }
}
