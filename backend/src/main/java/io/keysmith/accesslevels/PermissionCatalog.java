package io.keysmith.accesslevels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The permission catalog and the person fields, both read from openapi.yaml at start (x-permission-catalog and the
 * Person schema with its x-sensitive marks), so the UI's checkboxes and the server's checks cannot drift from the
 * API. ContractRulesTest keeps the catalog and the operations' x-permission declarations in step.
 */
public final class PermissionCatalog {
    public record Field(String name, String title, boolean sensitive) {}

    private final JsonObject json;
    private final Set<String> grantable;
    private final List<Field> fields;

    private PermissionCatalog(JsonObject json, Set<String> grantable, List<Field> fields) {
        this.json = json;
        this.grantable = grantable;
        this.fields = fields;
    }

    public static PermissionCatalog from(JsonObject contract) {
        JsonArray groups = new JsonArray();
        Set<String> grantable = new LinkedHashSet<>();
        for (Object o : contract.getJsonArray("x-permission-catalog")) {
            JsonObject g = (JsonObject) o;
            if (!g.getBoolean("grantable", true)) {
                continue;
            }
            JsonArray perms = new JsonArray();
            g.getJsonObject("permissions").forEach(e -> {
                perms.add(new JsonObject().put("name", e.getKey()).put("title", e.getValue()));
                grantable.add(e.getKey());
            });
            groups.add(new JsonObject()
                    .put("resource", g.getString("resource"))
                    .put("title", g.getString("title"))
                    .put("permissions", perms));
        }
        List<Field> fields = new ArrayList<>();
        JsonObject person = contract.getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject("Person")
                .getJsonObject("properties");
        person.forEach(e -> {
            if (!e.getKey().equals("id") && !e.getKey().equals("userId")) {
                JsonObject schema = (JsonObject) e.getValue();
                fields.add(new Field(e.getKey(), title(e.getKey()), schema.getBoolean("x-sensitive", false)));
            }
        });
        JsonArray fieldJson = new JsonArray();
        fields.forEach(f -> fieldJson.add(
                new JsonObject().put("name", f.name()).put("title", f.title()).put("sensitive", f.sensitive())));
        return new PermissionCatalog(
                new JsonObject().put("groups", groups).put("fields", fieldJson), grantable, List.copyOf(fields));
    }

    /** "dateOfBirth" -> "Date of birth". */
    static String title(String camel) {
        String spaced = camel.replaceAll("([A-Z])", " $1").toLowerCase();
        return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1).replace(" id", " ID");
    }

    public JsonObject toJson() {
        return json;
    }

    public boolean isGrantable(String permission) {
        return grantable.contains(permission);
    }

    public List<Field> fields() {
        return fields;
    }

    public Map<String, Field> fieldsByName() {
        Map<String, Field> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.name(), f));
        return m;
    }
}
