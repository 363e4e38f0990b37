package io.ordinaut.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.ordinaut.audit.AuditLog;
import io.ordinaut.web.Caller;
import io.ordinaut.web.RequestContext;

/**
 * Ordinaut's MCP server: the stateless Streamable HTTP transport of the MCP SDK with one tool per
 * {@link OrdinautTool}, each answered by its REST twin. Stateless: no session lives on a node, so any
 * node of a cluster answers any request, and a load balancer may spread one client's calls freely.
 */
final class OrdinautMcpServer {

    static final String ENDPOINT = "/mcp";
    /** Transport context keys: the MCP HTTP exchange a call arrived in. */
    static final String REQUEST = "ordinaut.mcp.request";
    static final String RESPONSE = "ordinaut.mcp.response";
    /** Request attribute: the {@link Caller} the bearer token proved. */
    static final String CALLER = "ordinaut.mcp.caller";
    private static final Logger LOG = LoggerFactory.getLogger(OrdinautMcpServer.class);

    static final String INSTRUCTIONS = """
            Ordinaut is a task scheduler for agents: a task runs a pipeline of tool calls on a schedule, and each run \
            is recorded with its output and step trace.
            Schedules: schedule_kind cron (5 fields, "0 9 * * 1-5"), rrule (RFC 5545, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0"), \
            once (an ISO-8601 instant), interval (an ISO-8601 duration, "PT15M") or event (a topic pattern, run by publish_event).
            Times are ISO-8601 with an offset or zone (2026-03-02T09:00:00+02:00); schedules are read in the task's timezone, \
            an IANA name such as Europe/Chisinau (default UTC), and keep their wall-clock time across daylight-saving changes.
            A payload is {"params": {...}, "pipeline": [{"id": "forecast", "uses": "<tool address>", "with": {...}, "save_as": "weather"}]}; \
            list_tools shows the tool addresses and their input schemas. Templates in "with": ${params.x}, and an earlier step's \
            output as ${steps.<save_as>} (save_as defaults to the step id): ${steps.weather}, or a field of it, ${steps.weather.temp}.
            Check a schedule with preview_schedule before create_task; after run_task_now, read the run with get_run.
            A tool error names the field at fault and how to fix it; you only see and change your own tasks and runs.""";

    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("update_task", "pause_task", "resume_task", "cancel_task");

    private final RestTwins twins;
    private final AuditLog audit;
    private final String version;
    private volatile HttpServletStatelessServerTransport transport;
    private McpStatelessSyncServer server;

    OrdinautMcpServer(RestTwins twins, AuditLog audit, String version) {
        this.twins = twins;
        this.audit = audit;
        this.version = version;
    }

    /**
     * The transport, built on the first MCP request: the tools' schemas come from the OpenAPI document,
     * which springdoc generates from the running application.
     */
    HttpServletStatelessServerTransport transport(HttpServletRequest request, HttpServletResponse response) {
        HttpServletStatelessServerTransport built = transport;
        if (built == null) {
            synchronized (this) {
                if (transport == null) {
                    transport = build(new OpenApiSchemas(twins.openApiDocument(request, response)));
                }
                built = transport;
            }
        }
        return built;
    }

    private HttpServletStatelessServerTransport build(OpenApiSchemas schemas) {
        HttpServletStatelessServerTransport built = HttpServletStatelessServerTransport.builder()
                .jsonMapper(Jsons.MAPPER)
                .messageEndpoint(ENDPOINT)
                .contextExtractor(request -> McpTransportContext.create(Map.of(
                        REQUEST, request, RESPONSE, request.getAttribute(RESPONSE))))
                .build();
        List<McpStatelessServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        for (OrdinautTool tool : OrdinautTool.ALL) {
            McpSchema.Tool definition = McpSchema.Tool.builder()
                    .name(tool.name())
                    .title(tool.title())
                    .description(tool.description())
                    .inputSchema(schemas.input(tool))
                    .outputSchema(schemas.output(tool))
                    .annotations(new McpSchema.ToolAnnotations(tool.title(), tool.readOnly(), tool.destructive(),
                            tool.readOnly() || IDEMPOTENT.contains(tool.name()),
                            false, null))
                    .build();
            Map<String, Object> properties = OpenApiSchemas.map(definition.inputSchema().get("properties"));
            tools.add(new McpStatelessServerFeatures.SyncToolSpecification(definition,
                    (context, call) -> call(tool, properties, context, call)));
        }
        server = McpServer.sync(built)
                .serverInfo("ordinaut", version)
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
                // bad arguments are the REST API's to judge, and come back as tool errors naming the field
                .validateToolInputs(false)
                .immediateExecution(true)
                .tools(tools)
                .resourceTemplates(resource("ordinaut://tasks/{id}", "task", "A task, as get_task returns it", "/tasks/"),
                        resource("ordinaut://runs/{id}", "run", "A run with its output and step trace, as get_run returns it", "/runs/"))
                .build();
        return built;
    }

    private McpSchema.CallToolResult call(OrdinautTool tool, Map<String, Object> properties, McpTransportContext context,
                                          McpSchema.CallToolRequest call) {
        Map<String, Object> args = call.arguments() == null ? Map.of() : call.arguments();
        OrdinautTool.Twin twin;
        try {
            twin = tool.twin(args, properties);
        } catch (OrdinautTool.InvalidArgument e) {
            auditRefusal((HttpServletRequest) context.get(REQUEST), tool, e);
            return error("ValidationError: " + e.getMessage() + " (field: " + e.field() + ")",
                    Map.of("error", "ValidationError", "message", e.getMessage(), "details", Map.of("field", e.field())));
        }
        RestTwins.Answer answer = twins.call((HttpServletRequest) context.get(REQUEST), (HttpServletResponse) context.get(RESPONSE),
                twin, "mcp:" + tool.name());
        if (!answer.ok()) {
            return failure(answer);
        }
        Map<String, Object> body = answer.body() instanceof Map<?, ?> ? new LinkedHashMap<>(OpenApiSchemas.map(answer.body()))
                : new LinkedHashMap<>(Map.of("value", String.valueOf(answer.body())));
        if (tool.rendering() == OrdinautTool.Rendering.PREVIEW && body.get("occurrences") instanceof List<?> occurrences) {
            body.put("dst_notes", Renderings.dstNotes(occurrences, body.get("timezone")));
        }
        return McpSchema.CallToolResult.builder()
                .structuredContent(body)
                .addTextContent(Renderings.render(tool.rendering(), body))
                .addTextContent(Jsons.text(body))
                .build();
    }

    /**
     * The audit row of a call refused before its REST twin was reached (an argument of the wrong type): the row
     * the twin would have written for a 400, so every tool call leaves one.
     */
    private void auditRefusal(HttpServletRequest request, OrdinautTool tool, OrdinautTool.InvalidArgument refusal) {
        String route = tool.method() + " " + tool.path();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", HttpServletResponse.SC_BAD_REQUEST);
        details.put("route", route);
        details.put("field", refusal.field());
        Caller caller = (Caller) request.getAttribute(CALLER);
        try {
            audit.record(caller == null ? null : caller.agentId(), "mcp:" + tool.name(), null, details, RequestContext.requestId(request),
                    tool.method(), tool.path(), HttpServletResponse.SC_BAD_REQUEST, RequestContext.clientAddress(request));
        } catch (RuntimeException e) {
            LOG.warn("Could not write the audit row for MCP tool call {} ({}): {}", tool.name(), route, e.getMessage());
        }
    }

    /** The REST error as a tool error: the same message and field as the 400 (403, 404, 429 …) would carry. */
    static McpSchema.CallToolResult failure(RestTwins.Answer answer) {
        return error(failureText(answer), OpenApiSchemas.map(answer.body()));
    }

    /** {@code RateLimited (HTTP 429): … retry in 12 s}: the REST error's name, status, message, field and retry delay. */
    static String failureText(RestTwins.Answer answer) {
        Map<String, Object> error = OpenApiSchemas.map(answer.body());
        String message = String.valueOf(error.getOrDefault("message", "request failed"));
        StringBuilder text = new StringBuilder(String.valueOf(error.getOrDefault("error", "Error")))
                .append(" (HTTP ").append(answer.status()).append("): ").append(message);
        Map<String, Object> details = OpenApiSchemas.map(error.get("details"));
        if (details.get("field") != null) {
            text.append(" (field: ").append(details.get("field")).append(")");
        }
        // the rate limiter's message says when already ("retry in 12 s"); saying it twice reads as a glitch
        if (answer.retryAfter() != null && !message.toLowerCase(java.util.Locale.ROOT).contains("retry")) {
            text.append(" (retry after ").append(answer.retryAfter()).append(" s)");
        }
        return text.toString();
    }

    /**
     * A resource read the REST twin refused, as the JSON-RPC error resources/read answers with. "Not found"
     * (-32002) only when there is nothing to read: the twin found no such item, or only another agent's
     * (404), or the id could not name one (400). Any other refusal — a missing scope (403), the rate limit
     * (429), a node that cannot serve (503) — says what the tools say, since an agent told "not found"
     * about its own task would conclude the task is gone.
     */
    static McpError readRefusal(String uri, RestTwins.Answer answer) {
        if (answer.status() == 404 || answer.status() == 400) {
            return McpError.RESOURCE_NOT_FOUND.apply(uri);
        }
        Map<String, Object> data = new LinkedHashMap<>(OpenApiSchemas.map(answer.body()));
        data.put("status", answer.status());
        if (answer.retryAfter() != null) {
            try {
                data.put("retry_after_seconds", Long.parseLong(answer.retryAfter().trim()));
            } catch (NumberFormatException e) {
                data.put("retry_after", answer.retryAfter());
            }
        }
        return McpError.builder(JsonRpcError.REFUSED).message(failureText(answer)).data(data).build();
    }

    private static McpSchema.CallToolResult error(String text, Map<String, Object> body) {
        return McpSchema.CallToolResult.builder()
                .isError(true)
                .addTextContent(text)
                .addTextContent(Jsons.text(body))
                .build();
    }

    private McpStatelessServerFeatures.SyncResourceTemplateSpecification resource(String template, String name, String description,
                                                                                 String restPrefix) {
        McpSchema.ResourceTemplate resource = McpSchema.ResourceTemplate.builder(template, name)
                .description(description)
                .mimeType("application/json")
                .build();
        String prefix = template.substring(0, template.indexOf('{'));
        return new McpStatelessServerFeatures.SyncResourceTemplateSpecification(resource, (context, read) -> {
            String id = read.uri().startsWith(prefix) ? read.uri().substring(prefix.length()) : "";
            if (id.isEmpty() || id.contains("/")) {
                throw McpError.RESOURCE_NOT_FOUND.apply(read.uri());
            }
            if (id.length() > OrdinautTool.MAX_ID_LENGTH) {
                // names nothing; not looked up, so neither the audit row nor the error repeats an id of any length
                throw McpError.RESOURCE_NOT_FOUND.apply(prefix + id.substring(0, OrdinautTool.MAX_ID_LENGTH) + "…");
            }
            RestTwins.Answer answer = twins.call((HttpServletRequest) context.get(REQUEST), (HttpServletResponse) context.get(RESPONSE),
                    new OrdinautTool.Twin("GET", restPrefix + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8),
                            Map.of(), null), "mcp:resources/read");
            if (!answer.ok()) {
                throw readRefusal(read.uri(), answer);
            }
            return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(read.uri(), "application/json",
                    Jsons.text(answer.body()))));
        });
    }

    void close() {
        if (server != null) {
            server.close();
        }
    }
}
