package io.keysmith.people;

import io.keysmith.audit.AuditRepository;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Cursors;

/** People records assembled: repository, service (field rights), handlers with cursors sealed by the secret. */
public record PeopleFeature(PeopleService service, PeopleHandlers handlers) {
    public static PeopleFeature assemble(Db db, AuditRepository audit, ClientAddress client, ServerSecret secret) {
        PeopleService service = new PeopleService(db, new PeopleRepository(), audit);
        Cursors cursors = new Cursors(
                secret.versions().stream().map(ServerSecret.Version::key).toList());
        return new PeopleFeature(service, new PeopleHandlers(service, client, cursors));
    }
}
