package io.keysmith.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
        "Secrets at rest are sealed with the server secret, per purpose and organization, and survive its rotation")
class SecretSealTest {
    private static final String V1 = "v1:dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdA==";
    private static final String V2 = "v2:b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci1zZWNyZXQtb3RoZXI=";
    private static final String PURPOSE = "keysmith test secret v1";

    private static SecretSeal seal(String secret) {
        return new SecretSeal(ServerSecret.parse(secret), PURPOSE);
    }

    @Test
    void aSealedSecret_opensWithTheSameSecret_andDoesNotContainThePlaintext() {
        SecretSeal seal = seal(V1);
        String sealed = seal.seal("my-client-secret");
        assertThat(sealed).doesNotContain("my-client-secret").startsWith("eyJ");
        assertThat(seal.open(sealed)).isEqualTo("my-client-secret");
        assertThat(seal.seal("my-client-secret")).as("a fresh IV each time").isNotEqualTo(sealed);
    }

    @Test
    void afterRotation_thePreviousVersionStillOpens_aForeignSecretDoesNot() {
        String sealed = seal(V1).seal("s3cret");
        assertThat(seal(V2 + "," + V1).open(sealed)).isEqualTo("s3cret");
        String resealed = seal(V2 + "," + V1).seal("s3cret");
        assertThat(new String(Base64.getUrlDecoder().decode(resealed.split("\\.")[0])))
                .as("sealed with the current version")
                .contains("\"kid\":\"v2\"");
        assertThatThrownBy(() -> seal(V2).open(sealed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("s3cret");
        String tampered = sealed.substring(0, sealed.length() - 4) + "AAAA";
        assertThatThrownBy(() -> seal(V1).open(tampered)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> seal(V1).open("whsec_notsealed")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aValueSealedForOnePurpose_doesNotOpenForAnother() {
        String sealed = seal(V1).seal("s3cret", UUID.randomUUID());
        assertThatThrownBy(() -> new SecretSeal(ServerSecret.parse(V1), "another purpose").open(sealed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> new SecretSeal(ServerSecret.parse(V1), " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aValueSealedForAnOrganization_opensForItAlone() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        SecretSeal seal = seal(V1);
        String sealed = seal.seal("whsec_c2lnbmluZw==", mine);
        assertThat(sealed).doesNotContain("c2lnbmluZw");
        assertThat(seal.open(sealed, mine)).isEqualTo("whsec_c2lnbmluZw==");
        assertThatThrownBy(() -> seal.open(sealed, theirs))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("c2lnbmluZw");
        assertThatThrownBy(() -> seal.open(sealed))
                .as("nor by a reader that does not check the organization (the parameter is critical)")
                .isInstanceOf(IllegalStateException.class);
        String unbound = seal.seal("whsec_c2lnbmluZw==");
        assertThatThrownBy(() -> seal.open(unbound, mine))
                .as("a value sealed for no organization is not one sealed for this one")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theOrganizationInTheHeader_cannotBeRewritten() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        SecretSeal seal = seal(V1);
        String sealed = seal.seal("s3cret", mine);
        String[] parts = sealed.split("\\.", -1);
        String header = new String(Base64.getUrlDecoder().decode(parts[0]));
        assertThat(header).contains(mine.toString());
        parts[0] = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        header.replace(mine.toString(), theirs.toString()).getBytes());
        String rewritten = String.join(".", parts);
        assertThatThrownBy(() -> seal.open(rewritten, theirs))
                .as("the protected header is the AEAD's additional data")
                .isInstanceOf(IllegalStateException.class);
    }
}
