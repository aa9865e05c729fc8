package io.keysmith.sso;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL of single sign-on: the organization's configuration, linked IdP identities, sign-ins in progress. */
public final class SsoRepository {

    /** A stored configuration (the client secret still sealed). */
    public record Config(
            UUID organizationId,
            boolean enabled,
            String issuer,
            String clientId,
            String clientSecretSealed,
            List<String> allowedDomains,
            boolean jitEnabled,
            UUID jitAccessLevelId,
            boolean ssoRequired,
            UUID breakGlassUserId,
            long version) {}

    /** A sign-in in progress, as the callback finds it. */
    public record LoginState(UUID organizationId, String nonce, String codeChallenge) {}

    public Future<Config> find(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT * FROM sso_configurations WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> rows.size() == 0 ? null : config(rows.iterator().next()));
    }

    public Future<Config> findForUpdate(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT * FROM sso_configurations WHERE organization_id = $1 FOR UPDATE")
                .execute(Tuple.of(t.org()))
                .map(rows -> rows.size() == 0 ? null : config(rows.iterator().next()));
    }

    public Future<Config> save(Tenant t, Config c) {
        return t.conn()
                .preparedQuery("""
                        INSERT INTO sso_configurations (organization_id, enabled, issuer, client_id, client_secret_sealed,
                                                        allowed_domains, jit_enabled, jit_access_level_id, sso_required,
                                                        break_glass_user_id)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        ON CONFLICT (organization_id) DO UPDATE SET
                          enabled = EXCLUDED.enabled, issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
                          client_secret_sealed = EXCLUDED.client_secret_sealed,
                          allowed_domains = EXCLUDED.allowed_domains, jit_enabled = EXCLUDED.jit_enabled,
                          jit_access_level_id = EXCLUDED.jit_access_level_id, sso_required = EXCLUDED.sso_required,
                          break_glass_user_id = EXCLUDED.break_glass_user_id,
                          version = sso_configurations.version + 1, updated_at = now()
                        RETURNING *""")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    c.enabled(),
                    c.issuer(),
                    c.clientId(),
                    c.clientSecretSealed(),
                    c.allowedDomains().toArray(new String[0]),
                    c.jitEnabled(),
                    c.jitAccessLevelId(),
                    c.ssoRequired(),
                    c.breakGlassUserId()
                }))
                .map(rows -> config(rows.iterator().next()));
    }

    /** Organizations whose enabled SSO admits the domain (before any organization is known). */
    public Future<RowSet<Row>> organizationsForDomain(SqlClient client, String domain) {
        return client.preparedQuery("SELECT * FROM ks_sso_organizations_for_domain($1)")
                .execute(Tuple.of(domain));
    }

    /** Of these organizations, those requiring SSO: organization id and break-glass user id (may be null). */
    public Future<RowSet<Row>> requiringSso(SqlClient client, UUID[] organizations) {
        return client.preparedQuery("SELECT * FROM ks_sso_required($1)").execute(Tuple.of(organizations));
    }

    /** Records a sign-in in progress, and drops those past their time (so the table stays small). */
    public Future<Void> insertState(
            SqlClient client,
            byte[] stateHash,
            UUID organizationId,
            String nonce,
            String codeChallenge,
            String source,
            OffsetDateTime expiresAt) {
        return client.preparedQuery("SELECT ks_sso_state_begin($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.of(Buffer.buffer(stateHash), organizationId, nonce, codeChallenge, source, expiresAt))
                .mapEmpty();
    }

    /**
     * Takes the live sign-in of this state begun by this browser (its PKCE challenge), once: the row is deleted, so
     * a replayed state finds nothing. Another browser's challenge leaves the row alone.
     */
    public Future<LoginState> consumeState(SqlClient client, byte[] stateHash, String codeChallenge) {
        return client.preparedQuery("SELECT organization_id, nonce, code_challenge FROM ks_sso_state_take($1, $2)")
                .execute(Tuple.of(Buffer.buffer(stateHash), codeChallenge))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new LoginState(
                            r.getUUID("organization_id"), r.getString("nonce"), r.getString("code_challenge"));
                });
    }

    /** The user linked to an IdP account, or null. */
    public Future<UUID> linkedUser(Tenant t, String issuer, String subject) {
        return t.conn()
                .preparedQuery("SELECT user_id FROM sso_identities WHERE organization_id = $1 AND issuer = $2"
                        + " AND subject = $3")
                .execute(Tuple.of(t.org(), issuer, subject))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("user_id"));
    }

    public Future<Void> link(Tenant t, String issuer, String subject, UUID userId) {
        return t.conn()
                .preparedQuery("INSERT INTO sso_identities (organization_id, issuer, subject, user_id)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(t.org(), issuer, subject, userId))
                .mapEmpty();
    }

    /** The user of this e-mail in the organization (any status): id and status, or null. */
    public Future<Row> userByEmail(Tenant t, String email) {
        return t.conn()
                .preparedQuery("SELECT id, status FROM users WHERE organization_id = $1 AND lower(email) = lower($2)")
                .execute(Tuple.of(t.org(), email))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** A user's status and built-in level (null for a custom one), or null when the user does not exist. */
    public Future<Row> userStatus(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT u.status, a.builtin FROM users u JOIN access_levels a"
                        + " ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
                        + " WHERE u.organization_id = $1 AND u.id = $2")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    private static Config config(Row r) {
        String[] domains = r.getArrayOfStrings("allowed_domains");
        return new Config(
                r.getUUID("organization_id"),
                r.getBoolean("enabled"),
                r.getString("issuer"),
                r.getString("client_id"),
                r.getString("client_secret_sealed"),
                domains == null ? List.of() : new ArrayList<>(List.of(domains)),
                r.getBoolean("jit_enabled"),
                r.getUUID("jit_access_level_id"),
                r.getBoolean("sso_required"),
                r.getUUID("break_glass_user_id"),
                r.getLong("version"));
    }
}
