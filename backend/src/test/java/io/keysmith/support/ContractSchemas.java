package io.keysmith.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schemas of openapi.yaml's components compiled with vertx-json-schema (draft 2020-12, as OpenAPI 3.1), local
 * {@code $ref}s inlined. {@link #strict} additionally closes every object schema (additionalProperties: false), so a
 * response carrying a key the contract does not name fails too.
 */
public final class ContractSchemas {
    private static final Map<String, Validator> CACHE = new ConcurrentHashMap<>();

    private ContractSchemas() {}

    /** The component schema {@code name} as written, closed against unknown keys. */
    public static Validator strict(String name) {
        return CACHE.computeIfAbsent(
                name,
                n -> Validator.create(
                        JsonSchema.of(withoutWidthFormats(close(inline(ContractOperations.resolve(
                                new JsonObject().put("$ref", "#/components/schemas/" + n)))))),
                        new JsonSchemaOptions()
                                .setDraft(Draft.DRAFT202012)
                                .setBaseUri("https://keysmith.test/schemas/")
                                .setOutputFormat(OutputFormat.Basic)));
    }

    /**
     * The fields of a person record, in the contract's order: the properties of {@code FieldRights} (a test that
     * covers every field follows the contract when a field is added).
     */
    public static List<String> personFields() {
        return List.copyOf(ContractOperations.contract()
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject("FieldRights")
                .getJsonObject("properties")
                .fieldNames());
    }

    /**
     * A validator for any schema of the contract (a response body's), closed like {@link #strict}. OpenAPI's integer
     * width formats (int32, int64) are left out: vertx-json-schema does not know them and would refuse every value;
     * minimum and maximum carry the bounds.
     */
    public static Validator strictSchema(JsonObject schema) {
        return Validator.create(
                JsonSchema.of(withoutWidthFormats(close(inline(schema)))),
                new JsonSchemaOptions()
                        .setDraft(Draft.DRAFT202012)
                        .setBaseUri("https://keysmith.test/schemas/")
                        .setOutputFormat(OutputFormat.Basic));
    }

    private static JsonObject withoutWidthFormats(JsonObject schema) {
        if ("int32".equals(schema.getValue("format")) || "int64".equals(schema.getValue("format"))) {
            schema.remove("format");
        }
        schema.forEach(e -> {
            if (e.getValue() instanceof JsonObject o) {
                withoutWidthFormats(o);
            } else if (e.getValue() instanceof JsonArray a) {
                a.forEach(x -> {
                    if (x instanceof JsonObject o) {
                        withoutWidthFormats(o);
                    }
                });
            }
        });
        return schema;
    }

    /** The validation errors of {@code value} against the strict component schema (empty when it conforms). */
    public static List<String> errors(String name, Object value) {
        OutputUnit out = strict(name).validate(value);
        List<String> errors = new ArrayList<>();
        if (!Boolean.TRUE.equals(out.getValid())) {
            if (out.getErrors() == null || out.getErrors().isEmpty()) {
                errors.add(String.valueOf(out.getError()));
            } else {
                out.getErrors().forEach(e -> errors.add(e.getInstanceLocation() + ": " + e.getError()));
            }
        }
        return errors;
    }

    /** A copy with every local $ref replaced by the schema it names, and no vendor extensions. */
    private static JsonObject inline(JsonObject schema) {
        JsonObject resolved = schema.containsKey("$ref") ? ContractOperations.resolve(schema) : schema;
        JsonObject out = new JsonObject();
        resolved.forEach(e -> {
            if (e.getKey().startsWith("x-")) {
                return;
            }
            out.put(e.getKey(), inlineValue(e.getValue()));
        });
        return out;
    }

    private static Object inlineValue(Object v) {
        if (v instanceof JsonObject o) {
            return inline(o);
        }
        if (v instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            a.forEach(x -> out.add(inlineValue(x)));
            return out;
        }
        return v;
    }

    /** Every object schema with properties and no additionalProperties rule gets additionalProperties: false. */
    private static JsonObject close(JsonObject schema) {
        if (schema.containsKey("properties") && !schema.containsKey("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        schema.forEach(e -> {
            if (e.getValue() instanceof JsonObject o) {
                close(o);
            } else if (e.getValue() instanceof JsonArray a) {
                a.forEach(x -> {
                    if (x instanceof JsonObject o) {
                        close(o);
                    }
                });
            }
        });
        return schema;
    }
}
