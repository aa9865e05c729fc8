package io.keysmith.accesslevels;

import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;

/** Access levels assembled: repository, service (the rules), handlers. */
public record AccessLevelsFeature(
        AccessLevelRepository repository, AccessLevelService service, AccessLevelHandlers handlers) {
    public static AccessLevelsFeature assemble(
            Db db, AuditRepository audit, PermissionCatalog catalog, ClientAddress client) {
        AccessLevelRepository repository = new AccessLevelRepository();
        AccessLevelService service = new AccessLevelService(db, repository, audit, catalog);
        return new AccessLevelsFeature(repository, service, new AccessLevelHandlers(service, catalog, client));
    }
}
