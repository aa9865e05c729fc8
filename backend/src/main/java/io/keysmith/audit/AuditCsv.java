package io.keysmith.audit;

import io.keysmith.text.Csv;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The export's CSV (RFC 4180: CRLF rows, fields quoted when they hold a comma, quote or line break, quotes doubled).
 * Names and addresses come from users, so a cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage
 * return first: OWASP's CSV injection advice) is prefixed with an apostrophe.
 */
final class AuditCsv {
    static final List<String> COLUMNS = List.of(
            "occurredAt",
            "action",
            "actorUserId",
            "actor",
            "targetType",
            "targetId",
            "target",
            "apiType",
            "sourceAddress",
            "changedFields",
            // appended, so readers that take columns by position keep working: whom a transfer handed the key to
            "subjectUserId",
            "subject");

    private AuditCsv() {}

    static Buffer header() {
        return Buffer.buffer(String.join(",", COLUMNS) + "\r\n");
    }

    static Buffer row(JsonObject e) {
        JsonArray fields = e.getJsonArray("changedFields", new JsonArray());
        StringBuilder changed = new StringBuilder();
        fields.forEach(f -> changed.append(changed.isEmpty() ? "" : " ").append(f));
        String actor = e.getString("actorName", e.getString("actorLabel"));
        String apiType = e.getString("apiTypeTitle", e.getString("apiType"));
        String[] cells = {
            e.getString("occurredAt"),
            e.getString("action"),
            e.getString("actorUserId"),
            actor,
            e.getString("targetType"),
            e.getString("targetId"),
            e.getString("targetName"),
            apiType,
            e.getString("sourceAddress"),
            changed.toString(),
            e.getString("subjectUserId"),
            e.getString("subjectName")
        };
        return Buffer.buffer(Csv.line(cells));
    }
}
