package io.keysmith.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Loads openapi.yaml (packaged from the repository root) for the router. vertx-openapi 5.0.7 refuses media types
 * it cannot validate, {@code application/problem+json} among them; our error bodies are problem+json and the
 * contract says so for clients, so the server's in-memory copy aliases it to {@code application/json} (and the CSV
 * exports' {@code text/csv}, which it does not validate either, to {@code text/plain}). The file itself is never
 * changed (ADR 0004).
 */
public final class Contract {
    public static final String PATH = "openapi.yaml";

    private Contract() {}

    public static Future<OpenAPIContract> load(Vertx vertx) {
        return vertx.fileSystem().readFile(PATH).compose(buffer -> {
            JsonObject raw = raw(buffer.toString());
            return OpenAPIContract.from(vertx, moveSecurity(aliasProblemJson(raw.copy())));
        });
    }

    /** The contract as written, for tests and the permission catalog. */
    public static JsonObject raw(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object doc = new Yaml(options).load(yaml);
        return new JsonObject(stringKeys((Map<?, ?>) doc));
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
        return out;
    }

    private static Object normalize(Object v) {
        if (v instanceof Map<?, ?> m) {
            return new JsonObject(stringKeys(m));
        }
        if (v instanceof List<?> l) {
            JsonArray a = new JsonArray();
            l.forEach(x -> a.add(normalize(x)));
            return a;
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant().toString();
        }
        return v;
    }

    /**
     * The server authenticates each operation itself, from its declared security (Routes): vertx-openapi's router
     * would otherwise chain its own handlers in front (an empty chain for schemes it has no handler for). The
     * declaration moves to {@code x-security} in the server's copy; the file keeps it for clients.
     */
    private static JsonObject moveSecurity(JsonObject contract) {
        contract.remove("security");
        contract.getJsonObject("paths").forEach(path -> {
            if (path.getValue() instanceof JsonObject item) {
                item.forEach(m -> {
                    if (m.getValue() instanceof JsonObject op
                            && op.containsKey("operationId")
                            && op.containsKey("security")) {
                        op.put("x-security", op.remove("security"));
                    }
                });
            }
        });
        return contract;
    }

    private static JsonObject aliasProblemJson(JsonObject node) {
        for (String key : List.copyOf(node.fieldNames())) {
            Object value = node.getValue(key);
            if (value instanceof JsonObject child) {
                aliasProblemJson(child);
                if (key.equals("content") && child.containsKey("application/problem+json")) {
                    Object schema = child.remove("application/problem+json");
                    if (!child.containsKey("application/json")) {
                        child.put("application/json", schema);
                    }
                }
                // issue 16: vertx-openapi knows no form bodies; the OAuth endpoints parse their RFC 6749 forms
                // themselves, so the server's copy declares a string body
                if (key.equals("content") && child.containsKey("application/x-www-form-urlencoded")) {
                    Object schema = child.remove("application/x-www-form-urlencoded");
                    if (!child.containsKey("text/plain")) {
                        child.put("text/plain", schema);
                    }
                }
                // the same refusal for CSV downloads (issue 17: the audit export): a string body either way
                if (key.equals("content") && child.containsKey("text/csv")) {
                    Object schema = child.remove("text/csv");
                    if (!child.containsKey("text/plain")) {
                        child.put("text/plain", schema);
                    }
                }
            } else if (value instanceof JsonArray array) {
                array.forEach(x -> {
                    if (x instanceof JsonObject o) {
                        aliasProblemJson(o);
                    }
                });
            }
        }
        return node;
    }
}
