package io.keysmith.oauth;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditRepository;
import io.keysmith.config.OAuthSettings;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.keys.KeyVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OAuth 2.0 authorization server (issue 16) assembled: signing keys, the token codec (which the key verifier
 * then uses for tokens presented where keys go), the service and the handlers. OAuth clients themselves are key
 * rows of kind OAUTH_CLIENT, governed by the keys feature.
 */
public record OAuthFeature(
        SigningKeys signingKeys, AccessTokenCodec codec, OAuthService service, OAuthHandlers handlers) {
    private static final Logger LOG = LoggerFactory.getLogger(OAuthFeature.class);

    public static OAuthFeature assemble(
            OAuthSettings settings,
            Db db,
            ServerSecret secret,
            KeyVerifier verifier,
            AuditRepository audit,
            PermissionCatalog catalog,
            ClientAddress client) {
        Duration lifetime = Duration.ofSeconds(settings.tokenLifetimeSeconds());
        OAuthRepository repository = new OAuthRepository();
        SigningKeys keys = new SigningKeys(
                db,
                repository,
                secret,
                settings.signingAlgorithm(),
                Duration.ofHours(settings.signingKeyRotationHours()),
                lifetime);
        // iss from KEYSMITH_PUBLIC_URL (or the embedded default on the bound port), never from a request
        AccessTokenCodec codec = new AccessTokenCodec(keys::published, keys::signing, client::publicBase, lifetime);
        verifier.acceptTokens(codec);
        OAuthService service = new OAuthService(db, repository, verifier, codec, audit);
        return new OAuthFeature(
                keys, codec, service, new OAuthHandlers(service, keys, verifier, client, scopes(catalog)));
    }

    /** Loads (and when due creates) the signing keys, then keeps them fresh. */
    public Future<Void> start(Vertx vertx) {
        return signingKeys.start(vertx);
    }

    /**
     * Purges the RFC 7009 deny-list every {@code intervalMillis}: a row outlives its token by a minute only, so the
     * table stays as small as the tokens revoked within one token lifetime.
     */
    public void startDenyListPurge(Vertx vertx, long intervalMillis) {
        vertx.setPeriodic(
                intervalMillis / 10,
                intervalMillis,
                id -> service.purgeDenyList()
                        .onFailure(
                                e -> LOG.warn("Token deny-list purge failed; it runs again later: {}", e.toString())));
    }

    /** The scopes: the grantable permissions of the catalog, by name. */
    static JsonArray scopes(PermissionCatalog catalog) {
        JsonArray out = new JsonArray();
        for (Object g : catalog.toJson().getJsonArray("groups")) {
            for (Object p : ((JsonObject) g).getJsonArray("permissions")) {
                out.add(((JsonObject) p).getString("name"));
            }
        }
        return out;
    }
}
