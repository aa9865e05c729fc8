package io.keysmith.support;

import io.keysmith.http.Contract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The operations of openapi.yaml, as written, for tests generated from the contract. */
public final class ContractOperations {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    public record Op(String id, String method, String path, JsonObject spec) {
        public List<String> pathParameters() {
            List<String> names = new ArrayList<>();
            Matcher m = PATH_PARAM.matcher(path);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        public boolean hasPathParameters() {
            return path.contains("{");
        }

        public boolean isWrite() {
            return Set.of("post", "put", "patch", "delete").contains(method);
        }

        /** The application/json request body schema, with its $ref resolved; null when there is none. */
        public JsonObject jsonBodySchema() {
            JsonObject body = spec.getJsonObject("requestBody");
            if (body == null) {
                return null;
            }
            JsonObject json = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
            return json == null ? null : resolve(json.getJsonObject("schema"));
        }

        public Set<String> securitySchemes() {
            Set<String> out = new java.util.HashSet<>();
            for (Object r : spec.getJsonArray("security", new JsonArray())) {
                out.addAll(((JsonObject) r).fieldNames());
            }
            return out;
        }

        /** The path with each {name} replaced by its value. */
        public String pathWith(java.util.function.Function<String, String> values) {
            Matcher m = PATH_PARAM.matcher(path);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(values.apply(m.group(1))));
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }

    private static volatile JsonObject contract;

    private ContractOperations() {}

    public static synchronized JsonObject contract() {
        if (contract == null) {
            try (InputStream in = ContractOperations.class.getClassLoader().getResourceAsStream(Contract.PATH)) {
                if (in == null) {
                    throw new IllegalStateException("openapi.yaml is not on the test classpath");
                }
                contract = Contract.raw(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return contract;
    }

    public static List<Op> all() {
        List<Op> ops = new ArrayList<>();
        JsonObject paths = contract().getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.fieldNames()) {
                if (METHODS.contains(method)) {
                    JsonObject op = item.getJsonObject(method);
                    ops.add(new Op(op.getString("operationId"), method, path, op));
                }
            }
        }
        return ops;
    }

    /** Follows a local {@code $ref} ("#/components/schemas/X"); anything else is returned as is. */
    public static JsonObject resolve(JsonObject schema) {
        JsonObject s = schema;
        while (s != null && s.containsKey("$ref")) {
            String ref = s.getString("$ref");
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("Only local references are supported: " + ref);
            }
            JsonObject at = contract();
            for (String part : ref.substring(2).split("/")) {
                at = at.getJsonObject(part);
            }
            s = at;
        }
        return s;
    }
}
