package io.keysmith.oauth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.keysmith.keys.AccessTokens;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Access tokens as RFC 9068 JWTs ({@code typ: at+jwt}), by Nimbus JOSE+JWT: issued with the key that signs now,
 * checked against the published keys (ES256 and RS256 only: {@code alg: none}, HMAC and unknown kids are refused),
 * {@code iss}, {@code aud}, {@code exp} (no leeway beyond a few seconds of skew) and the claims Keysmith needs. A
 * checked token's claims are kept briefly by its text, so a busy client's requests verify one signature, not one
 * each; the client's live state is decided by the key verifier on every request.
 */
public final class AccessTokenCodec implements AccessTokens {
    public static final String TYPE = "at+jwt";
    public static final String ORGANIZATION_CLAIM = "org_id";
    public static final String CLIENT_CLAIM = "client_id";

    /** Nimbus' verifiers, ECDSA ones on the provider that signs ({@link SigningKeys#ECDSA}: the faster one). */
    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory() {
        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            JWSVerifier verifier = super.createJWSVerifier(header, key);
            if (verifier instanceof ECDSAVerifier ecdsa) {
                ecdsa.getJCAContext().setProvider(SigningKeys.ECDSA);
            }
            return verifier;
        }
    };

    /** What a token is issued for. {@code subject}: the user it acts for, or the client itself. */
    public record Grant(UUID clientId, UUID organizationId, String subject, Set<String> scope) {}

    /** An issued token and what it says. */
    public record Issued(String token, UUID jti, Instant expiresAt, String scope) {}

    private final Supplier<JWKSet> published;
    private final Supplier<SigningKeys.Signing> signing;
    private final Supplier<String> issuer;
    private final Duration lifetime;
    private final Cache<String, Claims> checked;

    /** {@code published}: the keys tokens are accepted from; {@code signing}: the key that signs now. */
    public AccessTokenCodec(
            Supplier<JWKSet> published,
            Supplier<SigningKeys.Signing> signing,
            Supplier<String> issuer,
            Duration lifetime) {
        this.published = published;
        this.signing = signing;
        this.issuer = issuer;
        this.lifetime = lifetime;
        // bounded: a flood of distinct valid tokens costs at most this many entries
        this.checked = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(Duration.ofSeconds(60))
                .build();
    }

    /** The {@code aud} of every token: the Keysmith API at the public URL. */
    public String audience() {
        return issuer.get() + "/api/v1";
    }

    public String issuer() {
        return issuer.get();
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Issued issue(Grant grant) throws JOSEException {
        SigningKeys.Signing signing = this.signing.get();
        if (signing == null) {
            throw new JOSEException("No signing key is loaded yet");
        }
        Instant now = Instant.now();
        Instant exp = now.plus(lifetime);
        UUID jti = UUID.randomUUID();
        String scope = String.join(" ", new java.util.TreeSet<>(grant.scope()));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer.get())
                .subject(grant.subject())
                .audience(audience())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(exp))
                .jwtID(jti.toString())
                .claim(CLIENT_CLAIM, grant.clientId().toString())
                .claim("scope", scope)
                .claim(ORGANIZATION_CLAIM, grant.organizationId().toString())
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(signing.alg())
                        .type(new JOSEObjectType(TYPE))
                        .keyID(signing.kid())
                        .build(),
                claims);
        jwt.sign(signing.signer());
        return new Issued(jwt.serialize(), jti, exp, scope);
    }

    @Override
    public Claims check(String token) {
        if (token.length() > 8192) {
            return null;
        }
        Claims cached = checked.getIfPresent(token);
        if (cached != null) {
            return cached;
        }
        Claims claims = verify(token);
        if (claims != null) {
            checked.put(token, claims);
        }
        return claims;
    }

    private Claims verify(String token) {
        try {
            JWTClaimsSet c = processor().process(token, null);
            UUID client = UUID.fromString(c.getStringClaim(CLIENT_CLAIM));
            UUID org = UUID.fromString(c.getStringClaim(ORGANIZATION_CLAIM));
            UUID jti = UUID.fromString(c.getJWTID());
            String scope = Optional.ofNullable(c.getStringClaim("scope")).orElse("");
            Set<String> scopes = new HashSet<>();
            for (String s : scope.split(" ")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
            return new Claims(
                    client, org, jti, Set.copyOf(scopes), c.getExpirationTime().getTime());
        } catch (Exception e) {
            return null; // forged, expired, of another issuer or audience, or malformed: a token that says nothing
        }
    }

    /** The processor over the currently published keys (cheap to build: the keys are held in memory). */
    private DefaultJWTProcessor<SecurityContext> processor() {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(TYPE)));
        p.setJWSVerifierFactory(VERIFIERS);
        JWKSource<SecurityContext> source = (selector, context) -> selector.select(published.get());
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256), source));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(audience()),
                new JWTClaimsSet.Builder().issuer(issuer.get()).build(),
                Set.of("sub", "exp", "iat", "jti", CLIENT_CLAIM, ORGANIZATION_CLAIM),
                null);
        claims.setMaxClockSkew(5);
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }
}
