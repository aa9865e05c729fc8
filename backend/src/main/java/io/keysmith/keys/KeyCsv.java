package io.keysmith.keys;

import io.keysmith.text.Csv;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The API Management export's CSV (RFC 4180: CRLF rows, a field quoted when it holds a comma, quote or line break,
 * quotes doubled), UTF-8 with a byte order mark so spreadsheets read the names right. Names and descriptions come
 * from users, so a cell a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first: OWASP's CSV
 * injection advice) is prefixed with an apostrophe. Never a secret: the key JSON holds only its hint.
 */
final class KeyCsv {
    static final List<String> COLUMNS = List.of(
            "id",
            "name",
            "description",
            "hint",
            "ownerUserId",
            "owner",
            "apiType",
            "partnerId",
            "status",
            "permissionMode",
            "createdAt",
            "lastUsedAt",
            "expiresAt",
            "rateLimitPerMinute");

    private KeyCsv() {}

    static Buffer header() {
        return Buffer.buffer("\uFEFF" + String.join(",", COLUMNS) + "\r\n");
    }

    static Buffer row(JsonObject k) {
        JsonObject owner = k.getJsonObject("owner");
        Object rate = k.getValue("rateLimitPerMinute");
        String[] cells = {
            k.getString("id"),
            k.getString("name"),
            k.getString("description"),
            k.getString("hint"),
            owner.getString("id"),
            owner.getString("name"),
            k.getString("apiType"),
            k.getString("partnerId"),
            k.getString("status"),
            k.getString("permissionMode"),
            k.getString("createdAt"),
            k.getString("lastUsedAt"),
            k.getString("expiresAt"),
            rate == null ? null : rate.toString()
        };
        return Buffer.buffer(Csv.line(cells));
    }
}
