package io.keysmith.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flat view of the merged configuration: dotted keys ({@code http.port}) whose environment name is
 * {@code KEYSMITH_HTTP_PORT}. Typed getters turn a bad value into a {@link ConfigException} naming the setting.
 */
final class Settings {
    static final String ENV_PREFIX = "KEYSMITH_";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Merges, later winning: the nested defaults/file JSON, then {@code KEYSMITH_*} entries (from the environment
     * store), then dotted overrides.
     */
    static Settings of(JsonObject retrieved, JsonObject overrides) {
        Map<String, String> flat = new TreeMap<>();
        JsonObject nested = new JsonObject();
        Map<String, String> fromEnv = new TreeMap<>();
        retrieved.forEach(e -> {
            if (e.getKey().startsWith(ENV_PREFIX)) {
                fromEnv.put(keyOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()));
            } else {
                nested.put(e.getKey(), e.getValue());
            }
        });
        flatten("", nested, flat);
        flat.putAll(fromEnv);
        flatten("", overrides, flat);
        return new Settings(flat);
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    static String keyOf(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static void flatten(String prefix, JsonObject json, Map<String, String> out) {
        json.forEach(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue() instanceof JsonObject child) {
                flatten(key, child, out);
            } else if (e.getValue() instanceof Map<?, ?> map) {
                flatten(key, new JsonObject(castMap(map)), out);
            } else {
                out.put(key, e.getValue() == null ? "" : String.valueOf(e.getValue()));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    String string(String key) {
        return optional(key).orElseThrow(() -> ConfigException.invalid(key, null, "a value is required"));
    }

    int integer(String key, int min, int max) {
        String v = string(key);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw ConfigException.invalid(key, v, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, v, "must be a whole number between " + min + " and " + max);
        }
    }

    boolean bool(String key) {
        String v = string(key).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw ConfigException.invalid(key, v, "must be true or false");
        };
    }

    String oneOf(String key, String... allowed) {
        String v = string(key).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw ConfigException.invalid(key, v, "must be one of " + String.join(", ", allowed));
    }

    List<Cidr> cidrs(String key) {
        List<Cidr> out = new ArrayList<>();
        for (String part : optional(key).orElse("").split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(Cidr.parse(part));
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid(key, part.trim(), e.getMessage() + " (expected CIDRs like 10.0.0.0/8)");
            }
        }
        return List.copyOf(out);
    }
}
