package io.keysmith.partners;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;

/** The partner directory assembled. */
public record PartnersFeature(PartnerHandlers handlers) {
    public static PartnersFeature assemble(
            Db db, AuditRepository audit, PermissionCatalog catalog, ClientAddress client) {
        return new PartnersFeature(new PartnerHandlers(db, new PartnerRepository(), audit, catalog, client));
    }
}
