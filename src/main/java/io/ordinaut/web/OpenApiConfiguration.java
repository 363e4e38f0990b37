package io.ordinaut.web;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.properties.SwaggerUiConfigProperties;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;

import io.ordinaut.config.NodeProperties;

/**
 * The OpenAPI description (/v3/api-docs), written for client generators as much as for people: every
 * operation has a tag, a summary and an id that says what it does (set on the controllers), request bodies
 * are typed (the {@code *Request} records in each domain package), and what the framework injects never
 * shows up as a parameter.
 *
 * <p>Routes declare bearer authentication, except {@link PublicEndpoint} routes, which declare none.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String BEARER = "bearer";

    /** The tags, in the order Swagger UI shows them. */
    static final List<Tag> TAGS = List.of(
            new Tag().name("tasks").description("Create, change and act on scheduled tasks"),
            new Tag().name("runs").description("Runs of tasks: history, output, cancel and retry, statistics"),
            new Tag().name("schedules").description("Preview when a schedule fires"),
            new Tag().name("agents").description("Agents, their credentials and tokens"),
            new Tag().name("tools").description("The tool catalog pipeline steps call"),
            new Tag().name("events").description("Events: publish and list them, subscribed topics, the live stream"),
            new Tag().name("audit").description("Who did what"),
            new Tag().name("admin").description("Health, workers and the service root"));

    /**
     * The original API's paths kept as aliases of newer ones: documented (deprecated) with ids of their own,
     * since one handler method serves both and springdoc would otherwise number them {@code _1}.
     */
    private static final Set<String> LEGACY_PATHS = Set.of("/task/{taskId}/latest", "/task/{taskId}/stats", "/stats/summary");
    private static final Pattern NUMBERED = Pattern.compile("_\\d+$");

    static {
        // The authenticated caller is resolved from the request, never sent by the client.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    /**
     * With {@code ordinaut.node.public-url} set, the description's server and Swagger UI's OAuth2 redirect are
     * built on it; left to springdoc, both come from the request's Host header, which any client (or a cache
     * in front of the node) could make name another host.
     */
    @Bean
    OpenAPI ordinautOpenApi(ObjectProvider<BuildProperties> build, NodeProperties node, ObjectProvider<SwaggerUiConfigProperties> swaggerUi) {
        BuildProperties info = build.getIfAvailable();
        OpenAPI openApi = ordinautOpenApi(info);
        if (node.publicUrl() != null) {
            openApi.servers(List.of(new Server().url(node.publicUrl())));
            swaggerUi.ifAvailable(ui -> ui.setOauth2RedirectUrl(node.publicUrl() + "/swagger-ui/oauth2-redirect.html"));
        }
        return openApi;
    }

    private static OpenAPI ordinautOpenApi(BuildProperties info) {
        return new OpenAPI()
                .info(new Info().title("Ordinaut").version(info == null ? "dev" : info.getVersion())
                        .description("Clustered task scheduler for AI agents. Every route except /, /health* and the "
                                + "/agents/auth/* token endpoints needs a bearer token."))
                .components(new Components().addSecuritySchemes(BEARER,
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .tags(TAGS);
    }

    /**
     * Schemas name properties as the API does (snake_case): springdoc's schema resolver has its own
     * (Jackson 2) mapper and does not see spring.jackson.property-naming-strategy.
     */
    @Bean
    ModelConverter snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    /**
     * Per operation: public routes declare no security requirement, and a {@code @RequestParam Map} (the
     * controllers read their query parameters through {@link QueryParams}) is dropped — the real query
     * parameters are declared with {@code @Parameter} on the method.
     */
    @Bean
    OperationCustomizer ordinautOperations() {
        return (operation, handler) -> {
            if (isPublic(handler)) {
                operation.setSecurity(List.of());
            }
            if (operation.getParameters() != null) {
                for (MethodParameter parameter : handler.getMethodParameters()) {
                    if (Map.class.isAssignableFrom(parameter.getParameterType()) && parameter.hasParameterAnnotation(RequestParam.class)) {
                        String name = parameter.getParameterName();
                        operation.getParameters().removeIf(p -> p.getName().equals(name) && "query".equals(p.getIn()));
                    }
                }
                if (operation.getParameters().isEmpty()) {
                    operation.setParameters(null);
                }
            }
            return operation;
        };
    }

    /** Legacy alias paths get ids of their own and are marked deprecated; the numbered ids of their twins lose the number. */
    @Bean
    OpenApiCustomizer ordinautLegacyPaths() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            Map<String, Integer> seen = new HashMap<>();
            openApi.getPaths().forEach((path, item) -> {
                for (Operation operation : operations(item)) {
                    String id = operation.getOperationId() == null ? null : NUMBERED.matcher(operation.getOperationId()).replaceAll("");
                    if (LEGACY_PATHS.contains(path)) {
                        operation.setOperationId(id + "ByLegacyPath");
                        operation.setDeprecated(true);
                    } else if (id != null && seen.merge(id, 1, Integer::sum) == 1) {
                        operation.setOperationId(id);
                    }
                }
            });
        };
    }

    /**
     * A property declared {@code @Schema(nullable = true)} admits null in the document: the schema resolver works
     * in OpenAPI 3.0 terms, whose {@code nullable} the 3.1 document drops without a word, so it becomes
     * {@code "type": ["string", "null"]}, with null among the values of an {@code enum}. A JSON Schema validator
     * (a client's, an MCP client's) then accepts the null that resets {@code overlap_policy} in a PUT.
     */
    @Bean
    OpenApiCustomizer ordinautNullableProperties() {
        return openApi -> {
            if (openApi.getComponents() != null && openApi.getComponents().getSchemas() != null) {
                openApi.getComponents().getSchemas().values().forEach(OpenApiConfiguration::admitNull);
            }
        };
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void admitNull(io.swagger.v3.oas.models.media.Schema schema) {
        if (schema.getProperties() == null) {
            return;
        }
        for (Object value : schema.getProperties().values()) {
            io.swagger.v3.oas.models.media.Schema property = (io.swagger.v3.oas.models.media.Schema) value;
            if (!Boolean.TRUE.equals(property.getNullable())) {
                continue;
            }
            Set<String> types = new java.util.LinkedHashSet<>(property.getTypes() != null ? property.getTypes()
                    : property.getType() != null ? Set.of(property.getType()) : Set.of());
            types.add("null");
            property.setTypes(types);
            property.setNullable(null);
            if (property.getEnum() != null && !property.getEnum().contains(null)) {
                List<Object> values = new java.util.ArrayList<>(property.getEnum());
                values.add(null);
                property.setEnum(values);
            }
        }
    }

    private static List<Operation> operations(PathItem item) {
        return item.readOperations();
    }

    private static boolean isPublic(HandlerMethod handler) {
        return AnnotatedElementUtils.hasAnnotation(handler.getMethod(), PublicEndpoint.class)
                || AnnotatedElementUtils.hasAnnotation(handler.getBeanType(), PublicEndpoint.class);
    }
}
