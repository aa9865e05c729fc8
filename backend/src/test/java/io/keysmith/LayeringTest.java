package io.keysmith;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vertx.sqlclient.SqlClient;

/**
 * The layering, stated so the next change keeps it: features (one package each) form no cycles; the plumbing
 * (config, db, errors, http, ops) depends on no feature, except the route table, which is the HTTP half of the composition
 * root; services and repositories know nothing of HTTP; SQL is written only in repositories and db.
 */
@AnalyzeClasses(packages = "io.keysmith", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    private static final String[] FEATURES = {
        "io.keysmith.accesslevels..",
        "io.keysmith.audit..",
        "io.keysmith.auth..",
        "io.keysmith.demo..",
        "io.keysmith.keys..",
        "io.keysmith.oauth..",
        "io.keysmith.organizations..",
        "io.keysmith.partners..",
        "io.keysmith.people..",
        "io.keysmith.signin..",
        "io.keysmith.usage..",
        "io.keysmith.users.."
    };
    private static final String[] PLUMBING = {
        "io.keysmith.config..",
        "io.keysmith.db..",
        "io.keysmith.errors..",
        "io.keysmith.http..",
        "io.keysmith.ops..",
        "io.keysmith.text.."
    };
    /** The route table binds every feature's handlers: part of the composition root, not of the plumbing. */
    private static final String ROUTES = "io\\.keysmith\\.http\\.Routes(\\$.*)?";

    @ArchTest
    static final ArchRule packagesFormNoCycles = slices().matching("io.keysmith.(*)..")
            .namingSlices("$1")
            .as("the packages of io.keysmith")
            .should()
            .beFreeOfCycles()
            .ignoreDependency(nameMatching(ROUTES), JavaClass.Predicates.resideInAPackage("io.keysmith.."));

    @ArchTest
    static final ArchRule plumbingDependsOnNoFeature = noClasses()
            .that()
            .resideInAnyPackage(PLUMBING)
            .and()
            .haveNameNotMatching(ROUTES)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(FEATURES);

    @ArchTest
    static final ArchRule servicesAndRepositoriesKnowNothingOfHttp = noClasses()
            .that()
            .haveSimpleNameEndingWith("Service")
            .or()
            .haveSimpleNameEndingWith("Repository")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.keysmith.http..")
            .as("services and repositories import nothing of http");

    @ArchTest
    static final ArchRule sqlOnlyInRepositories = noClasses()
            .that()
            .haveSimpleNameNotEndingWith("Repository")
            .and()
            .resideOutsideOfPackage("io.keysmith.db..")
            // KeyVerifier's LISTEN connection sends a heartbeat "SELECT 1": a liveness check, no data
            .and()
            .doNotHaveFullyQualifiedName("io.keysmith.keys.KeyVerifier")
            .should()
            .callMethodWhere(
                    target(owner(assignableTo(SqlClient.class))).and(target(nameMatching("query|preparedQuery"))))
            .as("SQL is written only in *Repository classes and db");
}
