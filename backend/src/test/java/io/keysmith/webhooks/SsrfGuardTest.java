package io.keysmith.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.errors.Invalid;
import java.net.InetAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The SSRF guard lets webhooks reach public https endpoints only")
class SsrfGuardTest {
    private final SsrfGuard strict = new SsrfGuard(false, false);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/hook",
                "https://127.1.2.3/hook",
                "https://10.1.2.3/hook",
                "https://172.16.0.1/hook",
                "https://192.168.1.1/hook",
                "https://169.254.169.254/latest/meta-data/",
                "https://100.64.0.1/hook",
                "https://0.0.0.0/hook",
                "https://[::1]/hook",
                "https://[::ffff:127.0.0.1]/hook",
                "https://[::ffff:169.254.169.254]/hook",
                "https://[fd00:ec2::254]/hook",
                "https://[fe80::1]/hook",
                "https://localhost/hook",
                "https://api.localhost/hook",
                "https://224.0.0.1/hook"
            })
    void privateLoopbackLinkLocalAndMetadataAddresses_areRefused(String url) {
        assertThatThrownBy(() -> strict.parse(url))
                .isInstanceOf(Invalid.class)
                .hasMessageContaining("private, loopback or link-local");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://hooks.example.com/x",
                "ftp://hooks.example.com/x",
                "https://user:pass@hooks.example.com/x",
                "https://hooks.example.com/x#frag",
                "https:///nohost",
                "not a url"
            })
    void plainHttpOtherSchemesUserInfoAndMalformedUrls_areRefused(String url) {
        assertThatThrownBy(() -> strict.parse(url)).isInstanceOf(Invalid.class);
    }

    @Test
    void aPublicHttpsUrl_isParsedIntoHostPortAndPath() {
        SsrfGuard.Target t = strict.parse("https://Hooks.Example.com:8443/in/keysmith?team=7");
        assertThat(t.host()).isEqualTo("hooks.example.com");
        assertThat(t.port()).isEqualTo(8443);
        assertThat(t.tls()).isTrue();
        assertThat(t.pathAndQuery()).isEqualTo("/in/keysmith?team=7");
        assertThat(strict.parse("https://93.184.215.14").pathAndQuery()).isEqualTo("/");
    }

    @Test
    void theOperatorsPermission_opensHttpAndPrivateAddresses() throws Exception {
        SsrfGuard open = new SsrfGuard(true, true);
        assertThat(open.parse("http://127.0.0.1:8080/hook").port()).isEqualTo(8080);
        assertThat(open.resolve("127.0.0.1").isLoopbackAddress()).isTrue();
    }

    @Test
    void resolution_refusesANameThatAnswersWithALoopbackAddress() {
        // checked on the resolved addresses, not the name: "localhost" resolves to loopback here
        assertThatThrownBy(() -> strict.resolve("localhost"))
                .isInstanceOf(SsrfGuard.Refused.class)
                .satisfies(
                        e -> assertThat(((SsrfGuard.Refused) e).unresolvable()).isFalse());
        assertThatThrownBy(() -> strict.resolve("no-such-host.invalid"))
                .isInstanceOf(SsrfGuard.Refused.class)
                .satisfies(
                        e -> assertThat(((SsrfGuard.Refused) e).unresolvable()).isTrue());
    }

    @Test
    void publicAddresses_areNotForbidden() throws Exception {
        assertThat(SsrfGuard.forbidden(InetAddress.getByName("93.184.215.14"))).isFalse();
        assertThat(SsrfGuard.forbidden(InetAddress.getByName("2606:2800:21f:cb07:6820:80da:af6b:8b2c")))
                .isFalse();
        assertThat(SsrfGuard.forbidden(InetAddress.getByName("8.8.8.8"))).isFalse();
    }
}
