package io.keysmith.keys;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What each operation of the contract asks of a key, computed once at start from the server's copy of openapi.yaml
 * (security moved to {@code x-security} by http/Contract): whether its security accepts keys (keyBasic, keyBearer,
 * or a gateway's key), which API types cover it (by tag), and its {@code x-permission}. Nothing reads the contract
 * per request.
 */
public final class KeyOperations {
    /** {@code permission}: null for "public" and "authenticated"; {@code apiTypes}: names of the types covering it. */
    public record Rule(
            String operationId, boolean acceptsKeys, boolean acceptsSession, String permission, Set<String> apiTypes) {
        boolean covers(ApiTypes.ApiType type) {
            return type != null && apiTypes.contains(type.name());
        }
    }

    /** The operation a forwarded method and URI name, with its path parameters (decoded, as the router does). */
    public record Match(Rule rule, Map<String, String> path) {}

    /**
     * A path template of the contract, split in segments ({@code null}: a parameter, named in {@code names}), for one
     * method.
     */
    private record Template(String method, String[] segments, String[] names, int literals, Rule rule) {
        boolean matches(String method, String[] path) {
            if (!this.method.equals(method) || path.length != segments.length) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                if (segments[i] == null ? path[i].isEmpty() : !segments[i].equals(path[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Map<String, Rule> rules;
    private final List<Template> templates;

    private KeyOperations(Map<String, Rule> rules, List<Template> templates) {
        this.rules = rules;
        this.templates = templates;
    }

    public static KeyOperations from(JsonObject contract, ApiTypes types) {
        Map<String, Rule> rules = new HashMap<>();
        List<Template> templates = new ArrayList<>();
        contract.getJsonObject("paths").forEach(path -> {
            if (!(path.getValue() instanceof JsonObject item)) {
                return;
            }
            item.forEach(m -> {
                if (!(m.getValue() instanceof JsonObject op) || !op.containsKey("operationId")) {
                    return;
                }
                JsonArray security = op.getJsonArray("x-security", op.getJsonArray("security", new JsonArray()));
                boolean keys = false;
                boolean session = false;
                for (Object r : security) {
                    JsonObject requirement = (JsonObject) r;
                    keys |= requirement.containsKey("keyBasic")
                            || requirement.containsKey("keyBearer")
                            || requirement.containsKey("gatewayKey");
                    session |= requirement.containsKey("session");
                }
                Set<String> tags = new HashSet<>();
                op.getJsonArray("tags", new JsonArray()).forEach(t -> tags.add((String) t));
                Set<String> covering = new HashSet<>();
                for (ApiTypes.ApiType type : types.all()) {
                    if (type.tags().stream().anyMatch(tags::contains)) {
                        covering.add(type.name());
                    }
                }
                String permission = op.getString("x-permission");
                boolean needs =
                        permission != null && !permission.equals("public") && !permission.equals("authenticated");
                String id = op.getString("operationId");
                Rule rule = new Rule(id, keys, session, needs ? permission : null, Set.copyOf(covering));
                rules.put(id, rule);
                String[] segments = path.getKey().substring(1).split("/", -1);
                String[] names = new String[segments.length];
                int literals = 0;
                for (int i = 0; i < segments.length; i++) {
                    if (segments[i].startsWith("{")) {
                        names[i] = segments[i].substring(1, segments[i].length() - 1);
                        segments[i] = null;
                    } else {
                        literals++;
                    }
                }
                templates.add(new Template(m.getKey().toUpperCase(Locale.ROOT), segments, names, literals, rule));
            });
        });
        // a literal segment wins over a parameter, as in the router (/api-keys/verify before /api-keys/{keyId})
        templates.sort(Comparator.comparingInt(Template::literals).reversed());
        return new KeyOperations(Map.copyOf(rules), List.copyOf(templates));
    }

    /**
     * The operation the router would run for {@code method} and a path already normalized as the router does it
     * (dot segments resolved, unreserved characters decoded, duplicate slashes merged); one trailing slash is
     * ignored, as the router does. Null when no operation matches.
     */
    public Rule find(String method, String normalizedPath) {
        Match m = match(method, normalizedPath);
        return m == null ? null : m.rule();
    }

    /** As {@link #find}, with the path parameters' values, percent-decoded as the router decodes them. */
    public Match match(String method, String normalizedPath) {
        String p = normalizedPath.length() > 1 && normalizedPath.endsWith("/")
                ? normalizedPath.substring(0, normalizedPath.length() - 1)
                : normalizedPath;
        if (!p.startsWith("/")) {
            return null;
        }
        String[] path = p.substring(1).split("/", -1);
        for (Template t : templates) {
            if (t.matches(method, path)) {
                Map<String, String> params = new HashMap<>(2);
                for (int i = 0; i < path.length; i++) {
                    if (t.names()[i] != null) {
                        params.put(t.names()[i], io.vertx.core.internal.net.RFC3986.decodeURIComponent(path[i], false));
                    }
                }
                return new Match(t.rule(), params);
            }
        }
        return null;
    }

    /** Every operation's rule. */
    public java.util.Collection<Rule> rules() {
        return rules.values();
    }

    /** The rule of an operation of the contract; never null for a bound operation. */
    public Rule rule(String operationId) {
        Rule r = rules.get(operationId);
        if (r == null) {
            throw new IllegalArgumentException("No operation " + operationId + " in openapi.yaml");
        }
        return r;
    }
}
