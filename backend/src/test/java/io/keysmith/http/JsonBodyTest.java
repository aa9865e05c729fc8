package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The bounded body parser: Vert.x's types, refusals by width, depth and NUL")
class JsonBodyTest {
    private static Object parse(String s) {
        return JsonBody.parse(Buffer.buffer(s));
    }

    private static ApiProblem refusal(String s) {
        try {
            parse(s);
        } catch (ApiProblem p) {
            return p;
        }
        throw new AssertionError("accepted: " + s.substring(0, Math.min(80, s.length())));
    }

    @Test
    void givesTheValuesVertxsOwnDecoderGives() {
        String doc = "{\"a\":1,\"b\":12345678901,\"c\":1.5,\"d\":\"x\",\"e\":[true,false,null],\"f\":{\"g\":[]},"
                + "\"h\":123456789012345678901234567890}";
        assertThat(parse(doc)).isEqualTo(new JsonObject(doc));
        JsonObject ours = (JsonObject) parse(doc);
        JsonObject vertx = new JsonObject(doc);
        for (String field : vertx.fieldNames()) {
            Object v = vertx.getValue(field);
            assertThat(ours.getValue(field)).as(field).isEqualTo(v);
            if (v != null) {
                assertThat(ours.getValue(field).getClass()).as(field).isEqualTo(v.getClass());
            }
        }
        assertThat(parse("[1,\"a\"]")).isEqualTo(new JsonArray("[1,\"a\"]"));
        assertThat(parse("\"s\"")).isEqualTo("s");
        assertThat(parse("null")).isNull();
    }

    @Test
    void refusesMalformedAndTrailingContent() {
        assertThat(refusal("{\"a\":").getMessage()).isEqualTo("The body is not valid JSON");
        assertThat(refusal("{} {}").getMessage()).isEqualTo("The body is not valid JSON");
        assertThat(refusal("").getMessage()).isEqualTo("The body is not valid JSON");
    }

    @Test
    void refusesWideObjectsAndArrays_namingWhere() {
        StringBuilder wide = new StringBuilder("{\"list\":[");
        for (int i = 0; i <= JsonBody.MAX_ENTRIES; i++) {
            wide.append(i == 0 ? "" : ",").append(i);
        }
        ApiProblem p = refusal(wide.append("]}").toString());
        assertThat(p.getMessage()).contains("too many items");
        assertThat(p.field()).isEqualTo("list");
        StringBuilder props = new StringBuilder("{");
        for (int i = 0; i <= JsonBody.MAX_ENTRIES; i++) {
            props.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
        }
        assertThat(refusal(props.append("}").toString()).getMessage()).contains("too many properties");
    }

    @Test
    void refusesDeepNesting_butTakesItsLimit() {
        int max = JsonBody.MAX_DEPTH;
        assertThat(parse("[".repeat(max) + "]".repeat(max))).isNotNull();
        assertThat(refusal("[".repeat(max + 1) + "]".repeat(max + 1)).getMessage())
                .contains("nested too deeply");
        assertThat(refusal("[".repeat(5000)).getMessage()).contains("nested too deeply");
    }

    @Test
    void refusesNul_inValuesAndNames_namingTheField() {
        ApiProblem p = refusal("{\"owner\":{\"firstName\":\"A\\u0000\"}}");
        assertThat(p.field()).isEqualTo("owner.firstName");
        assertThat(p.getMessage()).contains("NUL");
        assertThat(refusal("{\"a\\u0000b\":1}").getMessage()).contains("NUL");
        assertThat(refusal("[\"x\",\"\\u0000\"]").field()).isEqualTo("1");
    }
}
