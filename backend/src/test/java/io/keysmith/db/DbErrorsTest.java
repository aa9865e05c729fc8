package io.keysmith.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A constraint violation becomes the refusal its repository declared, and nothing else does")
class DbErrorsTest {
    private static final DbErrors DECLARED = DbErrors.declare()
            .unique("partners_name", () -> new Conflict("name-taken", "A partner with this name already exists"))
            .foreignKey(
                    "api_keys_partner_id_fkey", () -> new Invalid("partnerId", "Field 'partnerId' names no partner"))
            .check("some_check", () -> new Invalid("x", "Field 'x' is out of range"));

    private static PgException violation(String sqlState, String constraint) {
        return new PgException(
                "violates",
                "ERROR",
                sqlState,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "public",
                "t",
                null,
                null,
                constraint);
    }

    @Test
    void aDeclaredUniqueForeignKeyOrCheckViolation_becomesItsDomainFailure() {
        assertThat(DECLARED.translated(violation("23505", "partners_name")))
                .isInstanceOf(Conflict.class)
                .hasMessage("A partner with this name already exists");
        assertThat(DECLARED.translated(violation("23503", "api_keys_partner_id_fkey")))
                .isInstanceOfSatisfying(
                        Invalid.class, i -> assertThat(i.field()).isEqualTo("partnerId"));
        assertThat(DECLARED.translated(violation("23514", "some_check"))).isInstanceOf(Invalid.class);
    }

    @Test
    void anUndeclaredConstraint_orTheRightNameWithAnotherSqlState_staysABug() {
        PgException other = violation("23505", "users_email_per_org");
        assertThat(DECLARED.translated(other)).isSameAs(other);
        PgException wrongKind = violation("23503", "partners_name");
        assertThat(DECLARED.translated(wrongKind)).isSameAs(wrongKind);
        PgException noConstraint = new PgException("syntax", "ERROR", "42601", null);
        assertThat(DECLARED.translated(noConstraint)).isSameAs(noConstraint);
        IllegalStateException bug = new IllegalStateException("a bug");
        assertThat(DECLARED.translated(bug)).isSameAs(bug);
    }

    @Test
    void eachDeclarationMakesANewTable_theOldOneIsUnchanged() {
        DbErrors base = DbErrors.declare();
        DbErrors more = base.unique("partners_name", () -> new Conflict("name-taken", "taken"));
        PgException v = violation("23505", "partners_name");
        assertThat(base.translated(v)).isSameAs(v);
        assertThat(more.translated(v)).isInstanceOf(Conflict.class);
    }

    @Test
    void aNulCharacter_andALostConnection_areRecognisedByTheirSqlStates() {
        assertThat(DbErrors.isUnstorableCharacter(new PgException("nul", "ERROR", "22021", null)))
                .isTrue();
        assertThat(DbErrors.isUnstorableCharacter(new PgException("nul", "ERROR", "22P05", null)))
                .isTrue();
        assertThat(DbErrors.isUnavailable(new PgException("admin shutdown", "FATAL", "57P01", null)))
                .isTrue();
        assertThat(DbErrors.isUnavailable(violation("23505", "partners_name"))).isFalse();
    }
}
