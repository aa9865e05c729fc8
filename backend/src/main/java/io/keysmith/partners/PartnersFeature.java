package io.keysmith.partners;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;

/** The partner directory assembled: repository, service (the rules), handlers. */
public record PartnersFeature(PartnerService service, PartnerHandlers handlers) {
    public static PartnersFeature assemble(
            Db db, AuditRepository audit, PermissionCatalog catalog, ClientAddress client) {
        PartnerService service = new PartnerService(db, new PartnerRepository(), audit, catalog);
        return new PartnersFeature(service, new PartnerHandlers(service, client));
    }
}
