package io.keysmith.http;

import io.vertx.ext.web.Router;

/** Router-level errors (no route, wrong method, failures) all become problem+json through one handler. */
public final class ErrorPages {
    private ErrorPages() {}

    public static void install(Router router) {
        FailureHandler failures = new FailureHandler();
        router.route().failureHandler(failures);
        for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, failures);
        }
    }
}
