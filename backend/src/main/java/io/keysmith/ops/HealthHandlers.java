package io.keysmith.ops;

import io.keysmith.db.Db;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.FailureHandler;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/** Liveness (the process runs) and readiness (the database answers) for load balancers and Kubernetes. */
public final class HealthHandlers {
    private static final JsonObject UP = new JsonObject().put("status", "UP");
    private static final byte[] UP_BYTES = UP.toBuffer().getBytes();

    private final Pool pool;

    public HealthHandlers(Pool pool) {
        this.pool = pool;
    }

    public void live(RoutingContext rc) {
        rc.response()
                .putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store")
                .end(io.vertx.core.buffer.Buffer.buffer(UP_BYTES));
    }

    public void ready(RoutingContext rc) {
        Db.ping(pool)
                .timeout(2, TimeUnit.SECONDS)
                .onSuccess(r ->
                        Responses.ok(rc, new JsonObject().put("status", "UP").put("database", "UP")))
                .onFailure(e -> FailureHandler.send(rc, ApiProblem.unavailable("The database does not answer")));
    }
}
