package io.keysmith.oauth;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.keys.AccessTokens;
import io.keysmith.keys.KeyPrincipal;
import io.keysmith.keys.KeyVerifier;
import io.keysmith.keys.Verification;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The rules of the token endpoint and revocation (RFC 6749 §4.4, RFC 7009): who the client is (its secret, decided
 * by the key verifier as a key's would be), what a token may carry (the requested scope within the client's live
 * rights, and with {@code user_id} within that user's too), and the jti deny-list.
 */
public final class OAuthService {
    /** The token request's parameter naming the user the token acts for (becomes {@code sub}). */
    public static final String USER_PARAMETER = "user_id";

    /** The client's credentials as presented: {@code basic} when they came in an Authorization header. */
    public record ClientCredentials(String clientId, String secret, boolean basic) {}

    private final Db db;
    private final OAuthRepository repository;
    private final KeyVerifier verifier;
    private final AccessTokenCodec codec;
    private final AuditRepository audit;

    public OAuthService(
            Db db, OAuthRepository repository, KeyVerifier verifier, AccessTokenCodec codec, AuditRepository audit) {
        this.db = db;
        this.repository = repository;
        this.verifier = verifier;
        this.codec = codec;
        this.audit = audit;
    }

    public AccessTokenCodec codec() {
        return codec;
    }

    /**
     * The client that presented {@code credentials}: its secret verified (status, owner, holder, expiry, grace, IP
     * allowlist) and naming the same client_id. Failures are throttled per address, as failed keys are.
     */
    public Future<KeyPrincipal> authenticate(ClientCredentials credentials, String address) {
        if (verifier.throttled(address)) {
            return Future.failedFuture(OAuthError.throttled());
        }
        return verifier.verifyClient(credentials.secret(), address).compose(v -> {
            if (v instanceof Verification.Valid ok
                    && ok.key().keyId().toString().equalsIgnoreCase(credentials.clientId())) {
                return Future.succeededFuture(ok.key());
            }
            if (v instanceof Verification.Valid) {
                verifier.failed(address); // a valid secret under another client_id is a failed authentication
            } else {
                verifier.failed(address, v);
            }
            return Future.failedFuture(OAuthError.invalidClient(credentials.basic()));
        });
    }

    /** A token for {@code client}: {@code scope} (null: all its rights) and {@code userId} (null: none). */
    public Future<AccessTokenCodec.Issued> issue(KeyPrincipal client, String scope, String userId) {
        Set<String> held = client.rights().rights().permissions();
        Set<String> requested = scope == null ? null : scopes(scope);
        if (requested != null) {
            for (String s : requested) {
                if (!held.contains(s)) {
                    return Future.failedFuture(
                            OAuthError.invalidScope("The client may not request the scope '" + s + "'"));
                }
            }
        }
        Set<String> granted = new TreeSet<>(requested == null ? held : requested);
        if (userId == null) {
            return sign(client, client.keyId().toString(), granted);
        }
        UUID user;
        try {
            user = UUID.fromString(userId);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(OAuthError.invalidRequest("Parameter 'user_id' must be a user id"));
        }
        return db.inOrganization(client.organizationId(), t -> repository.activeUserPermissions(t, user))
                .compose(permissions -> {
                    if (permissions == null) {
                        return Future.failedFuture(OAuthError.invalidRequest(
                                "Parameter 'user_id' names no active user of this organization"));
                    }
                    // the token acts for both: what the client may do ∩ what the user may do
                    if (requested != null && !permissions.containsAll(requested)) {
                        return Future.failedFuture(
                                OAuthError.invalidScope("The user named by 'user_id' does not hold every scope asked"));
                    }
                    granted.retainAll(permissions);
                    return sign(client, user.toString(), granted);
                });
    }

    private Future<AccessTokenCodec.Issued> sign(KeyPrincipal client, String subject, Set<String> granted) {
        try {
            return Future.succeededFuture(
                    codec.issue(new AccessTokenCodec.Grant(client.keyId(), client.organizationId(), subject, granted)));
        } catch (Exception e) {
            return Future.failedFuture(OAuthError.serverError("The token could not be signed; try again"));
        }
    }

    /**
     * RFC 7009: denies a token of {@code client} until it expires (every replica stops it through the key channel).
     * A token that is not the client's, already expired, or not a token at all changes nothing (and says so to no
     * one: the answer is the same).
     */
    public Future<Void> revoke(KeyPrincipal client, String token, String address) {
        AccessTokens.Claims claims = AccessTokens.looksLikeToken(token) ? codec.check(token) : null;
        if (claims == null
                || !claims.clientId().equals(client.keyId())
                || claims.expiresAtMillis() <= System.currentTimeMillis()) {
            return Future.succeededFuture();
        }
        OffsetDateTime expires =
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(claims.expiresAtMillis()), ZoneOffset.UTC);
        return db.inOrganization(
                        client.organizationId(),
                        t -> repository
                                .revoke(t, claims.jti(), client.keyId(), expires)
                                .compose(fresh -> fresh
                                        ? audit.append(
                                                t,
                                                AuditEvent.by(
                                                                client.ownerId(),
                                                                "oauth_client.token_revoked",
                                                                "api-key",
                                                                client.keyId().toString(),
                                                                address)
                                                        .with(
                                                                "jti",
                                                                claims.jti().toString()))
                                        : Future.succeededFuture()))
                .onSuccess(x -> verifier.invalidate(client.organizationId()));
    }

    /** Deletes the deny-list rows of tokens that have expired anyway (every organization); the number deleted. */
    public Future<Long> purgeDenyList() {
        return db.withoutOrganization(repository::purgeExpired);
    }

    /** Space-separated scope tokens (RFC 6749 §3.3), without duplicates. */
    static Set<String> scopes(String scope) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : scope.split(" ")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
