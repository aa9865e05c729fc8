package io.keysmith.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a request body as a stream and refuses it as soon as it exceeds what any operation of the contract takes:
 * too many properties in one object, items in one array, tokens in all, or levels of nesting (issue 13: one object of
 * 90,000 properties cost 0.8 s of event-loop time). A NUL character in any string or name is refused naming the field
 * (PostgreSQL cannot store it). The result has the types Vert.x's own decoder gives (JsonObject, JsonArray, String,
 * Integer/Long/BigInteger, Double, Boolean, null).
 */
public final class JsonBody {
    /** More than any schema of the contract allows (its largest array holds 100 items, its widest object ~20). */
    public static final int MAX_ENTRIES = 1000;

    public static final int MAX_DEPTH = 32;
    public static final int MAX_TOKENS = 50_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1) // our own count answers first, with a better message
                    .maxNumberLength(100)
                    .maxNameLength(1000)
                    .maxStringLength(16 * 1024 * 1024)
                    .maxTokenCount(MAX_TOKENS + 10)
                    .build())
            .build();

    private JsonBody() {}

    /** The parsed value; an {@link ApiProblem} (400) when it is not JSON or exceeds the bounds. */
    public static Object parse(Buffer raw) {
        try (JsonParser p = FACTORY.createParser(raw.getBytes())) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw notJson();
            }
            Object value = read(p, first, new ArrayDeque<>(), new int[] {0});
            if (p.nextToken() != null) {
                throw notJson(); // trailing content
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw ApiProblem.badRequest("The body is larger or deeper than the server accepts", null);
        } catch (IOException e) {
            throw notJson();
        }
    }

    private static ApiProblem notJson() {
        return ApiProblem.badRequest("The body is not valid JSON", null);
    }

    private static Object read(JsonParser p, JsonToken token, Deque<String> path, int[] tokens) throws IOException {
        if (++tokens[0] > MAX_TOKENS) {
            throw ApiProblem.badRequest("The body has too many values (more than " + MAX_TOKENS + ")", null);
        }
        switch (token) {
            case START_OBJECT -> {
                nest(path);
                Map<String, Object> map = new LinkedHashMap<>();
                int entries = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    if (t != JsonToken.FIELD_NAME) {
                        throw notJson();
                    }
                    String name = p.currentName();
                    if (++entries > MAX_ENTRIES) {
                        throw ApiProblem.badRequest(
                                (path.isEmpty() ? "The body" : "Field '" + field(path) + "'")
                                        + " has too many properties (more than " + MAX_ENTRIES + ")",
                                path.isEmpty() ? null : field(path));
                    }
                    path.addLast(name);
                    if (name.indexOf('\0') >= 0) {
                        throw nul(path);
                    }
                    map.put(name, read(p, p.nextToken(), path, tokens));
                    path.removeLast();
                }
                return new JsonObject(map);
            }
            case START_ARRAY -> {
                nest(path);
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (list.size() >= MAX_ENTRIES) {
                        throw ApiProblem.badRequest(
                                (path.isEmpty() ? "The body" : "Field '" + field(path) + "'")
                                        + " has too many items (more than " + MAX_ENTRIES + ")",
                                path.isEmpty() ? null : field(path));
                    }
                    path.addLast(Integer.toString(list.size()));
                    list.add(read(p, t, path, tokens));
                    path.removeLast();
                }
                return new JsonArray(list);
            }
            case VALUE_STRING -> {
                String s = p.getText();
                if (s.indexOf('\0') >= 0) {
                    throw nul(path);
                }
                return s;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw notJson();
        }
    }

    /** Called on entering a container whose own path is {@code path}; depth counts the containers. */
    private static void nest(Deque<String> path) {
        // a container's depth is one more than the number of containers enclosing it, which is path's size
        if (path.size() + 1 > MAX_DEPTH) {
            throw ApiProblem.badRequest("The body is nested too deeply (more than " + MAX_DEPTH + " levels)", null);
        }
    }

    private static ApiProblem nul(Deque<String> path) {
        String field = field(path);
        return ApiProblem.badRequest("Field '" + field + "' contains a NUL character, which is not allowed", field);
    }

    private static String field(Deque<String> path) {
        return String.join(".", path);
    }
}
