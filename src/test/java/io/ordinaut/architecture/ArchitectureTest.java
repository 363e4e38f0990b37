package io.ordinaut.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.HandlerInterceptor;

import io.ordinaut.web.Authenticator;

/**
 * The package borders of docs/architecture.md, checked on the compiled main classes: a change that
 * crosses one fails the build instead of slipping in.
 */
class ArchitectureTest {

    /** Packages that hold the product's domain (everything but web, config and the root). */
    private static final String[] DOMAIN = {
            "io.ordinaut.admin..", "io.ordinaut.agent..", "io.ordinaut.audit..", "io.ordinaut.console..", "io.ordinaut.event..", "io.ordinaut.health..", "io.ordinaut.mcp..", "io.ordinaut.pipeline..",
            "io.ordinaut.queue..", "io.ordinaut.run..", "io.ordinaut.schedule..", "io.ordinaut.task..",
            "io.ordinaut.tool..", "io.ordinaut.trigger.."};

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ordinaut");
    }

    @Test
    void packages_have_no_dependency_cycles() {
        slices().matching("io.ordinaut.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void schedule_math_depends_on_nothing_but_the_jdk_lib_recur_the_root_input_error_and_the_horizon() {
        ArchRule rule = classes().that().resideInAPackage("io.ordinaut.schedule..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "JDK, lib-recur, io.ordinaut.schedule, io.ordinaut.InvalidInputException or io.ordinaut.Horizon",
                        (JavaClass c) -> c.getPackageName().startsWith("java.")
                                || c.getPackageName().startsWith("org.dmfs.")
                                || c.getPackageName().startsWith("io.ordinaut.schedule")
                                || c.getName().equals("io.ordinaut.InvalidInputException")
                                || c.getName().equals("io.ordinaut.Horizon")
                                || c.isPrimitive() || c.isArray() && c.getBaseComponentType().getPackageName().startsWith("java.")));
        rule.check(main);
    }

    @Test
    void web_plumbing_knows_no_domain_package() {
        noClasses().that().resideInAPackage("io.ordinaut.web..")
                .should().dependOnClassesThat().resideInAnyPackage(DOMAIN)
                .check(main);
    }

    @Test
    void only_controllers_interceptors_and_the_authenticator_of_a_domain_package_use_web_types() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                // mcp is a second front door beside the controllers: it authenticates and hands calls to their routes
                .and().resideOutsideOfPackage("io.ordinaut.mcp..")
                .and().areNotAnnotatedWith(RestController.class)
                .and().areNotAssignableTo(HandlerInterceptor.class)
                .and().areNotAssignableTo(Authenticator.class)
                .should().dependOnClassesThat().resideInAPackage("io.ordinaut.web..")
                .check(main);
    }

    @Test
    void domain_code_builds_no_http_answers() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .and().areNotAnnotatedWith(RestController.class)
                .and().areNotAssignableTo(HandlerInterceptor.class)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.http..")
                .check(main);
    }

    /**
     * Every package may record metrics, so the metrics package must know none of them (web included) — but the
     * check every properties record runs on its settings, which knows none of ours either.
     */
    @Test
    void metrics_knows_no_other_package_of_ours() {
        noClasses().that().resideInAPackage("io.ordinaut.metrics..")
                .should().dependOnClassesThat(DescribedPredicate.describe("another io.ordinaut package (but config.Setting)",
                        (JavaClass c) -> c.getPackageName().startsWith("io.ordinaut")
                                && !c.getPackageName().startsWith("io.ordinaut.metrics")
                                && !c.getName().equals("io.ordinaut.config.Setting")))
                .check(main);
    }

    /** Setting is the one config type every package may use; it stays a leaf, so no cycle can pass through it. */
    @Test
    void the_settings_check_knows_no_other_package_of_ours() {
        noClasses().that().haveFullyQualifiedName("io.ordinaut.config.Setting")
                .should().dependOnClassesThat(DescribedPredicate.describe("an io.ordinaut package other than config",
                        (JavaClass c) -> c.getPackageName().startsWith("io.ordinaut") && !c.getPackageName().equals("io.ordinaut.config")))
                .check(main);
    }

    @Test
    void quartz_types_stay_in_the_trigger_package() {
        noClasses().that().resideOutsideOfPackage("io.ordinaut.trigger..")
                .should().dependOnClassesThat().resideInAPackage("org.quartz..")
                .check(main);
    }
}
