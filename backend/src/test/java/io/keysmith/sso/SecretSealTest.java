package io.keysmith.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.config.ServerSecret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Client secrets at rest are sealed with the server secret and survive its rotation")
class SecretSealTest {
    private static final String V1 = "v1:dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdA==";
    private static final String V2 = "v2:b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci1zZWNyZXQtb3RoZXI=";

    @Test
    void aSealedSecret_opensWithTheSameSecret_andDoesNotContainThePlaintext() {
        SecretSeal seal = new SecretSeal(ServerSecret.parse(V1));
        String sealed = seal.seal("my-client-secret");
        assertThat(sealed).doesNotContain("my-client-secret").startsWith("eyJ");
        assertThat(seal.open(sealed)).isEqualTo("my-client-secret");
        assertThat(seal.seal("my-client-secret")).as("a fresh IV each time").isNotEqualTo(sealed);
    }

    @Test
    void afterRotation_thePreviousVersionStillOpens_aForeignSecretDoesNot() {
        String sealed = new SecretSeal(ServerSecret.parse(V1)).seal("s3cret");
        assertThat(new SecretSeal(ServerSecret.parse(V2 + "," + V1)).open(sealed))
                .isEqualTo("s3cret");
        assertThatThrownBy(() -> new SecretSeal(ServerSecret.parse(V2)).open(sealed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("s3cret");
        String tampered = sealed.substring(0, sealed.length() - 4) + "AAAA";
        assertThatThrownBy(() -> new SecretSeal(ServerSecret.parse(V1)).open(tampered))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void issuers_areHttpsOrLoopbackHttp_withoutQueryOrFragment() {
        assertThat(IssuerUrl.acceptableIssuer("https://idp.example")).isTrue();
        assertThat(IssuerUrl.acceptableIssuer("https://login.example/tenant/v2.0"))
                .isTrue();
        assertThat(IssuerUrl.acceptableIssuer("http://127.0.0.1:8080")).isTrue();
        assertThat(IssuerUrl.acceptableIssuer("http://localhost:8080/realms/x")).isTrue();
        assertThat(IssuerUrl.acceptableIssuer("http://idp.example")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("http://127.0.0.1.evil.example")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("https://idp.example/?a=b")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("https://user@idp.example")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("https://idp.example/#x")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("javascript:alert(1)")).isFalse();
        assertThat(IssuerUrl.acceptableIssuer("ftp://idp.example")).isFalse();
    }
}
