package io.keysmith.http;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.keys.KeyFormat;
import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hot routes' fast path (FastPath) against the routed path, on a real server and PostgreSQL: every request is
 * sent to the exact path (taken by the fast path, which the test checks) and to the same path with a trailing slash
 * (which the fast path leaves to the main router, and the router resolves to the same operation); status, problem
 * body and every header but Date and Content-Length must be equal. Other methods on the hot paths must not be taken
 * by the fast path (the main router answers them, 405). Values that move between two requests (the
 * remaining budget, seconds to reset) are compared by their form, the rest exactly.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The fast path of verify and forward-auth answers exactly as the routed path")
class FastPathIT {
    private static final String VERIFY = "/api/v1/api-keys/verify";
    private static final String FORWARD = "/api/v1/forward-auth";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static TestServer server;
    private static KeysApi api;
    private static Session owner;
    private static Session other;
    private static String gateway;
    private static String otherGateway;
    private static String people;
    private static String audit;
    private static String scoped;
    private static String limited;
    private static String disabled;
    private static String personId;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                PostgresFixture.get().newDatabase("fast_path"),
                new JsonObject().put("key.failures.per.minute", 1_000_000));
        api = new KeysApi(vertx, server.port());
        owner = api.signUp("Fast Path Org", uniqueEmail("fp-owner"));
        other = api.signUp("Fast Path Other", uniqueEmail("fp-other"));
        gateway = secret(api.inheritKey(owner, "gateway", "VERIFICATION"));
        otherGateway = secret(api.inheritKey(other, "other gateway", "VERIFICATION"));
        people = secret(api.inheritKey(owner, "people", "PEOPLE"));
        audit = secret(api.inheritKey(owner, "audit", "AUDIT"));
        scoped = secret(api.createKey(
                owner, keyBody("scoped", "PEOPLE", "SCOPED").put("permissions", new JsonArray().add("people:read"))));
        limited = secret(
                api.createKey(owner, keyBody("limited", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 1)));
        JsonObject off = api.inheritKey(owner, "disabled", "PEOPLE");
        assertThat(api.keyAction(owner, off.getJsonObject("key").getString("id"), "disable", null)
                        .status())
                .isEqualTo(200);
        disabled = secret(off);
        personId = api.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Ada")
                                .put("lastName", "Lovelace")
                                .put("workEmail", uniqueEmail("ada")))
                .getString("id");
        // the limited key's one request of this minute is spent: both paths then answer RATE_LIMITED alike
        send("POST", VERIFY, Map.of("Authorization", "Bearer " + gateway), "application/json", verifyBody(limited));
        send("GET", FORWARD, forward("GET", "/api/v1/people", limited), null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String secret(JsonObject created) {
        return created.getString("secret");
    }

    private static String verifyBody(String key) {
        return new JsonObject().put("key", key).encode();
    }

    private static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    private static Map<String, String> forward(String method, String uri, String partner, String... extra) {
        Map<String, String> h = new TreeMap<>();
        h.put("X-Keysmith-Gateway-Key", gateway);
        h.put("X-Forwarded-Method", method);
        h.put("X-Forwarded-Uri", uri);
        if (partner != null) {
            h.put("Authorization", "Bearer " + partner);
        }
        for (int i = 0; i < extra.length; i += 2) {
            if (extra[i + 1] == null) {
                h.remove(extra[i]);
            } else {
                h.put(extra[i], extra[i + 1]);
            }
        }
        return h;
    }

    record Case(String name, String method, String path, Map<String, String> headers, String type, String body) {}

    record Answer(int status, String body, Map<String, String> headers) {}

    static Answer send(String method, String path, Map<String, String> headers, String type, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            headers.forEach(b::header);
            if (type != null) {
                b.header("Content-Type", type);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> h = new TreeMap<>();
            r.headers().map().forEach((name, values) -> h.put(name.toLowerCase(), String.join("|", values)));
            return new Answer(r.statusCode(), r.body(), h);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    /** The same path with a trailing slash (before any query): the router's spelling, not the fast path's. */
    private static String routed(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path + "/" : path.substring(0, q) + "/" + path.substring(q);
    }

    /** What must be equal: the instance (the path as sent) and values that move between two requests set aside. */
    private static String normalized(Answer a, String path) {
        Map<String, String> h = new TreeMap<>(a.headers());
        h.remove("date");
        h.remove("content-length");
        h.computeIfPresent("ratelimit", (k, v) -> v.replaceAll("r=\\d+", "r=N").replaceAll("t=\\d+", "t=N"));
        h.computeIfPresent("retry-after", (k, v) -> v.matches("\\d+") ? "N" : v);
        String body = a.body()
                .replace("\"instance\":\"" + routed(path).replaceAll("\\?.*", "") + "\"", "\"instance\":\"PATH\"")
                .replace("\"instance\":\"" + path.replaceAll("\\?.*", "") + "\"", "\"instance\":\"PATH\"")
                .replaceAll("\"remaining\":\\d+", "\"remaining\":N")
                .replaceAll("\"resetSeconds\":\\d+", "\"resetSeconds\":N")
                .replaceAll("over its limit of \\d+", "over its limit of N");
        return a.status() + " " + h + " " + body;
    }

    private static List<Case> verifyCases() {
        List<Case> c = new ArrayList<>();
        String json = "application/json";
        Map<String, String> g = bearer(gateway);
        c.add(new Case("valid", "POST", VERIFY, g, json, verifyBody(people)));
        c.add(new Case(
                "valid with permissions and remaining",
                "POST",
                VERIFY,
                g,
                json,
                new JsonObject()
                        .put("key", scoped)
                        .put("permissions", new JsonArray().add("people:read"))
                        .put("includeRemaining", true)
                        .put("ipAddress", "10.1.2.3")
                        .encode()));
        c.add(new Case(
                "insufficient permissions",
                "POST",
                VERIFY,
                g,
                json,
                new JsonObject()
                        .put("key", scoped)
                        .put("permissions", new JsonArray().add("people:delete"))
                        .encode()));
        c.add(new Case("rate limited", "POST", VERIFY, g, json, verifyBody(limited)));
        c.add(new Case("disabled", "POST", VERIFY, g, json, verifyBody(disabled)));
        c.add(new Case("unknown", "POST", VERIFY, g, json, verifyBody(KeyFormat.generate())));
        c.add(new Case("malformed", "POST", VERIFY, g, json, verifyBody("ksk_nope")));
        c.add(new Case("other organization's gateway", "POST", VERIFY, bearer(otherGateway), json, verifyBody(people)));
        c.add(new Case("no gateway key", "POST", VERIFY, Map.of(), json, verifyBody(people)));
        c.add(new Case("forged gateway key", "POST", VERIFY, bearer(KeyFormat.generate()), json, verifyBody(people)));
        c.add(new Case(
                "gateway key as Basic, unknown",
                "POST",
                VERIFY,
                Map.of(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString((KeyFormat.generate() + ":x").getBytes())),
                json,
                verifyBody(people)));
        c.add(new Case("gateway key of another API type", "POST", VERIFY, bearer(people), json, verifyBody(people)));
        c.add(new Case("gateway key in the URL", "POST", VERIFY + "?api_key=" + gateway, g, json, verifyBody(people)));
        c.add(new Case("not JSON", "POST", VERIFY, g, json, "{\"key\":"));
        c.add(new Case("an array", "POST", VERIFY, g, json, "[1,2]"));
        c.add(new Case("null", "POST", VERIFY, g, json, "null"));
        c.add(new Case("no body", "POST", VERIFY, g, json, null));
        c.add(new Case("missing key", "POST", VERIFY, g, json, "{}"));
        c.add(new Case("extra property", "POST", VERIFY, g, json, "{\"key\":\"x\",\"other\":1}"));
        c.add(new Case("key too long", "POST", VERIFY, g, json, verifyBody("k".repeat(201))));
        c.add(new Case(
                "bad permission",
                "POST",
                VERIFY,
                g,
                json,
                new JsonObject()
                        .put("key", people)
                        .put("permissions", new JsonArray().add("PEOPLE"))
                        .encode()));
        c.add(new Case(
                "ipAddress not an IP",
                "POST",
                VERIFY,
                g,
                json,
                new JsonObject().put("key", people).put("ipAddress", "<b>x</b>").encode()));
        c.add(new Case("NUL in a string", "POST", VERIFY, g, json, "{\"key\":\"a\\u0000b\"}"));
        c.add(new Case("too deep", "POST", VERIFY, g, json, "[".repeat(40) + "]".repeat(40)));
        c.add(new Case(
                "oversized body",
                "POST",
                VERIFY,
                g,
                json,
                "{\"key\":\"" + people + "\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}"));
        c.add(new Case("text/plain", "POST", VERIFY, g, "text/plain", verifyBody(people)));
        c.add(new Case("no content type", "POST", VERIFY, g, null, verifyBody(people)));
        c.add(new Case("json with charset", "POST", VERIFY, g, "application/json; charset=utf-8", verifyBody(people)));
        c.add(new Case("GET", "GET", VERIFY, g, null, null));
        c.add(new Case("HEAD", "HEAD", VERIFY, g, null, null));
        c.add(new Case("an empty body", "POST", VERIFY, g, json, ""));
        c.add(new Case("+json media type", "POST", VERIFY, g, "application/vnd.partner+json", verifyBody(people)));
        c.add(new Case("a form body", "POST", VERIFY, g, "application/x-www-form-urlencoded", "key=" + people));
        c.add(new Case("a multipart body", "POST", VERIFY, g, "multipart/form-data; boundary=b", "--b--"));
        c.add(new Case("a harmless query string", "POST", VERIFY + "?x=1", g, json, verifyBody(people)));
        c.add(new Case("PUT", "PUT", VERIFY, g, json, verifyBody(people)));
        return c;
    }

    private static List<Case> forwardCases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("valid", "GET", FORWARD, forward("GET", "/api/v1/people?limit=5", people), null, null));
        c.add(new Case("a person", "GET", FORWARD, forward("GET", "/api/v1/people/" + personId, people), null, null));
        c.add(new Case("not a UUID", "GET", FORWARD, forward("GET", "/api/v1/people/not-a-uuid", people), null, null));
        c.add(new Case(
                "limit not a number", "GET", FORWARD, forward("GET", "/api/v1/people?limit=x", people), null, null));
        c.add(new Case(
                "auth-request mode, refused",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", disabled, "X-Keysmith-Gateway-Mode", "auth-request"),
                null,
                null));
        c.add(new Case("disabled", "GET", FORWARD, forward("GET", "/api/v1/people", disabled), null, null));
        c.add(new Case(
                "unknown key", "GET", FORWARD, forward("GET", "/api/v1/people", KeyFormat.generate()), null, null));
        c.add(new Case("no partner key", "GET", FORWARD, forward("GET", "/api/v1/people", null), null, null));
        c.add(new Case("outside API type", "GET", FORWARD, forward("GET", "/api/v1/people", audit), null, null));
        c.add(new Case(
                "missing permission",
                "GET",
                FORWARD,
                forward("DELETE", "/api/v1/people/" + personId, scoped),
                null,
                null));
        c.add(new Case(
                "session-only operation", "GET", FORWARD, forward("POST", "/api/v1/api-keys", people), null, null));
        c.add(new Case("rate limited", "GET", FORWARD, forward("GET", "/api/v1/people", limited), null, null));
        c.add(new Case(
                "key in URL", "GET", FORWARD, forward("GET", "/api/v1/people?api_key=" + people, people), null, null));
        c.add(new Case("ambiguous URI", "GET", FORWARD, forward("GET", "/api/v1/people/%2e%2e", people), null, null));
        c.add(new Case("unknown operation", "GET", FORWARD, forward("GET", "/api/v1/nothing", people), null, null));
        c.add(new Case(
                "no forwarded URI",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people, "X-Forwarded-Uri", null),
                null,
                null));
        c.add(new Case(
                "forwarded URI too long",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people?q=" + "x".repeat(2_100), people),
                null,
                null));
        c.add(new Case(
                "partner address not an IP",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people, "X-Real-IP", "10.0.0.1, 10.0.0.2"),
                null,
                null));
        c.add(new Case(
                "no gateway key",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people, "X-Keysmith-Gateway-Key", null),
                null,
                null));
        c.add(new Case(
                "gateway key of another API type",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people, "X-Keysmith-Gateway-Key", people),
                null,
                null));
        c.add(new Case(
                "other organization's gateway",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people, "X-Keysmith-Gateway-Key", otherGateway),
                null,
                null));
        c.add(new Case(
                "with a body",
                "GET",
                FORWARD,
                forward("GET", "/api/v1/people", people),
                "application/json",
                "{\"pad\":\"" + "x".repeat(64 * 1024) + "\"}"));
        c.add(new Case("POST", "POST", FORWARD, forward("GET", "/api/v1/people", people), null, null));
        c.add(new Case("HEAD", "HEAD", FORWARD, forward("GET", "/api/v1/people", people), null, null));
        return c;
    }

    private static List<String> compare(List<Case> cases) {
        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            long before = FastPath.taken();
            Answer fast = send(c.method(), c.path(), c.headers(), c.type(), c.body());
            boolean tookFast = FastPath.taken() > before;
            long between = FastPath.taken();
            Answer routed = send(c.method(), routed(c.path()), c.headers(), c.type(), c.body());
            boolean routedFast = FastPath.taken() > between;
            String a = normalized(fast, c.path());
            String b = normalized(routed, c.path());
            boolean hot = (c.method().equals("POST") && c.path().startsWith(VERIFY))
                    || (c.method().equals("GET") && c.path().startsWith(FORWARD));
            // form bodies are read by vertx-web's BodyHandler as forms: the fast path leaves them to the router
            boolean form = c.type() != null
                    && (c.type().startsWith("multipart/") || c.type().contains("form-url"));
            if (tookFast != (hot && !form) || routedFast) {
                mismatches.add(c.name() + ": fast path taken " + tookFast + ", by the routed spelling " + routedFast);
            }
            if (!hot) {
                continue; // another method: the fast path leaves it to the main router, whichever the spelling
            }
            if (!a.equals(b)) {
                mismatches.add(c.name() + ":\n  fast   " + a + "\n  routed " + b);
            }
        }
        return mismatches;
    }

    @Test
    @DisplayName("verify: valid, every code, every refusal of the gateway, bad, oversized and malformed bodies, content"
            + " types and methods")
    void verifyAnswersAlike() {
        List<Case> cases = verifyCases();
        assertThat(compare(cases)).as("fast path vs routed path").isEmpty();
        // the cases cover what they name (a comparison of two identical failures would prove little)
        assertThat(send("POST", VERIFY, bearer(gateway), "application/json", verifyBody(people))
                        .body())
                .contains("\"valid\":true");
        assertThat(send("POST", VERIFY, bearer(gateway), "application/json", "{\"key\":\"" + "x".repeat(70_000) + "\"}")
                        .status())
                .isEqualTo(413);
        assertThat(send("POST", VERIFY, bearer(gateway), "text/plain", verifyBody(people))
                        .status())
                .isEqualTo(415);
    }

    @Test
    @DisplayName("forward-auth: allowed, every refusal, parameters the API rejects, the gateway's refusals and methods")
    void forwardAuthAnswersAlike() {
        assertThat(compare(forwardCases())).as("fast path vs routed path").isEmpty();
        assertThat(send("GET", FORWARD, forward("GET", "/api/v1/people/not-a-uuid", people), null, null)
                        .status())
                .as("a non-UUID person id, as the API answers it")
                .isEqualTo(400);
        assertThat(send("GET", FORWARD, forward("GET", "/api/v1/people/" + personId, people), null, null)
                        .status())
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------------ on the wire

    /** Writes {@code parts} (PATH replaced by {@code path}) on one connection, then reads {@code answers} answers. */
    private static List<Answer> wire(String path, int answers, String... parts) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            for (String part : parts) {
                out.write(part.replace("PATH", path).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            List<Answer> read = new ArrayList<>();
            while (read.size() < answers) {
                Answer a = readAnswer(in);
                if (a.status() >= 200) { // an interim 100 Continue is not an answer
                    read.add(a);
                }
            }
            return read;
        }
    }

    private static String line(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("connection closed after: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static Answer readAnswer(java.io.InputStream in) throws java.io.IOException {
        String status = line(in);
        Map<String, String> h = new TreeMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            h.merge(
                    l.substring(0, colon).trim().toLowerCase(),
                    l.substring(colon + 1).trim(),
                    (x, y) -> x + "|" + y);
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        byte[] body = new byte[0];
        if (code >= 200 && h.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(h.get("content-length")));
        }
        assertThat(h).as("answers carry a Content-Length").doesNotContainKey("transfer-encoding");
        return new Answer(code, new String(body, StandardCharsets.UTF_8), h);
    }

    private static String verifyHead(String more) {
        return "POST PATH HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + gateway
                + "\r\nContent-Type: application/json\r\n" + more + "\r\n";
    }

    private static String chunked(String body, int pieces) {
        StringBuilder b = new StringBuilder();
        int size = Math.max(1, body.length() / pieces);
        for (int i = 0; i < body.length(); i += size) {
            String piece = body.substring(i, Math.min(body.length(), i + size));
            b.append(Integer.toHexString(piece.length()))
                    .append("\r\n")
                    .append(piece)
                    .append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }

    private static String forwardRequest(String partner, String uri) {
        return "GET PATH HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Keysmith-Gateway-Key: " + gateway
                + "\r\nAuthorization: Bearer " + partner + "\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Uri: " + uri
                + "\r\n\r\n";
    }

    /** Sends the same bytes to both spellings; the answers, in order, must be equal; returns the fast path's. */
    private static List<Answer> wireAlike(String name, String hotPath, boolean taken, int answers, String... parts)
            throws Exception {
        long before = FastPath.taken();
        List<Answer> fast = wire(hotPath, answers, parts);
        assertThat(FastPath.taken() > before).as(name + ": fast path taken").isEqualTo(taken);
        long between = FastPath.taken();
        List<Answer> routed = wire(routed(hotPath), answers, parts);
        assertThat(FastPath.taken())
                .as(name + ": the routed spelling is routed")
                .isEqualTo(between);
        for (int i = 0; i < answers; i++) {
            assertThat(normalized(fast.get(i), hotPath))
                    .as(name + ", answer " + (i + 1))
                    .isEqualTo(normalized(routed.get(i), hotPath));
        }
        return fast;
    }

    @Test
    @DisplayName("on the wire: chunked uploads (valid and oversized), a Content-Length over the limit, Expect,"
            + " pipelined keep-alive requests and a request that fails mid-body answer alike")
    void wireAnswersAlike() throws Exception {
        String valid = verifyBody(people);
        List<Answer> a =
                wireAlike("chunked", VERIFY, true, 1, verifyHead("Transfer-Encoding: chunked\r\n"), chunked(valid, 3));
        assertThat(a.get(0).body()).contains("\"valid\":true");
        String big = "{\"key\":\"" + people + "\",\"pad\":\"" + "x".repeat(40_000) + "\"}";
        a = wireAlike(
                "chunked, over the limit",
                VERIFY,
                true,
                1,
                verifyHead("Transfer-Encoding: chunked\r\n"),
                chunked(big, 8));
        assertThat(a.get(0).status()).isEqualTo(413);
        a = wireAlike(
                "Content-Length over the limit",
                VERIFY,
                true,
                1,
                verifyHead("Content-Length: " + big.length() + "\r\n"),
                big);
        assertThat(a.get(0).status()).isEqualTo(413);
        a = wireAlike(
                "Expect: 100-continue (left to the router)",
                VERIFY,
                false,
                1,
                verifyHead("Content-Length: " + valid.length() + "\r\nExpect: 100-continue\r\n"),
                valid);
        assertThat(a.get(0).body()).contains("\"valid\":true");
        String oneRequest = verifyHead("Content-Length: " + valid.length() + "\r\n") + valid;
        String badRequest = verifyHead("Content-Length: 7\r\n") + "{\"key\":";
        a = wireAlike(
                "malformed query string",
                VERIFY,
                true,
                1,
                verifyHead("Content-Length: " + valid.length() + "\r\n").replace("PATH", "PATH?a=%zz") + valid);
        assertThat(a.get(0).status()).isEqualTo(400);
        a = wireAlike("pipelined verify", VERIFY, true, 3, oneRequest + badRequest + oneRequest);
        assertThat(a).extracting(Answer::status).containsExactly(200, 400, 200);
        a = wireAlike(
                "pipelined forward-auth",
                FORWARD,
                true,
                3,
                forwardRequest(people, "/api/v1/people")
                        + forwardRequest(disabled, "/api/v1/people")
                        + forwardRequest(people, "/api/v1/people/" + personId));
        assertThat(a).extracting(Answer::status).containsExactly(200, 401, 200);

        // a request that fails mid-body: its connection closes before the announced bytes arrive; nothing is
        // answered on it, and the server goes on answering the next requests alike on both paths
        for (String path : List.of(VERIFY, routed(VERIFY))) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.getOutputStream()
                        .write((verifyHead("Content-Length: 500\r\n").replace("PATH", path) + "{\"key\":\"")
                                .getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                Thread.sleep(200);
            }
        }
        a = wireAlike("after a broken request", VERIFY, true, 1, oneRequest);
        assertThat(a.get(0).body()).contains("\"valid\":true");
    }

    @Test
    @DisplayName("the failure throttle answers alike on both paths (shared per address)")
    void throttledAlike(Vertx vertx) throws Exception {
        try (TestServer small = TestServer.start(
                PostgresFixture.get().newDatabase("fast_path_throttle"),
                new JsonObject().put("key.failures.per.minute", 3))) {
            TestServer main = server;
            server = small;
            try {
                for (int i = 0; i < 4; i++) {
                    send("POST", VERIFY, bearer(KeyFormat.generate()), "application/json", "{\"key\":\"x\"}");
                }
                List<Case> cases = List.of(
                        new Case(
                                "throttled verify",
                                "POST",
                                VERIFY,
                                bearer(KeyFormat.generate()),
                                "application/json",
                                verifyBody(UUID.randomUUID().toString())),
                        new Case(
                                "throttled forward-auth",
                                "GET",
                                FORWARD,
                                forward("GET", "/api/v1/people", KeyFormat.generate()),
                                null,
                                null));
                assertThat(compare(cases)).isEmpty();
                assertThat(send("POST", VERIFY, bearer(KeyFormat.generate()), "application/json", "{\"key\":\"x\"}")
                                .status())
                        .isEqualTo(429);
            } finally {
                server = main;
            }
        }
    }
}
