package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openapitools.codegen.DefaultGenerator;
import org.openapitools.codegen.config.CodegenConfigurator;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI description is fit for client generators: a Java client generated from /v3/api-docs by
 * openapi-generator compiles and creates a task on a running node, and the description has the shape
 * people and generators rely on (tags, ids, typed bodies, no injected parameters, honest security).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiClientTest {

    private static final Set<String> TAGS = Set.of("tasks", "runs", "schedules", "agents", "tools", "events", "audit", "admin");
    private static final Set<String> PUBLIC_PATHS = Set.of("/", "/health", "/health/live", "/health/ready",
            "/agents/auth/token", "/agents/auth/refresh", "/agents/auth/revoke");

    private final Path work = Path.of("target", "openapi-client").toAbsolutePath();
    private Nodes nodes;
    private int port;
    private String description;
    private JsonNode doc;

    @BeforeAll
    void startNode() {
        nodes = Nodes.onFreshDatabase();
        ConfigurableApplicationContext node = nodes.start("openapi-node");
        port = Nodes.port(node);
        Api.Response answer = new Api(port, null).get("/v3/api-docs");
        assertThat(answer.status()).isEqualTo(200);
        description = answer.body();
        doc = JsonMapper.builder().build().readTree(description);
    }

    @AfterAll
    void stopNode() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void root_answers_without_a_token_naming_the_version_and_the_api_docs() {
        Api.Response root = new Api(port, null).get("/");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.header("Content-Type")).startsWith("application/json");
        JsonNode body = JsonMapper.builder().build().readTree(root.body());
        assertThat(body.path("name").asString()).isEqualTo("Ordinaut");
        assertThat(body.path("version").asString()).isEqualTo(doc.path("info").path("version").asString()).isNotBlank();
        assertThat(body.path("api_docs").asString()).isEqualTo("/v3/api-docs");
        assertThat(new Api(port, null).get(body.path("api_docs").asString()).status()).isEqualTo(200);
        assertThat(body.path("swagger_ui").asString()).isEqualTo("/swagger-ui.html");
    }

    @Test
    void injected_caller_is_never_a_parameter() {
        assertThat(description).doesNotContain("\"caller\"").doesNotContain("\"Caller\"");
        for (JsonNode operation : operations()) {
            for (JsonNode parameter : operation.path("parameters")) {
                assertThat(parameter.path("schema").path("type").asString())
                        .as("parameter %s of %s", parameter.path("name").asString(), operation.path("operationId").asString())
                        .isNotEqualTo("object");
                // the bearer token is the security scheme's, never a header parameter of its own
                assertThat(parameter.path("name").asString()).as("parameter of %s", operation.path("operationId").asString())
                        .isNotEqualToIgnoringCase("Authorization");
            }
        }
    }

    @Test
    void operations_have_meaningful_ids_tags_and_summaries() {
        List<String> ids = new ArrayList<>();
        for (JsonNode operation : operations()) {
            String id = operation.path("operationId").asString();
            ids.add(id);
            assertThat(id).as("operation id").matches("[a-z][A-Za-z]+");
            assertThat(operation.path("summary").asString()).as("summary of %s", id).isNotBlank();
            assertThat(operation.path("tags")).as("tags of %s", id).hasSize(1);
            assertThat(TAGS).as("tag of %s", id).contains(operation.path("tags").get(0).asString());
        }
        // Every tag an operation uses is declared at the top (with its description): generators group by them.
        List<String> declared = new ArrayList<>();
        doc.path("tags").forEach(tag -> declared.add(tag.path("name").asString()));
        assertThat(declared).containsExactlyInAnyOrderElementsOf(TAGS);
        assertThat(ids).doesNotHaveDuplicates().contains("createTask", "pauseTask", "resumeTask", "listRuns", "createAgent",
                "createTool", "previewSchedule", "listAuditEntries", "listWorkers", "getServiceInfo");
    }

    @Test
    void public_operations_declare_no_security_and_the_others_bearer() {
        assertThat(doc.path("security").toString()).isEqualTo("[{\"bearer\":[]}]");
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            JsonNode security = op.getValue().get("security");
            if (PUBLIC_PATHS.contains(path.getKey())) {
                assertThat(security).as("security of %s %s", op.getKey(), path.getKey()).isNotNull();
                assertThat(security.isEmpty()).as("security of %s %s", op.getKey(), path.getKey()).isTrue();
            } else {
                assertThat(security).as("security of %s %s (inherits bearer)", op.getKey(), path.getKey()).isNull();
            }
        }));
    }

    @Test
    void request_bodies_are_typed_in_snake_case() {
        Map<String, String> bodies = Map.of("createTask", "TaskCreateRequest", "updateTask", "TaskUpdateRequest",
                "snoozeTask", "TaskSnoozeRequest", "previewSchedule", "SchedulePreviewRequest", "createAgent", "AgentCreateRequest",
                "updateAgent", "AgentUpdateRequest", "createTool", "ToolCreateRequest", "updateTool", "ToolUpdateRequest",
                "issueToken", "TokenRequest", "discoverTools", "ToolDiscoverRequest");
        for (JsonNode operation : operations()) {
            String id = operation.path("operationId").asString();
            if (bodies.containsKey(id)) {
                assertThat(operation.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asString())
                        .as("body of %s", id).isEqualTo("#/components/schemas/" + bodies.get(id));
            } else if (operation.has("requestBody")) {
                assertThat(operation.path("requestBody").toString()).as("body of %s", id).contains("#/components/schemas/");
            }
        }
        JsonNode create = doc.path("components").path("schemas").path("TaskCreateRequest");
        assertThat(create.path("properties").has("schedule_kind")).isTrue();
        assertThat(create.path("required").toString()).contains("title", "schedule_kind", "schedule_expr", "payload");
        assertThat(doc.path("components").path("schemas").path("TaskView").path("properties").has("next_run_at")).isTrue();
    }

    @Test
    void a_generated_java_client_creates_a_task() throws Exception {
        Path spec = work.resolve("openapi.json");
        Path sources = work.resolve("generated");
        Path classes = work.resolve("classes");
        deleteRecursively(work);
        Files.createDirectories(classes);
        Files.writeString(spec, description);

        CodegenConfigurator config = new CodegenConfigurator()
                .setGeneratorName("java")
                .setLibrary("native")
                .setInputSpec(spec.toString())
                .setOutputDir(sources.toString())
                .setInvokerPackage("client.invoker").setApiPackage("client.api").setModelPackage("client.model")
                .addAdditionalProperty("openApiNullable", false)
                .addAdditionalProperty("useJakartaEe", true)
                .addAdditionalProperty("hideGenerationTimestamp", true)
                .addGlobalProperty("apiTests", "false").addGlobalProperty("modelTests", "false")
                .addGlobalProperty("apiDocs", "false").addGlobalProperty("modelDocs", "false");
        new DefaultGenerator().opts(config.toClientOptInput()).generate();

        Path driver = sources.resolve("src/main/java/client/CreateTask.java");
        Files.writeString(driver, """
                package client;

                import java.util.List;
                import java.util.Map;
                import java.util.function.Function;

                import client.api.TasksApi;
                import client.invoker.ApiClient;
                import client.model.TaskCreateRequest;
                import client.model.TaskView;

                /** Uses the generated client as a user would: create a task, read it back. */
                public class CreateTask implements Function<Map<String, String>, Map<String, Object>> {
                    @Override
                    public Map<String, Object> apply(Map<String, String> in) {
                        try {
                            ApiClient client = new ApiClient();
                            client.updateBaseUri(in.get("base"));
                            client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + in.get("token")));
                            TasksApi tasks = new TasksApi(client);
                            TaskView created = tasks.createTask(new TaskCreateRequest()
                                    .title("Generated-client task")
                                    .scheduleKind(TaskCreateRequest.ScheduleKindEnum.CRON)
                                    .scheduleExpr("0 9 * * 1-5")
                                    .timezone("Europe/Chisinau")
                                    .payload(Map.of("pipeline", List.of(Map.of("id", "s1", "uses", "demo.echo", "with", Map.of("x", 1)))))
                                    .priority(7));
                            TaskView read = tasks.getTask(created.getId().toString());
                            tasks.pauseTask(created.getId().toString());
                            TaskView paused = tasks.getTask(created.getId().toString());
                            return Map.of("id", String.valueOf(created.getId()), "title", read.getTitle(),
                                    "schedule_kind", String.valueOf(read.getScheduleKind()), "priority", read.getPriority(),
                                    "next_run_at", String.valueOf(read.getNextRunAt()), "paused_status", String.valueOf(paused.getStatus()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
                """);

        compile(sources.resolve("src/main/java"), classes);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            @SuppressWarnings("unchecked")
            Function<Map<String, String>, Map<String, Object>> createTask = (Function<Map<String, String>, Map<String, Object>>)
                    loader.loadClass("client.CreateTask").getDeclaredConstructor().newInstance();
            Map<String, Object> result = createTask.apply(Map.of("base", "http://127.0.0.1:" + port, "token", Api.ADMIN_TOKEN));

            assertThat(result.get("title")).isEqualTo("Generated-client task");
            assertThat(result.get("schedule_kind")).isEqualTo("cron");
            assertThat(result.get("priority")).isEqualTo(7);
            assertThat(result.get("next_run_at")).isNotEqualTo("null");
            assertThat(result.get("paused_status")).isEqualTo("paused");
            Api.Response stored = new Api(port).get("/tasks/" + result.get("id"));
            assertThat(stored.status()).isEqualTo(200);
            assertThat(stored.body()).contains("\"title\":\"Generated-client task\"");
        }
    }

    private List<JsonNode> operations() {
        List<JsonNode> all = new ArrayList<>();
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> all.add(op.getValue())));
        assertThat(all).isNotEmpty();
        return all;
    }

    private static void compile(Path sourceRoot, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK (javac) runs the tests").isNotNull();
        List<File> files;
        try (Stream<Path> walk = Files.walk(sourceRoot)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
        }
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromFiles(files);
            List<String> options = List.of("-classpath", testClassPath(), "-d", classes.toString(), "-proc:none", "-nowarn",
                    "-encoding", "UTF-8");
            boolean ok = javac.getTask(errors, fm, null, options, null, units).call();
            assertThat(ok).as("the generated client compiles:%n%s", errors).isTrue();
        }
    }

    /** Surefire puts the real class path here (java.class.path may be a manifest-only jar). */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
