package io.keysmith.keys;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * API types from openapi.yaml (x-api-types): named groups of operations, by tag, that keys of the type may call.
 * A key can never call an operation outside its type, whatever its permissions.
 */
public final class ApiTypes {
    /**
     * {@code inheritable}: the permissions an INHERIT key takes from its owner, those of the type's reading (GET)
     * operations; a write permission (people:create/update/delete) must be named by a SCOPED key (ADR 0012), so no
     * key made before keyed writes existed silently became a writer.
     */
    public record ApiType(
            String name,
            String title,
            Set<String> tags,
            int defaultRateLimitPerMinute,
            Set<String> permissions,
            Set<String> inheritable) {
        public ApiType(
                String name, String title, Set<String> tags, int defaultRateLimitPerMinute, Set<String> permissions) {
            this(name, title, tags, defaultRateLimitPerMinute, permissions, permissions);
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("name", name)
                    .put("title", title)
                    .put("tags", new JsonArray(List.copyOf(tags)))
                    .put("defaultRateLimitPerMinute", defaultRateLimitPerMinute)
                    .put("permissions", new JsonArray(List.copyOf(permissions)));
        }
    }

    private final Map<String, ApiType> types;

    private ApiTypes(Map<String, ApiType> types) {
        this.types = types;
    }

    public static ApiTypes from(JsonObject contract) {
        Map<String, ApiType> types = new LinkedHashMap<>();
        for (Object o : contract.getJsonArray("x-api-types")) {
            JsonObject t = (JsonObject) o;
            Set<String> tags = new TreeSet<>();
            t.getJsonArray("tags").forEach(x -> tags.add((String) x));
            Set<String> permissions = new TreeSet<>();
            Set<String> reads = new TreeSet<>();
            contract.getJsonObject("paths").forEach(path -> {
                if (!(path.getValue() instanceof JsonObject item)) {
                    return; // the resolved contract carries annotations beside the path items
                }
                item.forEach(m -> {
                    if (m.getValue() instanceof JsonObject op && op.containsKey("operationId")) {
                        boolean inType = op.getJsonArray("tags", new JsonArray()).stream()
                                .anyMatch(tags::contains);
                        String p = op.getString("x-permission");
                        if (inType && p != null && p.contains(":")) {
                            permissions.add(p);
                            if (m.getKey().equals("get")) {
                                reads.add(p);
                            }
                        }
                    }
                });
            });
            types.put(
                    t.getString("name"),
                    new ApiType(
                            t.getString("name"),
                            t.getString("title"),
                            tags,
                            t.getInteger("defaultRateLimitPerMinute", 600),
                            permissions,
                            reads));
        }
        return new ApiTypes(types);
    }

    public ApiType get(String name) {
        return types.get(name);
    }

    public java.util.Collection<ApiType> all() {
        return types.values();
    }

    public JsonArray toJson() {
        JsonArray a = new JsonArray();
        types.values().forEach(t -> a.add(t.toJson()));
        return a;
    }
}
