package io.ordinaut.tool;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import io.ordinaut.Actor;
import io.ordinaut.ConflictException;
import io.ordinaut.ForbiddenException;
import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.NotFoundException;
import io.ordinaut.UpstreamFailureException;

/** Registers, changes, removes and discovers catalogued tools. */
@Service
class ToolService {

    private static final Logger log = LoggerFactory.getLogger(ToolService.class);
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /** The rule a refused secret reference breaks, as the error's details name it. */
    static final String SECRETS_RULE = "only-admin-tools-read-secrets";
    static final List<String> DISCOVER_FIELDS = List.of("server_url", "prefix", "headers", "scopes", "timeout_seconds");

    private final ToolCatalog catalog;
    private final ToolRouter router;
    private final ToolSpec.Rules rules;
    private final Clock clock;

    ToolService(ToolCatalog catalog, ToolRouter router, ToolProperties properties, Clock clock) {
        this.catalog = catalog;
        this.router = router;
        this.rules = new ToolSpec.Rules(router.schemas(), properties.secretEnvPrefixes());
        this.clock = clock;
    }

    ToolCatalog.Entry create(JsonFields body, Actor actor) {
        ToolDefinition tool = ToolSpec.forCreate(body, rules);
        requireAdminForSecrets(tool.headers(), "headers", actor);
        if (squats(tool.address(), actor)) {
            throw new ConflictException("Tool address " + tool.address() + " is used by other agents' tasks, which this "
                    + "agent's tool may not serve; register it under another address", Map.of("address", tool.address()));
        }
        checkEgress(tool.endpoint(), "endpoint");
        if (!catalog.insert(tool, actor.agentId(), now())) {
            throw taken(tool.address(), actor);
        }
        log.info("Tool {} registered ({} {})", tool.address(), tool.transport(), tool.endpoint());
        return get(tool.address());
    }

    /**
     * The hint to use PUT only for a caller whose PUT would work: another agent's tool answers its PUT 404, so it
     * learns only that the address is taken.
     */
    private ConflictException taken(String address, Actor actor) {
        boolean own = catalog.load(address).map(entry -> mayChange(entry, actor)).orElse(false);
        String message = own ? "Tool " + address + " already exists; change it with PUT /tools/" + address
                : "Tool address " + address + " is taken; register the tool under another address";
        return new ConflictException(message, Map.of("address", address));
    }

    /** Another agent's tool answers 404, as for tasks: whether it exists is not the caller's business. */
    ToolCatalog.Entry replace(String address, JsonFields body, Actor actor) {
        ToolCatalog.Entry entry = get(address);
        if (!mayChange(entry, actor)) {
            throw new NotFoundException("Tool", address);
        }
        ToolDefinition changed = ToolSpec.forUpdate(entry.definition(), body, rules);
        // the headers as they would be stored, so a reference kept from before the rule is refused too
        requireAdminForSecrets(changed.headers(), "headers", actor);
        checkEgress(changed.endpoint(), "endpoint");
        if (!catalog.update(changed, actor.ownerFilter(), now())) {
            throw new NotFoundException("Tool", address);
        }
        log.info("Tool {} changed by agent {}", address, actor.agentId());
        return get(address);
    }

    void delete(String address, Actor actor) {
        if (!catalog.delete(address, actor.ownerFilter())) {
            throw new NotFoundException("Tool", address);
        }
        log.info("Tool {} deleted by agent {}", address, actor.agentId());
    }

    /**
     * Only an admin (an operator) may write a header that names a secret: {@code ${env:ORDINAUT_TOOL_…}} is not
     * tied to a tool, an owner or an endpoint, so any other agent could send the operator's secrets to a server
     * of its own. Run time checks again ({@link ToolTrust#checkSecrets}).
     *
     * @throws ForbiddenException naming the first such header
     */
    private static void requireAdminForSecrets(Map<String, String> headers, String field, Actor actor) {
        List<String> naming = HeaderRules.namingSecrets(headers);
        if (actor.admin() || naming.isEmpty()) {
            return;
        }
        String headerField = field + "." + naming.get(0);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", headerField);
        details.put("rule", SECRETS_RULE);
        throw new ForbiddenException("header " + naming.get(0) + " names a secret (${env:…} or ${secret:…}), and only "
                + "tools registered by an admin may read secrets; ask an operator to register the tool, or leave the "
                + "header out", details);
    }

    /**
     * Whether a non-admin would take an address that other agents' tasks (not canceled) already name: their
     * pipelines may not call its tool (ToolTrust), so every run of theirs would fail at that step — and the
     * task's author cannot have meant this agent's tool. An admin's tool is one every pipeline may call, so an
     * admin may register any free address. Names no task nor agent: that is their business. (A task created
     * between this check and the insert is still refused its call at run time.)
     */
    private boolean squats(String address, Actor actor) {
        return !actor.admin() && catalog.usedByOtherAgentsTasks(address, actor.agentId());
    }

    private static boolean mayChange(ToolCatalog.Entry entry, Actor actor) {
        return actor.mayChange(entry.createdBy());
    }

    ToolCatalog.Entry get(String address) {
        return catalog.load(address).orElseThrow(() -> new NotFoundException("Tool", address));
    }

    /**
     * A tool as the actor may see it: a non-admin sees only the tools its pipelines may call (its own, admins'
     * and ownerless ones, {@link ToolTrust}); another agent's answers 404, as for one that does not exist.
     */
    ToolCatalog.Entry get(String address, Actor actor) {
        return catalog.load(address, actor.ownerFilter()).orElseThrow(() -> new NotFoundException("Tool", address));
    }

    /** The tools the actor may see, as {@link #get(String, Actor)}. */
    List<ToolCatalog.Entry> page(String transport, String prefix, Actor actor, int limit, int offset) {
        return catalog.page(transport, prefix, actor.ownerFilter(), limit, offset);
    }

    long count(String transport, String prefix, Actor actor) {
        return catalog.count(transport, prefix, actor.ownerFilter());
    }

    /**
     * Lists an MCP server's tools and registers each as {@code <prefix>.<name>} with its schemas; a tool
     * already registered under that address is replaced.
     */
    Map<String, Object> discover(JsonFields body, Actor actor) {
        body.allowOnly(DISCOVER_FIELDS);
        String serverUrl = ToolSpec.endpoint(ToolDefinition.MCP, body.string("server_url", 1, 2000), "server_url", rules.secretEnvPrefixes());
        String prefix = body.requiredString("prefix", 1, 100);
        if (!PREFIX.matcher(prefix).matches()) {
            throw new InvalidInputException("prefix", "prefix may only contain letters, digits, '_' and '-' (got \"" + prefix + "\")");
        }
        Map<String, String> headers = ToolSpec.headers(body, "headers", rules);
        // refused before the server is listed: the listing itself would send the resolved headers there
        requireAdminForSecrets(headers, "headers", actor);
        List<String> scopes = ToolSpec.scopes(body, "scopes");
        Integer timeout = body.integer("timeout_seconds", 1, 3600);
        checkEgress(serverUrl, "server_url");

        List<ToolDefinition> listed;
        List<Map<String, Object>> skipped = new ArrayList<>();
        try {
            listed = router.discover(serverUrl, prefix, headers,
                    (address, reason) -> skipped.add(Map.of("address", address, "reason", reason)));
        } catch (ToolCallException e) {
            throw new UpstreamFailureException("ToolServerError",
                    "MCP server " + serverUrl + " could not be listed: " + e.getMessage(), Map.of("server_url", serverUrl));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        int created = 0;
        Instant now = now();
        Set<String> listedAddresses = new HashSet<>();
        for (ToolDefinition found : listed) {
            listedAddresses.add(found.address());
            ToolDefinition tool = found.withScopes(scopes)
                    .withTimeoutSeconds(timeout == null ? ToolSpec.DEFAULT_TIMEOUT_SECONDS : timeout);
            String problem = schemaProblem(tool);
            if (problem != null || tool.address().length() > ToolSpec.MAX_ADDRESS_LENGTH) {
                skipped.add(Map.of("address", tool.address(), "reason", problem == null ? "address is too long" : problem));
                continue;
            }
            if (catalog.load(tool.address()).isEmpty() && squats(tool.address(), actor)) {
                skipped.add(Map.of("address", tool.address(), "reason", "address used by other agents' tasks"));
                continue;
            }
            Optional<Boolean> inserted = catalog.upsert(tool, actor.agentId(), actor.ownerFilter(), now);
            if (inserted.isEmpty()) {
                skipped.add(Map.of("address", tool.address(), "reason", "a tool with this address belongs to another agent"));
                continue;
            }
            created += inserted.get() ? 1 : 0;
            Map<String, Object> item = ToolView.of(get(tool.address())).asMap();
            item.put("created", inserted.get());
            items.add(item);
        }
        // tools of this server the listing no longer names stay (tasks name them) but are marked, not dropped
        List<String> gone = catalog.markGone(serverUrl, prefix, listedAddresses, actor.ownerFilter(), now);
        log.info("Discovered {} tools at {} as {}.* ({} new, {} skipped, {} gone)", items.size(), serverUrl, prefix, created,
                skipped.size(), gone.size());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("server_url", serverUrl);
        result.put("prefix", prefix);
        result.put("items", items);
        result.put("total", items.size());
        result.put("created", created);
        result.put("updated", items.size() - created);
        result.put("skipped", skipped);
        result.put("gone", gone);
        return result;
    }

    /**
     * Why a listed tool cannot be catalogued, or null. What the server sent gets the checks a request body
     * gets, as it is stored and read back like one: a NUL or a number wider than jsonb reads back would
     * make the tool's row, and every listing of the catalog, unreadable.
     */
    private String schemaProblem(ToolDefinition tool) {
        try {
            JsonFields.requireStorable(tool.description(), "description");
            for (Map.Entry<String, Map<String, Object>> schema : schemas(tool).entrySet()) {
                JsonFields.requireStorable(schema.getValue(), schema.getKey());
            }
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
        for (Map.Entry<String, Map<String, Object>> schema : schemas(tool).entrySet()) {
            List<String> problems = rules.schemas().schemaProblems(schema.getValue());
            if (!problems.isEmpty()) {
                return schema.getKey() + " is not a valid JSON Schema: " + String.join("; ", problems);
            }
        }
        return null;
    }

    private static Map<String, Map<String, Object>> schemas(ToolDefinition tool) {
        Map<String, Map<String, Object>> schemas = new LinkedHashMap<>();
        if (tool.inputSchema() != null) {
            schemas.put("input_schema", tool.inputSchema());
        }
        if (tool.outputSchema() != null) {
            schemas.put("output_schema", tool.outputSchema());
        }
        return schemas;
    }

    /**
     * Refuses a destination the egress policy refuses. A host that does not resolve now is accepted: it
     * is checked again, with whatever it resolves to then, on every call.
     */
    private void checkEgress(String url, String field) {
        if (url == null) {
            return;
        }
        try {
            router.checkEgress(URI.create(url));
        } catch (ToolCallException e) {
            if (!e.retryable()) {
                throw new InvalidInputException(field, field + " is refused by the egress policy: " + e.getMessage());
            }
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
