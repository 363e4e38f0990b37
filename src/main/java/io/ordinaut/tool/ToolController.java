package io.ordinaut.tool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
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
import io.ordinaut.web.ApiException;
import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * /tools: the tool catalog. An agent with {@code tools:read} sees the tools its pipelines may call — its own,
 * admins' and ownerless ones — and an admin sees every tool; another agent's tool answers 404 as an unknown
 * one does. Only the agent that registered a tool ({@code created_by}) or an admin may change or delete it,
 * and another agent's {@code PUT}/{@code DELETE} answers 404, as for tasks. A pipeline step's {@code uses} names a tool by address; an address not
 * catalogued is simulated unless {@code ordinaut.tools.reject-unknown-tools} is set, so deleting a tool
 * makes later runs that use it simulate it (or fail, when unknown tools are rejected). Changes apply to
 * this node's runs at once and to other nodes' within {@code ordinaut.tools.catalog-refresh-seconds}.
 */
@RestController
@Tag(name = "tools")
class ToolController {

    private final ToolService service;

    ToolController(ToolService service) {
        this.service = service;
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @PostMapping(path = "/tools")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createTool", summary = "Add a tool to the catalog",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ToolCreateRequest.class))))
    ToolView create(@RequestBody Object body, Caller caller) {
        ToolView created = ToolView.of(service.create(JsonFields.of(body), caller.actor()));
        AuditSubject.set(created.address());
        return created;
    }

    @RequiresScope(Scopes.TOOLS_READ)
    @GetMapping("/tools")
    @Parameter(name = "transport", in = ParameterIn.QUERY, description = "Only tools with this transport", schema = @Schema(type = "string", allowableValues = {"http", "mcp", "simulate"}))
    @Parameter(name = "prefix", in = ParameterIn.QUERY, description = "Only tools whose address starts with this", schema = @Schema(type = "string"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listTools", summary = "List catalogued tools")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        String transport = q.oneOf("transport", ToolSpec.TRANSPORTS);
        String prefix = q.string("prefix");
        int limit = q.integer("limit", 1, 200, 50);
        int offset = q.offset();
        List<ToolView> items = service.page(transport, prefix, caller.actor(), limit, offset).stream().map(ToolView::of).toList();
        long total = service.count(transport, prefix, caller.actor());
        return PageBody.of(items, total, limit, offset);
    }

    @RequiresScope(Scopes.TOOLS_READ)
    @GetMapping("/tools/{address}")
    @Operation(operationId = "getTool", summary = "Get a catalogued tool")
    ToolView get(@PathVariable String address, Caller caller) {
        return ToolView.of(service.get(known(address), caller.actor()));
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @PutMapping(path = "/tools/{address}")
    @Operation(operationId = "updateTool", summary = "Change some fields of a catalogued tool",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ToolUpdateRequest.class))))
    ToolView replace(@PathVariable String address, @RequestBody Object body, Caller caller) {
        return ToolView.of(service.replace(known(address), JsonFields.of(body), caller.actor()));
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @DeleteMapping("/tools/{address}")
    @Operation(operationId = "deleteTool", summary = "Remove a tool from the catalog")
    Map<String, Object> delete(@PathVariable String address, Caller caller) {
        service.delete(known(address), caller.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", "Tool " + address + " deleted");
        body.put("details", Map.of("address", address));
        return body;
    }

    /** Lists an MCP server's tools (tools/list) and registers them under {@code <prefix>.<name>}. */
    @RequiresScope(Scopes.TOOLS_WRITE)
    @PostMapping(path = "/tools/discover")
    @Operation(operationId = "discoverTools", summary = "Catalog the tools an MCP server lists",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ToolDiscoverRequest.class))))
    Map<String, Object> discover(@RequestBody Object body, Caller caller) {
        return service.discover(JsonFields.of(body), caller.actor());
    }

    /** An address that cannot exist is simply not found. */
    private static String known(String address) {
        if (address.length() > ToolSpec.MAX_ADDRESS_LENGTH || !ToolDefinition.ADDRESS.matcher(address).matches()) {
            throw ApiException.notFound("Tool", address);
        }
        return address;
    }
}
