package io.keysmith.sso;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.keysmith.signin.SessionHandlers;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * HTTP side of single sign-on. The PKCE verifier of a sign-in in progress travels only in an HttpOnly cookie scoped
 * to /api/v1/sso (SameSite=Lax: the SPA's callback page posts it after a cross-site redirect from the IdP), so only
 * the browser that started a sign-in can finish it.
 */
public final class SsoHandlers {
    static final String COOKIE = "ks_sso";
    private static final String PATH = "/api/v1/sso";

    private final SsoService service;
    private final SessionHandlers sessions;
    private final ClientAddress client;

    public SsoHandlers(SsoService service, SessionHandlers sessions, ClientAddress client) {
        this.service = service;
        this.sessions = sessions;
        this.client = client;
    }

    public void settings(RoutingContext rc) {
        service.settings(Caller.of(rc)).onSuccess(j -> Responses.ok(rc, j)).onFailure(rc::fail);
    }

    public void saveSettings(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        service.save(Caller.of(rc), body, client.address(rc))
                .onSuccess(j -> Responses.ok(rc, j))
                .onFailure(rc::fail);
    }

    public void start(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        String org = body.getString("organizationId");
        service.start(body.getString("email"), org == null ? null : UUID.fromString(org), client.address(rc))
                .onSuccess(start -> {
                    if (start.verifier() != null) {
                        rc.response()
                                .addCookie(
                                        cookie(rc, start.verifier()).setMaxAge(SsoService.LOGIN_LIFETIME.toSeconds()));
                    }
                    Responses.ok(rc, start.answer());
                })
                .onFailure(rc::fail);
    }

    public void complete(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        Cookie verifier = rc.request().getCookie(COOKIE);
        // used or not, this sign-in is over for the browser
        rc.response().addCookie(cookie(rc, "").setMaxAge(0));
        service.complete(
                        body.getString("code"),
                        body.getString("state"),
                        verifier == null ? null : verifier.getValue(),
                        client.address(rc))
                .onSuccess(outcome -> {
                    sessions.setCookie(rc, outcome.sessionToken());
                    Responses.ok(rc, new JsonObject().put("status", "SIGNED_IN").put("me", outcome.me()));
                })
                .onFailure(rc::fail);
    }

    private Cookie cookie(RoutingContext rc, String value) {
        return Cookie.cookie(COOKIE, value)
                .setPath(PATH)
                .setHttpOnly(true)
                .setSameSite(CookieSameSite.LAX)
                .setSecure(client.isHttps(rc));
    }
}
