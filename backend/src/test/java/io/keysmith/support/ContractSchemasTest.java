package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The schema check the people tests rely on does catch what they look for. */
@DisplayName("ContractSchemas checks responses against the contract, closed against unknown keys")
class ContractSchemasTest {
    private static final String ID = "7d0f6c52-8c1e-4d7a-9d1e-2a3b4c5d6e7f";

    @Test
    @DisplayName("a valid Person passes; a null, an unknown key, a wrong type or a bad enum fails")
    void person() {
        assertThat(ContractSchemas.errors(
                        "Person",
                        new JsonObject()
                                .put("id", ID)
                                .put("salary", 10.5)
                                .put("employmentStatus", "ACTIVE")
                                .put("dateOfBirth", "1970-01-01")))
                .isEmpty();
        assertThat(ContractSchemas.errors(
                        "Person", new JsonObject().put("id", ID).putNull("salary")))
                .isNotEmpty();
        assertThat(ContractSchemas.errors(
                        "Person", new JsonObject().put("id", ID).put("ssn", "x")))
                .isNotEmpty();
        assertThat(ContractSchemas.errors(
                        "Person", new JsonObject().put("id", ID).put("salary", "10")))
                .isNotEmpty();
        assertThat(ContractSchemas.errors(
                        "Person", new JsonObject().put("id", ID).put("employmentStatus", "GONE")))
                .isNotEmpty();
        assertThat(ContractSchemas.errors("Person", new JsonObject().put("firstName", "No id")))
                .isNotEmpty();
    }

    @Test
    @DisplayName("the person fields are FieldRights' properties, each a property of Person too")
    void personFields() {
        assertThat(ContractSchemas.personFields())
                .startsWith("firstName", "lastName", "workEmail")
                .contains("salary", "dateOfBirth", "nationalId", "homeAddress")
                .hasSize(13)
                .doesNotHaveDuplicates();
        JsonObject person = ContractOperations.contract()
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject("Person")
                .getJsonObject("properties");
        assertThat(person.fieldNames()).containsAll(ContractSchemas.personFields());
    }
}
