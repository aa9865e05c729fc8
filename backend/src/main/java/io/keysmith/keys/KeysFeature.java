package io.keysmith.keys;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Cursors;
import io.keysmith.http.RequestValidation;
import io.keysmith.users.UserRepository;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * API keys assembled: repository, hasher, service (the rules), the verifier with its cache, the key authentication
 * handler, and the handlers. Usage is reached only through {@link KeyUsage}.
 */
public record KeysFeature(
        KeyRepository repository,
        KeyService service,
        KeyVerifier verifier,
        KeyOperations operations,
        KeyAuthHandler authentication,
        KeyHandlers handlers,
        KeyFormatHandlers format,
        ForwardAuthHandlers forwardAuth) {

    public static KeysFeature assemble(
            JsonObject contract,
            KeysmithConfig config,
            Db db,
            ServerSecret secret,
            KeyRepository repository,
            UserRepository users,
            AccessLevelRepository levels,
            AuditRepository audit,
            PermissionCatalog catalog,
            KeyUsage usage,
            SessionAuthentication sessions,
            ClientAddress client,
            RequestValidation validation,
            KeyVerifier.Hook hook) {
        ApiTypes apiTypes = ApiTypes.from(contract);
        KeyHasher hasher = new KeyHasher(secret);
        KeyService service = new KeyService(db, repository, users, levels, audit, hasher, apiTypes, catalog);
        // the key cache is bounded by memory: an eighth of the heap, at most 128 MiB
        long cacheBytes = Math.min(128L << 20, Runtime.getRuntime().maxMemory() / 8);
        KeyVerifier verifier = new KeyVerifier(
                db,
                repository,
                hasher,
                apiTypes,
                Duration.ofSeconds(config.keyCacheTtlSeconds()),
                cacheBytes,
                config.keyFailuresPerMinute(),
                usage,
                hook);
        // a change committed here reaches this replica's key cache at once; others hear it through NOTIFY
        service.onChange(verifier::invalidate);
        KeyOperations operations = KeyOperations.from(contract, apiTypes);
        KeyAuthHandler authentication = new KeyAuthHandler(verifier, sessions, client);
        return new KeysFeature(
                repository,
                service,
                verifier,
                operations,
                authentication,
                new KeyHandlers(
                        service,
                        apiTypes,
                        client,
                        verifier,
                        // list cursors sealed by the server secret (issue 13 item 7), as people's are
                        new Cursors(secret.versions().stream()
                                .map(ServerSecret.Version::key)
                                .toList())),
                new KeyFormatHandlers(),
                new ForwardAuthHandlers(
                        operations,
                        verifier,
                        authentication,
                        client,
                        config.gatewayCidrs(),
                        config.gatewayClientAddressHeader(),
                        validation));
    }
}
