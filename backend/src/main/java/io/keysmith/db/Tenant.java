package io.keysmith.db;

import io.vertx.sqlclient.SqlConnection;
import java.util.UUID;

/**
 * A connection inside a transaction that row-level security confines to {@code org}. Repositories also filter by
 * {@code org} explicitly in every statement: the first layer of isolation, visible in review, and the predicate the
 * planner needs to use the (organization_id, ...) indexes. RLS is the backstop (ADR 0001).
 */
public record Tenant(SqlConnection conn, UUID org) {}
