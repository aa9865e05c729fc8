package io.keysmith.leastprivilege;

import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.keys.KeyOperations;
import io.keysmith.keys.KeyService;
import io.keysmith.usage.UsageRepository;

/** Least privilege assembled: its repository (reductions), service and handlers, on the keys' rules and usage. */
public record LeastPrivilegeFeature(LeastPrivilegeService service, LeastPrivilegeHandlers handlers) {

    public static LeastPrivilegeFeature assemble(
            Db db, KeyService keys, UsageRepository usage, KeyOperations operations, ClientAddress client) {
        LeastPrivilegeService service =
                new LeastPrivilegeService(db, keys, usage, new LeastPrivilegeRepository(), operations);
        return new LeastPrivilegeFeature(service, new LeastPrivilegeHandlers(service, client));
    }
}
