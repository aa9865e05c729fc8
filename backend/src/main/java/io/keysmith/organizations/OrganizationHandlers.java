package io.keysmith.organizations;

import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.keysmith.signin.SessionHandlers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

public final class OrganizationHandlers {
    private final OrganizationService service;
    private final SessionHandlers sessions;
    private final ClientAddress client;

    public OrganizationHandlers(OrganizationService service, SessionHandlers sessions, ClientAddress client) {
        this.service = service;
        this.sessions = sessions;
        this.client = client;
    }

    public void signUp(RoutingContext rc) {
        service.signUp(RequestValidation.input(rc).bodyObject(), client.publicBase(), client.address(rc))
                .onSuccess(outcome -> {
                    if (outcome.confirmationSent()) {
                        Responses.json(rc, 202, new JsonObject().put("status", "CONFIRMATION_SENT"));
                        return;
                    }
                    sessions.setCookie(rc, outcome.signedIn().sessionToken());
                    Responses.json(rc, 201, outcome.signedIn().me());
                })
                .onFailure(rc::fail);
    }

    public void confirmSignUp(RoutingContext rc) {
        service.confirmSignUp(RequestValidation.input(rc).bodyObject().getString("token"), client.address(rc))
                .onSuccess(outcome -> {
                    sessions.setCookie(rc, outcome.sessionToken());
                    Responses.json(rc, 201, outcome.me());
                })
                .onFailure(rc::fail);
    }

    public void createAsOperator(RoutingContext rc) {
        service.createAsOperator(RequestValidation.input(rc).bodyObject(), client.publicBase(), client.address(rc))
                .onSuccess(created -> Responses.json(rc, 201, created))
                .onFailure(rc::fail);
    }
}
