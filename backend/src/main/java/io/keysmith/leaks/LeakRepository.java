package io.keysmith.leaks;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** The SQL of leak reports: the cross-organization look-up by secret hash, and the organization's leak policy. */
public final class LeakRepository {
    /** A key whose current secret (or previous one, in its rotation grace) hashes to {@code hashHex}. */
    public record Match(String hashHex, UUID organization, UUID key, UUID owner, String status, boolean previous) {}

    /** Every key one of {@code hashes} belongs to, in one round trip (SECURITY DEFINER: before any organization). */
    public Future<List<Match>> keysByHashes(SqlClient conn, List<byte[]> hashes) {
        Buffer[] values = hashes.stream().map(Buffer::buffer).toArray(Buffer[]::new);
        return conn.preparedQuery("SELECT * FROM ks_keys_by_leaked_hashes($1)")
                .execute(Tuple.of(values))
                .map(rows -> {
                    List<Match> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Match(
                                HexFormat.of().formatHex(r.getBuffer("hash").getBytes()),
                                r.getUUID("organization_id"),
                                r.getUUID("key_id"),
                                r.getUUID("owner_user_id"),
                                r.getString("status"),
                                "PREVIOUS".equals(r.getString("matched"))));
                    }
                    return out;
                });
    }

    /** The organization's policy for a reported leak: REVOKE (the default), DISABLE or NOTIFY. */
    public Future<String> leakResponse(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT leak_response FROM organization_policies WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows ->
                        rows.size() == 0 ? "REVOKE" : rows.iterator().next().getString(0));
    }
}
