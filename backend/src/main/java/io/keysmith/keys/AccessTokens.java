package io.keysmith.keys;

import java.util.Set;
import java.util.UUID;

/**
 * The token branch of verification (issue 16): an OAuth access token presented where a key goes. The oauth feature
 * checks the JWT (signature against its published keys, {@code typ}, {@code iss}, {@code aud}, {@code exp}); the
 * verifier then decides on the client's live state exactly as for a key, cached and invalidated the same way.
 */
public interface AccessTokens {
    /** What a valid token says: its client (the credential's id), organization, jti, scope and expiry. */
    record Claims(UUID clientId, UUID organizationId, UUID jti, Set<String> scope, long expiresAtMillis) {}

    /** The claims of a token whose signature and claims check out, else null. Never blocks. */
    Claims check(String token);

    /** A compact JWS (three base64url parts, a JSON header): never a key, whose prefix is {@code ksk_}. */
    static boolean looksLikeToken(String s) {
        return s != null && s.startsWith("eyJ") && s.indexOf('.') > 0;
    }
}
