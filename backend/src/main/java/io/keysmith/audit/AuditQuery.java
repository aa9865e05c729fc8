package io.keysmith.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The audit log's filters, shared by the page and the export; every one optional. {@code to} is exclusive. */
public record AuditQuery(
        String action, UUID actor, String targetType, String targetId, OffsetDateTime from, OffsetDateTime to) {}
