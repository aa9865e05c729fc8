package io.keysmith.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two connections serve many interleaved requests of two organizations: the tenant set on a pooled connection never
 * leaks into the next borrower's transaction.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A pool of two connections never hands one organization's rows to the other")
class PooledConnectionIT {
    private static final int REQUESTS = 1_000;
    private static final int BATCH = 100;

    private static TestServer server;
    private static Api api;
    private static Session a;
    private static Session b;
    private static final Set<String> aUsers = new HashSet<>();
    private static final Set<String> bUsers = new HashSet<>();
    private static final Set<String> aLevels = new HashSet<>();
    private static final Set<String> bLevels = new HashSet<>();
    private static final Set<String> aPeople = new HashSet<>();
    private static final Set<String> bPeople = new HashSet<>();

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                PostgresFixture.get().newDatabase("pooled_connections"), new JsonObject().put("database.pool.size", 2));
        api = new Api(vertx, server.port());
        a = api.signUp("Pooled A", Api.uniqueEmail("pool-a"));
        b = api.signUp("Pooled B", Api.uniqueEmail("pool-b"));
        aUsers.add(a.userId());
        bUsers.add(b.userId());
        for (int i = 0; i < 3; i++) {
            aUsers.add(api.createUser(a, Api.uniqueEmail("pool-a-" + i), "EMPLOYEE", null)
                    .getJsonObject("user")
                    .getString("id"));
            bUsers.add(api.createUser(b, Api.uniqueEmail("pool-b-" + i), "NON_EMPLOYEE", null)
                    .getJsonObject("user")
                    .getString("id"));
            aPeople.add(api.createPerson(
                            a, new JsonObject().put("firstName", "Ann" + i).put("lastName", "Pool"))
                    .getString("id"));
            bPeople.add(api.createPerson(
                            b, new JsonObject().put("firstName", "Ben" + i).put("lastName", "Pool"))
                    .getString("id"));
        }
        api.createAccessLevel(a, Api.accessLevelBody("Pool A level", "OWN", java.util.Map.of(), "people:read"));
        api.createAccessLevel(b, Api.accessLevelBody("Pool B level", "ALL", java.util.Map.of(), "users:read"));
        api.accessLevels(a).forEach(l -> aLevels.add(((JsonObject) l).getString("id")));
        api.accessLevels(b).forEach(l -> bLevels.add(((JsonObject) l).getString("id")));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private record Call(Session session, String path) {}

    @Test
    @DisplayName(
            "1,000 interleaved concurrent requests of A and B: every answer holds only its own organization's data")
    void interleavedConcurrentRequests_neverCrossOrganizations() {
        List<Call> calls = List.of(
                new Call(a, "/api/v1/users"),
                new Call(b, "/api/v1/users"),
                new Call(a, "/api/v1/me"),
                new Call(b, "/api/v1/me"),
                new Call(b, "/api/v1/audit-events"),
                new Call(a, "/api/v1/audit-events"),
                new Call(a, "/api/v1/users/" + a.userId()),
                new Call(b, "/api/v1/users/" + b.userId()),
                new Call(a, "/api/v1/access-levels"),
                new Call(b, "/api/v1/people"),
                new Call(b, "/api/v1/access-levels"),
                new Call(a, "/api/v1/people"));
        AtomicInteger crossOrganization = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        for (int start = 0; start < REQUESTS; start += BATCH) {
            List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
            List<Call> sent = new ArrayList<>();
            for (int i = start; i < start + BATCH; i++) {
                Call call = calls.get(i % calls.size());
                sent.add(call);
                batch.add(
                        api.request(HttpMethod.GET, call.path(), call.session()).send());
            }
            Future.all(batch).await();
            for (int i = 0; i < batch.size(); i++) {
                Call call = sent.get(i);
                HttpResponse<Buffer> r = batch.get(i).result();
                if (r.statusCode() != 200) {
                    failures.add(call.path() + " -> " + r.statusCode() + " " + r.bodyAsString());
                    continue;
                }
                ok.incrementAndGet();
                crossOrganization.addAndGet(crossings(call, r.bodyAsJsonObject()));
            }
        }
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(ok.get()).isEqualTo(REQUESTS);
        assertThat(crossOrganization.get())
                .as("results from the other organization")
                .isZero();
    }

    /** How many pieces of the answer belong to the other organization (or to no known user of its own). */
    private static int crossings(Call call, JsonObject body) {
        boolean isA = call.session() == a;
        Set<String> own = isA ? aUsers : bUsers;
        Set<String> other = new HashSet<>(isA ? bUsers : aUsers);
        other.addAll(isA ? bLevels : aLevels);
        other.addAll(isA ? bPeople : aPeople);
        String ownOrg = call.session().organizationId();
        String otherOrg = (isA ? b : a).organizationId();
        int n = 0;
        String text = body.encode();
        if (text.contains(otherOrg)) {
            n++;
        }
        for (String id : other) {
            if (text.contains(id)) {
                n++;
            }
        }
        if (call.path().equals("/api/v1/users")) {
            var items = body.getJsonArray("items");
            if (items.size() != own.size()) {
                n++;
            }
            for (int i = 0; i < items.size(); i++) {
                if (!own.contains(items.getJsonObject(i).getString("id"))) {
                    n++;
                }
            }
        } else if (call.path().equals("/api/v1/access-levels") || call.path().equals("/api/v1/people")) {
            Set<String> mine = call.path().endsWith("people") ? (isA ? aPeople : bPeople) : (isA ? aLevels : bLevels);
            var items = body.getJsonArray("items");
            if (items.size() != mine.size()) {
                n++;
            }
            for (int i = 0; i < items.size(); i++) {
                if (!mine.contains(items.getJsonObject(i).getString("id"))) {
                    n++;
                }
            }
        } else if (call.path().equals("/api/v1/me")) {
            if (!ownOrg.equals(body.getJsonObject("organization").getString("id"))
                    || !call.session()
                            .userId()
                            .equals(body.getJsonObject("user").getString("id"))) {
                n++;
            }
        } else if (call.path().equals("/api/v1/audit-events")) {
            var items = body.getJsonArray("items");
            if (items.isEmpty()) {
                n++;
            }
            for (int i = 0; i < items.size(); i++) {
                String actor = items.getJsonObject(i).getString("actorUserId");
                if (actor != null && !own.contains(actor)) {
                    n++;
                }
            }
        } else if (!own.contains(body.getString("id"))) {
            n++;
        }
        return n;
    }
}
