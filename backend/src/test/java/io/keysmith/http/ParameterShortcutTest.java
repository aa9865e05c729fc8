package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RequestValidation skips the schema validator for a parameter value its shortcut calls certainly valid: for every
 * parameter schema of the contract, on generated values around each bound, the shortcut never accepts a value the
 * validator refuses (and it does accept the plain valid ones, or it would save nothing).
 */
@DisplayName("The parameter shortcut never accepts what the contract's schema validator refuses")
class ParameterShortcutTest {

    private static List<Object> candidates(JsonSchema schema, Random random) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String uuid = UUID.randomUUID().toString();
            values.add(uuid);
            values.add(uuid.toUpperCase());
            values.add(uuid.substring(1));
            values.add(uuid + "0");
        }
        values.add("not-a-uuid");
        values.add("");
        Number max = schema.get("maxLength");
        int top = max == null ? 300 : max.intValue() + 2;
        for (int n : new int[] {0, 1, 2, 5, top - 3, top - 2, top - 1, top}) {
            if (n >= 0) {
                values.add("a".repeat(n));
                values.add("\uD83D\uDE00".repeat(n)); // one code point, two chars
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    b.append((char) (0x20 + random.nextInt(0x250)));
                }
                values.add(b.toString());
            }
        }
        if (schema.get("enum") instanceof JsonArray e) {
            values.addAll(e.getList());
            e.forEach(v -> values.add(String.valueOf(v).toLowerCase() + "x"));
        }
        for (long n : new long[] {Long.MIN_VALUE, -1, 0, 1, 2, 49, 50, 99, 100, 101, 1000, 1001, Long.MAX_VALUE}) {
            values.add(n);
        }
        for (Object bound : new Object[] {schema.get("minimum"), schema.get("maximum")}) {
            if (bound instanceof Number b) {
                values.add(b.longValue() - 1);
                values.add(b.longValue());
                values.add(b.longValue() + 1);
            }
        }
        values.add(Boolean.TRUE);
        values.add(Boolean.FALSE);
        values.add("true");
        values.add(1.5d);
        return values;
    }

    @Test
    @DisplayName("every parameter schema of openapi.yaml, on values around its bounds")
    void shortcutIsSound() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            OpenAPIContract contract = Contract.load(vertx)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            Random random = new Random(12);
            int shortcuts = 0;
            int accepted = 0;
            List<String> unsound = new ArrayList<>();
            for (Operation op : contract.operations()) {
                for (Parameter p : op.getParameters()) {
                    Predicate<Object> shortcut = RequestValidation.shortcut(p.getSchema());
                    if (shortcut == null) {
                        continue;
                    }
                    shortcuts++;
                    var validator = contract.getSchemaRepository().validator(p.getSchema());
                    for (Object v : candidates(p.getSchema(), random)) {
                        if (shortcut.test(v)) {
                            accepted++;
                            if (!validator.validate(v).getValid()) {
                                unsound.add(op.getOperationId() + " " + p.getName() + ": " + v);
                            }
                        }
                    }
                }
            }
            assertThat(unsound)
                    .as("values the shortcut accepts and the schema refuses")
                    .isEmpty();
            assertThat(shortcuts).as("parameters with a shortcut").isGreaterThan(20);
            assertThat(accepted).as("values the shortcut accepted").isGreaterThan(500);
        } finally {
            vertx.close();
        }
    }
}
