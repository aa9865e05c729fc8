package io.keysmith.keys;

import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The verdict cache against a load that raced a change, forced step by step through the verifier's test seam: a
 * verification misses the cache and its database read completes; the test holds it there; the key is disabled
 * through the API (committed, and the notification handled by this replica); the load is released and tries to
 * store what it read. The next verification must be refused.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A verdict loaded before a committed change is never served after it")
class KeyVerifierCacheIT {
    private static TestServer server;
    private static KeysApi api;
    private static Session owner;

    /** What the current test does at the verifier's seam; null: nothing (loads are stored at once). */
    private static volatile KeyVerifier.Hook hook;

    @BeforeAll
    static void start(Vertx vertx) {
        // the seam is a constructor argument of the verifier: this server's verifier asks whatever hook is set
        KeyVerifier.Hook delegating = new KeyVerifier.Hook() {
            @Override
            public Future<Void> loaded(UUID keyId) {
                KeyVerifier.Hook h = hook;
                return h == null ? null : h.loaded(keyId);
            }

            @Override
            public void notified(String org) {
                KeyVerifier.Hook h = hook;
                if (h != null) {
                    h.notified(org);
                }
            }
        };
        server =
                TestServer.start(PostgresFixture.get().newDatabase("key_verifier_cache"), new JsonObject(), delegating);
        api = new KeysApi(vertx, server.port());
        owner = api.signUp("Verifier Cache Org", uniqueEmail("vc-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void unhook() {
        hook = null;
    }

    private static CompletableFuture<HttpResponse<Buffer>> people(String secret) {
        return api.http()
                .request(HttpMethod.GET, "/api/v1/people", null)
                .timeout(30_000)
                .putHeader("Authorization", "Bearer " + secret)
                .send()
                .toCompletionStage()
                .toCompletableFuture();
    }

    @Test
    @DisplayName("a load that read the key before it was disabled, and stores after the disable was announced, is"
            + " not served: the next request is refused")
    void aLoadThatRacedADisableIsNotServed() throws Exception {
        JsonObject key = api.inheritKey(owner, "raced", "PEOPLE");
        UUID keyId = UUID.fromString(key.getJsonObject("key").getString("id"));
        String secret = key.getString("secret");

        CompletableFuture<Void> readDone = new CompletableFuture<>();
        Promise<Void> release = Promise.promise();
        AtomicInteger notifications = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        hook = new KeyVerifier.Hook() {
            @Override
            public Future<Void> loaded(UUID loaded) {
                if (!loaded.equals(keyId) || held.getAndIncrement() > 0) {
                    return Future.succeededFuture(); // only the first load of this key is held
                }
                readDone.complete(null);
                return release.future();
            }

            @Override
            public void notified(String org) {
                notifications.incrementAndGet();
            }
        };

        // 1. a verification misses the cache; its database read completes (key still ACTIVE); held there
        CompletableFuture<HttpResponse<Buffer>> inFlight = people(secret);
        readDone.get(20, TimeUnit.SECONDS);

        // 2. the key is disabled through the API: committed, and this replica handled the notification
        int before = notifications.get();
        KeysApi.Reply disabled = api.keyAction(owner, keyId.toString(), "disable", null);
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (notifications.get() <= before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(notifications.get())
                .as("the disable's notification reached this replica")
                .isGreaterThan(before);
        Thread.sleep(200); // any other notification of this commit, too

        // 3. the load is released: it tries to store the verdict it read before the disable
        server.app.vertx().runOnContext(v -> release.complete());
        HttpResponse<Buffer> first = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(first.statusCode())
                .as("the request in flight began before the disable: %s", first.bodyAsString())
                .isIn(200, 401);

        // 4. the next verification must be refused
        HttpResponse<Buffer> next = people(secret).get(20, TimeUnit.SECONDS);
        assertThat(next.statusCode())
                .as("a request after the disable was committed and announced: %s", next.bodyAsString())
                .isEqualTo(401);
    }
}
