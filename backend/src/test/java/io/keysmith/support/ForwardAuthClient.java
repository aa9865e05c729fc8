package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.KeysApi.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gateway asking {@code GET /api/v1/forward-auth} the way nginx and Traefik do: its own Verification key in
 * X-Keysmith-Gateway-Key, the partner's Authorization header as is, the original method and URI in X-Forwarded-*.
 * Extra headers are given as name/value pairs; a null value removes a header the defaults would send.
 */
public final class ForwardAuthClient {
    public static final String PATH = "/api/v1/forward-auth";

    private final KeysApi api;
    private final String gatewayKey;

    public ForwardAuthClient(KeysApi api, String gatewayKey) {
        this.api = api;
        this.gatewayKey = gatewayKey;
    }

    public KeysApi api() {
        return api;
    }

    /** Asks about {@code method uri} for a partner presenting {@code secret} as a Bearer token (null: none). */
    public Reply ask(String method, String uri, String secret, String... extra) {
        return askWith(method, uri, secret == null ? null : "Bearer " + secret, extra);
    }

    /** As {@link #ask} with the partner's raw Authorization header. */
    public Reply askWith(String method, String uri, String authorization, String... extra) {
        Map<String, String> h = new LinkedHashMap<>();
        if (gatewayKey != null) {
            h.put("X-Keysmith-Gateway-Key", gatewayKey);
        }
        h.put("X-Forwarded-Method", method);
        h.put("X-Forwarded-Uri", uri);
        if (authorization != null) {
            h.put("Authorization", authorization);
        }
        for (int i = 0; i < extra.length; i += 2) {
            if (extra[i + 1] == null) {
                h.remove(extra[i]);
            } else {
                h.put(extra[i], extra[i + 1]);
            }
        }
        return api.call(HttpMethod.GET, PATH, null, null, h);
    }

    /** The partner calling the API directly with the same key, method and URI. */
    public Reply direct(String method, String uri, String secret) {
        return api.call(
                HttpMethod.valueOf(method),
                uri,
                null,
                null,
                secret == null ? Map.of() : Map.of("Authorization", "Bearer " + secret));
    }

    /** Asserts a refusal: the status, X-Keysmith-Status carrying it, no identity headers; returns the reply. */
    public static Reply refused(Reply r, int status) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        String wrong = notRefused(r, status);
        assertThat(wrong).as("refusal %s", r).isNull();
        return r;
    }

    /** What is wrong with {@code r} as a refusal with {@code status}; null when nothing is. */
    public static String notRefused(Reply r, int status) {
        List<String> wrong = new ArrayList<>();
        if (r.status() != status) {
            wrong.add("status " + r.status() + " instead of " + status);
        }
        if (!Integer.toString(r.status()).equals(r.header("X-Keysmith-Status"))) {
            wrong.add("X-Keysmith-Status " + r.header("X-Keysmith-Status"));
        }
        if (r.header("X-Keysmith-Key-Id") != null || r.header("X-Keysmith-Permissions") != null) {
            wrong.add("identity headers on a refusal");
        }
        return wrong.isEmpty() ? null : String.join(", ", wrong) + " [" + r.body() + "]";
    }

    /** The total use of a key over the last day as its usage API reports it (every outcome). */
    public static long usageTotal(KeysApi api, Api.Session session, String keyId) {
        Reply r = api.get("/api/v1/api-keys/" + keyId + "/usage", session);
        assertThat(r.status()).as("usage of %s: %s", keyId, r).isEqualTo(200);
        long total = 0;
        for (Object o : r.json().getJsonArray("buckets", new JsonArray())) {
            JsonObject b = (JsonObject) o;
            total += b.getLong("allowed") + b.getLong("denied") + b.getLong("rateLimited") + b.getLong("invalid");
        }
        return total;
    }
}
