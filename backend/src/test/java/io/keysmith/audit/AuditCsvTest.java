package io.keysmith.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.text.Csv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Audit CSV: RFC 4180 escaping, and no cell a spreadsheet would run as a formula")
class AuditCsvTest {

    @Test
    void cellsStartingWithAFormulaCharacter_arePrefixedWithAnApostrophe() {
        assertThat(Csv.cell("=HYPERLINK(\"http://evil\")")).isEqualTo("\"'=HYPERLINK(\"\"http://evil\"\")\"");
        assertThat(Csv.cell("+1")).isEqualTo("'+1");
        assertThat(Csv.cell("-2+3")).isEqualTo("'-2+3");
        assertThat(Csv.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(Csv.cell("\tx")).isEqualTo("'\tx");
        assertThat(Csv.cell("Ada = Lovelace")).isEqualTo("Ada = Lovelace");
    }

    @Test
    void commasQuotesAndLineBreaks_areQuoted_withQuotesDoubled() {
        assertThat(Csv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell(null)).isEmpty();
    }

    @Test
    void aRow_hasOneCellPerColumn_inTheHeadersOrder_endingInCrlf() {
        JsonObject e = new JsonObject()
                .put("occurredAt", "2026-12-02T01:00:00Z")
                .put("action", "api-key.updated")
                .put("actorUserId", "u1")
                .put("actorName", "Ada Lovelace")
                .put("targetType", "api-key")
                .put("targetId", "k1")
                .put("targetName", "Payroll, sync")
                .put("apiTypeTitle", "People API")
                .put("sourceAddress", "203.0.113.7")
                .put("changedFields", new JsonArray().add("name").add("description"));
        assertThat(AuditCsv.header().toString()).isEqualTo(String.join(",", AuditCsv.COLUMNS) + "\r\n");
        assertThat(AuditCsv.row(e).toString())
                .isEqualTo("2026-12-02T01:00:00Z,api-key.updated,u1,Ada Lovelace,api-key,k1,\"Payroll, sync\","
                        + "People API,203.0.113.7,name description,,\r\n");
    }

    @Test
    void aTransfer_namesTheNewOwner_inTheLastTwoColumns() {
        JsonObject e = new JsonObject()
                .put("occurredAt", "2026-12-02T01:00:00Z")
                .put("action", "api-key.transferred")
                .put("targetType", "api-key")
                .put("targetId", "k1")
                .put("subjectUserId", "u2")
                .put("subjectName", "Grace Hopper");
        assertThat(AuditCsv.COLUMNS.subList(AuditCsv.COLUMNS.size() - 2, AuditCsv.COLUMNS.size()))
                .containsExactly("subjectUserId", "subject");
        assertThat(AuditCsv.row(e).toString()).endsWith(",u2,Grace Hopper\r\n");
    }
}
