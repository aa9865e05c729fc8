package io.keysmith.text;

/**
 * RFC 4180 lines for the CSV exports (audit log, API keys), with cells a spreadsheet would run as a formula defused
 * (OWASP CSV injection: a leading {@code = + - @}, tab or carriage return gets an apostrophe).
 */
public final class Csv {
    private Csv() {}

    /** The cells as one CRLF-terminated line. */
    public static String line(String... cells) {
        StringBuilder line = new StringBuilder(200);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(cell(cells[i]));
        }
        return line.append("\r\n").toString();
    }

    /** One escaped, formula-safe cell; null is empty. */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String v = value;
        char first = v.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
