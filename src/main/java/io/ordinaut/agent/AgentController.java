package io.ordinaut.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.JsonFields;
import io.ordinaut.UrlHosts;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/** /agents: managing agents and their credentials (admin only). */
@RestController
@Tag(name = "agents")
@RequiresScope(Scopes.ADMIN)
class AgentController {

    private static final Set<String> FIELDS = Set.of("name", "scopes", "webhook_url", "budget");
    /**
     * Letters and digits of any script (a name is only stored and shown: no URL, log line, header or stream
     * key carries it), with the marks that some scripts write letters with, spaces, '.', '_' and '-'.
     * Kept in NFC, so "e" followed by U+0301 and the precomposed U+00E9 make one name; no control, format (zero-width,
     * bidirectional overrides) or symbol characters, which would make two names look alike.
     */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{Nd}][\\p{L}\\p{M}\\p{Nd} ._-]*");
    /** The admin token is operator configuration, which a rotation does not touch (see AdminBootstrap). */
    private static final String ADMIN_TOKEN_STAYS = "Store this secret now: it is shown only once. Earlier secrets of this agent "
            + "and the tokens they issued no longer work. The system admin token (ORDINAUT_ADMIN_TOKEN, or the one generated at "
            + "the first start) stays valid: it is operator configuration; to replace it, set a new ORDINAUT_ADMIN_TOKEN on every "
            + "node and restart them.";

    private final AgentRepository agents;
    private final Credentials credentials;
    private final TokenStore tokens;
    private final Clock clock;
    private final WebhookDestinations destinations;

    AgentController(AgentRepository agents, Credentials credentials, TokenStore tokens, Clock clock,
                    WebhookDestinations destinations) {
        this.agents = agents;
        this.credentials = credentials;
        this.tokens = tokens;
        this.clock = clock;
        this.destinations = destinations;
    }

    @PostMapping(path = "/agents")
    @ResponseStatus(HttpStatus.CREATED)
    @Transactional
    @Operation(operationId = "createAgent", summary = "Create an agent",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = AgentCreateRequest.class))))
    Map<String, Object> create(@RequestBody Object body) {
        JsonFields f = JsonFields.of(body).allowOnly(FIELDS);
        String name = name(f);
        if (name == null) {
            throw ApiException.badRequest("name", "name is required");
        }
        Instant now = now();
        Budget budget = budget(f, new Budget(null, null));
        Agent agent = new Agent(UUID.randomUUID(), name, f.has("scopes") ? scopes(f) : List.of(), webhook(f), budget.calls(),
                budget.runs(), now, now);
        if (!agents.insert(agent)) {
            throw ApiException.conflict("An agent named " + name + " already exists", Map.of("field", "name"));
        }
        AuditSubject.set(agent.id());
        Map<String, Object> view = view(agent);
        if (agent.webhookUrl() != null) {
            // Deliveries are signed from the first run on; the secret is shown this once (rotate it with
            // POST /agents/{id}/webhook_secret).
            String secret = WebhookSecrets.newSecret();
            agents.setWebhookSecret(agent.id(), secret);
            view.put("webhook_secret", secret);
        }
        return view;
    }

    @GetMapping("/agents")
    @Parameter(name = "name_filter", in = ParameterIn.QUERY, description = "Only agents whose name contains this", schema = @Schema(type = "string"))
    @Parameter(name = "scope_filter", in = ParameterIn.QUERY, description = "Only agents holding this scope", schema = @Schema(type = "string"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listAgents", summary = "List agents")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query) {
        QueryParams q = QueryParams.of(query);
        String name = q.string("name_filter");
        String scope = q.string("scope_filter");
        int limit = q.integer("limit", 1, 200, 50);
        int offset = q.offset();
        List<Agent> page = agents.page(name, scope, limit, offset);
        long total = agents.count(name, scope);
        return PageBody.of(page.stream().map(AgentController::view).toList(), total, limit, offset);
    }

    @GetMapping("/agents/{id}")
    @Operation(operationId = "getAgent", summary = "Get an agent")
    Map<String, Object> get(@PathVariable String id) {
        return view(find(id));
    }

    @PutMapping(path = "/agents/{id}")
    @Transactional
    @Operation(operationId = "updateAgent", summary = "Change some fields of an agent",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = AgentUpdateRequest.class))))
    Map<String, Object> update(@PathVariable String id, @RequestBody Object body) {
        Agent current = find(id);
        JsonFields f = JsonFields.of(body).allowOnly(FIELDS);
        String name = f.has("name") ? name(f) : current.name();
        if (name == null) {
            throw ApiException.badRequest("name", "name cannot be null");
        }
        if (agents.nameTaken(name, current.id())) {
            throw ApiException.conflict("An agent named " + name + " already exists", Map.of("field", "name"));
        }
        List<String> scopes = f.has("scopes") ? scopes(f) : current.scopes();
        if (current.id().equals(Agent.SYSTEM) && !scopes.contains(Scopes.ADMIN)) {
            throw ApiException.conflict("The system agent keeps the admin scope", Map.of("field", "scopes"));
        }
        Budget budget = budget(f, new Budget(current.apiCallsPerHour(), current.runsPerDay()));
        Agent updated = new Agent(current.id(), name, scopes, f.has("webhook_url") ? webhook(f) : current.webhookUrl(),
                budget.calls(), budget.runs(), current.createdAt(), now());
        agents.update(updated);
        return view(updated);
    }

    @DeleteMapping("/agents/{id}")
    @Transactional
    @Operation(operationId = "deleteAgent", summary = "Delete an agent that owns no tasks and no tools")
    Map<String, Object> delete(@PathVariable String id) {
        Agent agent = find(id);
        if (agent.id().equals(Agent.SYSTEM)) {
            throw ApiException.conflict("The system agent cannot be deleted", Map.of("id", id));
        }
        if (agents.ownsTasks(agent.id())) {
            // Canceling does not help: a canceled task keeps its history, and its owner, for good.
            throw ApiException.conflict("Agent " + id + " owns tasks (canceled ones included: they keep their history)"
                    + " and cannot be deleted; to retire it, set its scopes to [] with PUT /agents/" + id, Map.of("id", id));
        }
        // Its tools would be left ownerless, and ownerless tools are trusted like admins' (tool.ToolTrust): a
        // rogue agent's tool at an address other tasks name would start receiving their data once it is deleted.
        if (agents.ownsTools(agent.id())) {
            throw ApiException.conflict("Agent " + id + " owns tools; delete them (DELETE /tools/{address}) or keep the agent",
                    Map.of("id", id));
        }
        tokens.revokeAll(agent.id());
        agents.delete(agent.id());
        return Map.of("success", true, "message", "Agent " + id + " deleted", "details", Map.of("id", id));
    }

    /** Creates or rotates the agent's secret. The secret is in this answer and nowhere else, ever. */
    @PostMapping("/agents/{id}/credentials")
    @Transactional
    @Operation(operationId = "issueAgentCredentials", summary = "Create or rotate the secret of an agent (shown once)")
    Map<String, Object> credentials(@PathVariable String id) {
        Agent agent = find(id);
        String secret = credentials.rotate(agent.id());
        // A rotated credential also ends every session the old one opened.
        tokens.revokeAll(agent.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent_id", agent.id());
        out.put("agent_secret", secret);
        out.put("created_at", now());
        out.put("message", agent.id().equals(Agent.SYSTEM) ? ADMIN_TOKEN_STAYS
                : "Store this secret now: it is shown only once. Earlier secrets and tokens of this agent no longer work.");
        return out;
    }

    private Agent find(String raw) {
        UUID id;
        try {
            id = UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("Agent", raw);
        }
        return agents.find(id).orElseThrow(() -> ApiException.notFound("Agent", raw));
    }

    private static String name(JsonFields f) {
        String given = f.string("name", 1, 100);
        if (given == null) {
            return null;
        }
        String name = Normalizer.normalize(given, Normalizer.Form.NFC);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "name may hold letters and digits (of any script, with their combining marks), "
                    + "spaces, '.', '_' and '-', and must start with a letter or digit");
        }
        return name;
    }

    private static List<String> scopes(JsonFields f) {
        Object raw = f.raw("scopes");
        if (!(raw instanceof List<?> list)) {
            throw ApiException.badRequest("scopes", "scopes must be an array of strings");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (Object s : list) {
            // Besides the API's own scopes, tools may define scopes of their own (e.g. crm:write).
            if (!(s instanceof String scope) || !(Scopes.ALL.contains(scope) || AgentScopes.wellFormed(scope))) {
                throw ApiException.badRequest("scopes", "scope " + s + " is neither one of " + String.join(", ", Scopes.ALL)
                        + " nor a tool scope of the form name:action");
            }
            Optional<String> meant = Scopes.typoOf(scope);
            if (meant.isPresent()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("field", "scopes");
                details.put("scope", scope);
                details.put("nearest_scope", meant.get());
                throw new ApiException(HttpStatus.BAD_REQUEST, "ValidationError", "scope " + scope
                        + " is not a built-in scope but looks like one; did you mean " + meant.get() + "?", details);
            }
            scopes.add(scope);
        }
        return new ArrayList<>(scopes);
    }

    private String webhook(JsonFields f) {
        String url = f.string("webhook_url", 1, 2000);
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("webhook_url", "webhook_url is not a valid URL: " + e.getReason());
        }
        // schemes are case-insensitive (RFC 3986 §3.1); the stored URL carries it in lower case, as URLs are written
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badRequest("webhook_url", "webhook_url must be an http(s) URL");
        }
        if (uri.getHost() == null) {
            throw ApiException.badRequest("webhook_url", "webhook_url must be an http(s) URL with a host: " + UrlHosts.whyNoHost(uri));
        }
        url = scheme + url.substring(scheme.length());
        uri = URI.create(url);
        if (uri.getRawUserInfo() != null) {
            // it would be shown to every admin reading the agent; the receiver authenticates the call by its signature
            throw ApiException.badRequest("webhook_url", "webhook_url must not carry credentials (user:password@): the"
                    + " receiver authenticates each delivery by its Ordinaut-Signature, made with the agent's webhook secret");
        }
        try {
            destinations.check(uri);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("webhook_url", "webhook_url is refused by the egress policy: " + e.getMessage()
                    + "; every delivery to it would fail");
        }
        return url;
    }

    private static Budget budget(JsonFields f, Budget current) {
        if (!f.has("budget")) {
            return current;
        }
        if (f.isNull("budget")) {
            return new Budget(null, null);
        }
        JsonFields b = JsonFields.of(f.object("budget")).allowOnly(List.of("api_calls_per_hour", "runs_per_day"));
        return new Budget(b.integer("api_calls_per_hour", 1, 10_000_000), b.integer("runs_per_day", 1, 10_000_000));
    }

    static Map<String, Object> view(Agent a) {
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("api_calls_per_hour", a.apiCallsPerHour());
        budget.put("runs_per_day", a.runsPerDay());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.id());
        out.put("name", a.name());
        out.put("scopes", a.scopes());
        out.put("webhook_url", a.webhookUrl());
        out.put("budget", budget);
        out.put("created_at", a.createdAt());
        out.put("updated_at", a.updatedAt());
        return out;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private record Budget(Integer calls, Integer runs) {
    }
}
