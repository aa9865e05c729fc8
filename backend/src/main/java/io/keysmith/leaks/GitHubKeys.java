package io.keysmith.leaks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitHub's secret-scanning public keys, by identifier: fetched from GitHub's published list and cached, or read once
 * from a file in the same JSON format ({@code {"public_keys": [{"key_identifier", "key"}]}}), which then replaces the
 * URL (offline installations and tests). An unknown identifier refetches the list at most once a minute, so callers
 * sending made-up identifiers cannot make this server hammer GitHub. Signatures are checked with the JDK (ECDSA P-256,
 * SHA-256, ASN.1 DER), never by hand.
 */
public final class GitHubKeys {
    private static final Logger LOG = LoggerFactory.getLogger(GitHubKeys.class);
    static final long REFETCH_AFTER_MILLIS = 60_000;
    /** GitHub's list is a few KB: more is not GitHub's answer. */
    static final int MAX_LIST_BYTES = 256 * 1024;

    private final Vertx vertx;
    private final String url;
    private final Optional<String> file;
    private final HttpClient http;
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private long lastFetch;
    private Future<Void> fetching;

    public GitHubKeys(Vertx vertx, String url, Optional<String> file) {
        this.vertx = vertx;
        this.url = url;
        this.file = file;
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setConnectTimeout(5_000).setIdleTimeout(10),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(2));
    }

    /** Whether {@code signatureBase64} is GitHub's signature of {@code body} with the key named {@code identifier}. */
    public Future<Boolean> verify(String identifier, String signatureBase64, Buffer body) {
        if (identifier == null
                || signatureBase64 == null
                || identifier.length() > 200
                || signatureBase64.length() > 400) {
            return Future.succeededFuture(false);
        }
        return key(identifier).map(key -> key != null && valid(key, signatureBase64, body.getBytes()));
    }

    static boolean valid(PublicKey key, String signatureBase64, byte[] body) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(body);
            return s.verify(Base64.getDecoder().decode(signatureBase64.trim()));
        } catch (Exception e) {
            return false; // not base64, not DER, not a signature of this body: refused alike
        }
    }

    private Future<PublicKey> key(String identifier) {
        PublicKey known = keys.get(identifier);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        Future<Void> f;
        synchronized (this) {
            long now = System.currentTimeMillis();
            // a file is read once; the URL again only when a minute has passed since the last fetch
            if (fetching == null || (file.isEmpty() && now - lastFetch >= REFETCH_AFTER_MILLIS)) {
                lastFetch = now;
                fetching = load().map(list -> {
                            store(list);
                            return (Void) null;
                        })
                        .otherwise(e -> {
                            LOG.warn(
                                    "Cannot read GitHub's secret-scanning keys from {}: {}",
                                    file.orElse(url),
                                    e.toString());
                            return null;
                        });
            }
            f = fetching;
        }
        return f.map(x -> keys.get(identifier));
    }

    private Future<Buffer> load() {
        if (file.isPresent()) {
            return vertx.fileSystem().readFile(file.get());
        }
        return http.request(new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setAbsoluteURI(url)
                        .putHeader("Accept", "application/json")
                        .putHeader("User-Agent", "Keysmith")
                        .setConnectTimeout(5_000)
                        .setIdleTimeout(10_000))
                .compose(req -> req.send())
                .compose(res -> {
                    if (res.statusCode() != 200) {
                        return Future.failedFuture("GitHub answered " + res.statusCode());
                    }
                    return res.body();
                })
                .compose(b -> b.length() > MAX_LIST_BYTES
                        ? Future.failedFuture("the key list is larger than " + MAX_LIST_BYTES + " bytes")
                        : Future.succeededFuture(b));
    }

    private void store(Buffer list) {
        JsonArray entries = new JsonObject(list).getJsonArray("public_keys", new JsonArray());
        for (Object o : entries) {
            if (o instanceof JsonObject entry) {
                try {
                    keys.put(entry.getString("key_identifier"), publicKey(entry.getString("key")));
                } catch (Exception e) {
                    LOG.warn("Skipping an unreadable GitHub key {}", entry.getString("key_identifier"));
                }
            }
        }
    }

    /** A PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of an EC key. */
    static PublicKey publicKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
