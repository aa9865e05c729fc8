package io.keysmith.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keysmith.keys.AccessTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Access tokens are RFC 9068 JWTs that only the published keys, the issuer and the audience make valid")
class AccessTokenCodecTest {
    private static final String ISSUER = "https://keysmith.example.com";
    private final UUID client = UUID.randomUUID();
    private final UUID org = UUID.randomUUID();

    private static ECKey ec() throws Exception {
        return new ECKeyGenerator(Curve.P_256)
                .keyID(UUID.randomUUID().toString())
                .algorithm(JWSAlgorithm.ES256)
                .generate();
    }

    private static AccessTokenCodec codec(JWK signingKey, JWKSet published, Duration lifetime) throws Exception {
        SigningKeys.Signing signing = signingKey instanceof ECKey e
                ? new SigningKeys.Signing(e.getKeyID(), JWSAlgorithm.ES256, new ECDSASigner(e))
                : new SigningKeys.Signing(
                        signingKey.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner((RSAKey) signingKey));
        return new AccessTokenCodec(() -> published, () -> signing, () -> ISSUER, lifetime);
    }

    private AccessTokenCodec.Grant grant() {
        return new AccessTokenCodec.Grant(client, org, client.toString(), Set.of("people:read"));
    }

    @Test
    @DisplayName("an issued ES256 token says at+jwt, iss, aud, sub, client_id, scope, org_id, jti, and checks out")
    void anIssuedToken_carriesTheRfc9068Claims_andChecksOut() throws Exception {
        ECKey key = ec();
        AccessTokenCodec codec = codec(key, new JWKSet(key.toPublicJWK()), Duration.ofMinutes(15));
        AccessTokenCodec.Issued issued = codec.issue(grant());
        SignedJWT jwt = SignedJWT.parse(issued.token());
        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.getKeyID());
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(ISSUER);
        assertThat(c.getAudience()).containsExactly(ISSUER + "/api/v1");
        assertThat(c.getSubject()).isEqualTo(client.toString());
        assertThat(c.getStringClaim("client_id")).isEqualTo(client.toString());
        assertThat(c.getStringClaim("scope")).isEqualTo("people:read");
        assertThat(c.getStringClaim("org_id")).isEqualTo(org.toString());
        assertThat(c.getJWTID()).isEqualTo(issued.jti().toString());
        assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime()).isEqualTo(15 * 60 * 1000L);
        AccessTokens.Claims claims = codec.check(issued.token());
        assertThat(claims).isNotNull();
        assertThat(claims.clientId()).isEqualTo(client);
        assertThat(claims.organizationId()).isEqualTo(org);
        assertThat(claims.scope()).containsExactly("people:read");
    }

    @Test
    @DisplayName("ES256 on Bouncy Castle (as the server signs) verifies with the JDK's SunEC, and the reverse")
    void es256_onBouncyCastle_isInterchangeableWithSunEc() throws Exception {
        ECKey key = ec();
        ECDSASigner bc = new ECDSASigner(key);
        bc.getJCAContext().setProvider(SigningKeys.ECDSA);
        AccessTokenCodec codec = new AccessTokenCodec(
                () -> new JWKSet(key.toPublicJWK()),
                () -> new SigningKeys.Signing(key.getKeyID(), JWSAlgorithm.ES256, bc),
                () -> ISSUER,
                Duration.ofMinutes(15));
        for (int i = 0; i < 20; i++) {
            String token = codec.issue(grant()).token();
            ECDSAVerifier sunEc = new ECDSAVerifier(key.toPublicJWK());
            assertThat(sunEc.getJCAContext().getProvider())
                    .as("the JDK's default")
                    .isNull();
            assertThat(SignedJWT.parse(token).verify(sunEc)).isTrue();
        }
        // and a token signed by SunEC (another issuer's library) checks out on the codec's Bouncy Castle verifier
        String bySunEc = codec(key, new JWKSet(key.toPublicJWK()), Duration.ofMinutes(15))
                .issue(grant())
                .token();
        assertThat(codec.check(bySunEc)).isNotNull();
        // a flipped bit of the signature does not
        String[] parts = bySunEc.split("\\.");
        byte[] sig = Base64URL.from(parts[2]).decode();
        sig[5] ^= 1;
        assertThat(codec.check(parts[0] + "." + parts[1] + "." + Base64URL.encode(sig)))
                .isNull();
    }

    @Test
    @DisplayName("RS256 (RFC 9068 §2.1) signs and checks out as well")
    void rs256_signsAndChecksOut() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048)
                .keyID("rsa-1")
                .algorithm(JWSAlgorithm.RS256)
                .generate();
        AccessTokenCodec codec = codec(key, new JWKSet(key.toPublicJWK()), Duration.ofMinutes(15));
        String token = codec.issue(grant()).token();
        assertThat(SignedJWT.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(codec.check(token)).isNotNull();
    }

    @Test
    @DisplayName("a token signed by a key that is not published, or tampered with, says nothing")
    void unpublishedOrTampered_isRefused() throws Exception {
        ECKey published = ec();
        ECKey other = ec();
        AccessTokenCodec verifier = codec(published, new JWKSet(published.toPublicJWK()), Duration.ofMinutes(15));
        AccessTokenCodec forger = codec(other, new JWKSet(other.toPublicJWK()), Duration.ofMinutes(15));
        assertThat(verifier.check(forger.issue(grant()).token())).isNull();
        String token = verifier.issue(grant()).token();
        String[] parts = token.split("\\.");
        JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
        String widened = Base64URL.encode(new JWTClaimsSet.Builder(claims)
                        .claim("scope", "people:read people:delete")
                        .build()
                        .toString()
                        .getBytes(StandardCharsets.UTF_8))
                .toString();
        assertThat(verifier.check(parts[0] + "." + widened + "." + parts[2])).isNull();
    }

    @Test
    @DisplayName("alg none, an HMAC token keyed with the public key, a wrong typ, audience or issuer: all refused")
    void algNone_hmac_wrongTyp_wrongAudience_wrongIssuer_areRefused() throws Exception {
        ECKey key = ec();
        AccessTokenCodec codec = codec(key, new JWKSet(key.toPublicJWK()), Duration.ofMinutes(15));
        JWTClaimsSet good = SignedJWT.parse(codec.issue(grant()).token()).getJWTClaimsSet();
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + key.getKeyID() + "\"}")
                .toString();
        String payload = Base64URL.encode(good.toString()).toString();
        assertThat(codec.check(header + "." + payload + ".")).isNull();

        SignedJWT hmac = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(new JOSEObjectType("at+jwt"))
                        .keyID(key.getKeyID())
                        .build(),
                good);
        hmac.sign(new MACSigner(key.toPublicJWK().toJSONString().repeat(2).getBytes(StandardCharsets.UTF_8)));
        assertThat(codec.check(hmac.serialize())).isNull();

        assertThat(codec.check(sign(key, "JWT", good))).as("typ JWT").isNull();
        assertThat(codec.check(sign(
                        key,
                        "at+jwt",
                        new JWTClaimsSet.Builder(good)
                                .audience("https://elsewhere")
                                .build())))
                .as("aud")
                .isNull();
        assertThat(codec.check(sign(
                        key,
                        "at+jwt",
                        new JWTClaimsSet.Builder(good).issuer("https://evil").build())))
                .as("iss")
                .isNull();
        assertThat(codec.check(sign(key, "at+jwt", good)))
                .as("the same claims, properly signed")
                .isNotNull();
    }

    @Test
    @DisplayName("an expired token, or one without jti or client_id, says nothing")
    void expired_orMissingClaims_isRefused() throws Exception {
        ECKey key = ec();
        AccessTokenCodec codec = codec(key, new JWKSet(key.toPublicJWK()), Duration.ofMinutes(15));
        JWTClaimsSet good = SignedJWT.parse(codec.issue(grant()).token()).getJWTClaimsSet();
        Date past = new Date(System.currentTimeMillis() - 60_000);
        assertThat(codec.check(sign(
                        key,
                        "at+jwt",
                        new JWTClaimsSet.Builder(good)
                                .issueTime(new Date(past.getTime() - 900_000))
                                .notBeforeTime(new Date(past.getTime() - 900_000))
                                .expirationTime(past)
                                .build())))
                .isNull();
        assertThat(codec.check(sign(
                        key,
                        "at+jwt",
                        new JWTClaimsSet.Builder(good).jwtID(null).build())))
                .isNull();
        assertThat(codec.check(sign(
                        key,
                        "at+jwt",
                        new JWTClaimsSet.Builder(good).claim("client_id", null).build())))
                .isNull();
    }

    @Test
    @DisplayName("the next key, published before it signs, is already accepted")
    void theNextPublishedKey_isAccepted() throws Exception {
        ECKey current = ec();
        ECKey next = ec();
        JWKSet both = new JWKSet(List.of(current.toPublicJWK(), next.toPublicJWK()));
        AccessTokenCodec before = codec(current, both, Duration.ofMinutes(15));
        AccessTokenCodec after = codec(next, both, Duration.ofMinutes(15));
        assertThat(before.check(after.issue(grant()).token())).isNotNull();
        assertThat(after.check(before.issue(grant()).token())).isNotNull();
    }

    private static String sign(ECKey key, String typ, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(new JOSEObjectType(typ))
                        .keyID(key.getKeyID())
                        .build(),
                claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
