package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.http.Contract;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.Validator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written check of the verification route gives the schema validator's verdict on every body. */
class VerifyRequestCheckTest {
    private static final Validator SCHEMA = schema();

    private static Validator schema() {
        try (InputStream in = VerifyRequestCheckTest.class.getClassLoader().getResourceAsStream(Contract.PATH)) {
            JsonObject contract = Contract.raw(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            JsonObject schema = contract.getJsonObject("components")
                    .getJsonObject("schemas")
                    .getJsonObject("VerifyRequest");
            return Validator.create(
                    JsonSchema.of(schema),
                    new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app:///"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 3000, seed = "20261123")
    void handCheck_agreesWithTheSchema(@ForAll("bodies") Object body) {
        boolean schemaSays = SCHEMA.validate(body).getValid();
        boolean handSays = VerifyRequestCheck.check(body) == null;
        assertThat(handSays).as("verdict on %s", body).isEqualTo(schemaSays);
    }

    @Provide
    Arbitrary<Object> bodies() {
        Arbitrary<Object> strings = Arbitraries.oneOf(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withChars(':', '-', '_', 'A', '0', ' ', 'é', '😀')
                                .ofMinLength(0)
                                .ofMaxLength(210),
                        Arbitraries.of(
                                "people:read", "audit:read", "people:", ":read", "People:read", "a-b:c-d", "ksk_x"),
                        Arbitraries.strings().ofLength(200),
                        Arbitraries.strings().ofLength(201))
                .map(s -> (Object) s);
        Arbitrary<Object> values = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, strings),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(i -> (Object) i)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new JsonObject()).map(o -> (Object) o)));
        Arbitrary<Object> permissionLists = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        4, strings.list().ofMaxSize(4).map(l -> (Object) new io.vertx.core.json.JsonArray(l))),
                net.jqwik.api.Tuple.of(
                        1, values.list().ofMaxSize(3).map(l -> (Object) new io.vertx.core.json.JsonArray(l))),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.just("people:read").list().ofSize(51).map(l ->
                                (Object) new io.vertx.core.json.JsonArray(l))),
                net.jqwik.api.Tuple.of(1, values));
        Arbitrary<JsonObject> objects = Combinators.combine(
                        values.optional(),
                        permissionLists.optional(),
                        values.optional(),
                        values.optional(),
                        Arbitraries.of("key", "permissions", "extra", "Key", "permission"))
                .as((key, permissions, ip, extra, extraName) -> {
                    JsonObject o = new JsonObject();
                    key.ifPresent(v -> o.put("key", v));
                    permissions.ifPresent(v -> o.put("permissions", v));
                    ip.ifPresent(v -> o.put("ipAddress", v));
                    extra.ifPresent(v -> o.put(extraName, v));
                    return o;
                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, objects.map(o -> (Object) o)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("a string", 42).map(x -> (Object) x)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.just(new io.vertx.core.json.JsonArray()).map(x -> (Object) x)));
    }
}
