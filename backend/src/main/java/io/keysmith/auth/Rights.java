package io.keysmith.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an access level grants, read live on every request: operation permissions, which people records (all or
 * only one's own), and per person field NONE / VIEW / EDIT. {@link #firstNotCovered} is the no-escalation rule:
 * nobody grants what they do not hold.
 */
public record Rights(String builtin, String recordScope, Map<String, String> fieldRights, Set<String> permissions) {
    public static final List<String> LEVELS = List.of("NONE", "VIEW", "EDIT");

    public static Rights fromJson(JsonObject j) {
        Map<String, String> fields = new LinkedHashMap<>();
        j.getJsonObject("fieldRights", new JsonObject())
                .forEach(e -> fields.put(e.getKey(), String.valueOf(e.getValue())));
        Set<String> perms = new TreeSet<>();
        j.getJsonArray("permissions", new JsonArray()).forEach(p -> perms.add((String) p));
        return new Rights(j.getString("builtin"), j.getString("recordScope", "OWN"), fields, perms);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("builtin", builtin)
                .put("recordScope", recordScope)
                .put("fieldRights", new JsonObject(new LinkedHashMap<>(fieldRights)))
                .put("permissions", new JsonArray(List.copyOf(permissions)));
    }

    /** What both grant: common permissions, record scope ALL only if both have it, the lower of each field right. */
    public Rights intersect(Rights other) {
        Set<String> common = new TreeSet<>(permissions);
        common.retainAll(other.permissions);
        Map<String, String> fields = new LinkedHashMap<>();
        fieldRights.forEach((f, right) -> {
            String lower = LEVELS.indexOf(right) <= LEVELS.indexOf(other.field(f)) ? right : other.field(f);
            if (!"NONE".equals(lower)) {
                fields.put(f, lower);
            }
        });
        return new Rights(null, allRecords() && other.allRecords() ? "ALL" : "OWN", fields, common);
    }

    public boolean has(String permission) {
        return permissions.contains(permission);
    }

    public boolean allRecords() {
        return "ALL".equals(recordScope);
    }

    public boolean isAccountOwner() {
        return "ACCOUNT_OWNER".equals(builtin);
    }

    public String field(String name) {
        return fieldRights.getOrDefault(name, "NONE");
    }

    public boolean canView(String field) {
        return !field(field).equals("NONE");
    }

    public boolean canEdit(String field) {
        return field(field).equals("EDIT");
    }

    /**
     * Something a set of rights grants that another does not hold: a permission, record scope ALL, or a field right
     * ({@code name} is the permission or the person field; null for the record scope).
     */
    public record Uncovered(Kind kind, String name, String description) {
        public enum Kind {
            PERMISSION,
            RECORD_SCOPE,
            FIELD_RIGHT
        }

        /**
         * The problem's {@code field} for it, named as the request validator names a part of a body: {@code
         * permissions.<index>} (the permission's position in {@code permissions}, the array the rights were read
         * from), {@code recordScope}, or {@code fieldRights.<field>}.
         */
        public String field(JsonArray permissions) {
            return switch (kind) {
                case PERMISSION -> {
                    int i = permissions == null ? -1 : permissions.getList().indexOf(name);
                    yield i < 0 ? "permissions" : "permissions." + i;
                }
                case RECORD_SCOPE -> "recordScope";
                case FIELD_RIGHT -> "fieldRights." + name;
            };
        }
    }

    /** The first thing {@code other} grants that this does not hold, or null when this covers it entirely. */
    public Uncovered firstNotCovered(Rights other) {
        for (String p : other.permissions) {
            if (!permissions.contains(p)) {
                return new Uncovered(Uncovered.Kind.PERMISSION, p, "permission '" + p + "'");
            }
        }
        if (other.allRecords() && !allRecords()) {
            return new Uncovered(Uncovered.Kind.RECORD_SCOPE, null, "record scope ALL");
        }
        for (var e : other.fieldRights.entrySet()) {
            if (LEVELS.indexOf(e.getValue()) > LEVELS.indexOf(field(e.getKey()))) {
                return new Uncovered(
                        Uncovered.Kind.FIELD_RIGHT, e.getKey(), e.getValue() + " on field '" + e.getKey() + "'");
            }
        }
        return null;
    }
}
