package io.keysmith.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.config.SecretSeal;
import io.keysmith.config.ServerSecret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Issuers are HTTPS (or loopback HTTP); client secrets sealed before the seal was shared still open")
class IssuerUrlTest {
    private static final String V1 = "v1:dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdA==";

    /** Sealed by io.keysmith.sso.SecretSeal before it moved to config (ADR 0018): stored rows look like this. */
    private static final String SEALED_BEFORE = "eyJraWQiOiJ2MSIsImVuYyI6IkEyNTZHQ00iLCJhbGciOiJkaXIifQ"
            + "..8dGdiynGKO6jQMzx.XXQbNnWr2xXNWw3vT9HgO8lwYUjhwQ.chnWMMy8MN2KJAT1AdxnWg";

    @Test
    void aClientSecretSealedByTheEarlierSsoSeal_stillOpens() {
        SecretSeal seal = new SecretSeal(ServerSecret.parse(V1), SsoFeature.SEAL_PURPOSE);
        assertThat(seal.open(SEALED_BEFORE)).isEqualTo("sealed-before-the-move");
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
