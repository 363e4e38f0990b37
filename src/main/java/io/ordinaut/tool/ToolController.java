package io.ordinaut.tool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.web.ApiException;
import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.Caller;
import io.ordinaut.web.JsonFields;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * /tools: the tool catalog. Every agent with {@code tools:read} sees every tool; only the agent that
 * registered a tool ({@code created_by}) or an admin may change or delete it, and another agent's
 * {@code PUT}/{@code DELETE} answers 404, as for tasks. A pipeline step's {@code uses} names a tool by address; an address not
 * catalogued is simulated unless {@code ordinaut.tools.reject-unknown-tools} is set, so deleting a tool
 * makes later runs that use it simulate it (or fail, when unknown tools are rejected). Changes apply to
 * this node's runs at once and to other nodes' within {@code ordinaut.tools.catalog-refresh-seconds}.
 */
@RestController
class ToolController {

    private final ToolService service;

    ToolController(ToolService service) {
        this.service = service;
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @PostMapping(path = "/tools", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    ToolView create(@RequestBody Object body, Caller caller) {
        ToolView created = ToolView.of(service.create(JsonFields.of(body), caller));
        AuditSubject.set(created.address());
        return created;
    }

    @RequiresScope(Scopes.TOOLS_READ)
    @GetMapping("/tools")
    Map<String, Object> list(@RequestParam Map<String, String> query) {
        QueryParams q = QueryParams.of(query);
        String transport = q.oneOf("transport", ToolSpec.TRANSPORTS);
        String prefix = q.string("prefix");
        int limit = q.integer("limit", 1, 200, 50);
        int offset = q.integer("offset", 0, Integer.MAX_VALUE, 0);
        List<ToolView> items = service.page(transport, prefix, limit, offset).stream().map(ToolView::of).toList();
        long total = service.count(transport, prefix);
        return PageBody.of(items, total, limit, offset);
    }

    @RequiresScope(Scopes.TOOLS_READ)
    @GetMapping("/tools/{address}")
    ToolView get(@PathVariable String address) {
        return ToolView.of(service.get(known(address)));
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @PutMapping(path = "/tools/{address}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ToolView replace(@PathVariable String address, @RequestBody Object body, Caller caller) {
        return ToolView.of(service.replace(known(address), JsonFields.of(body), caller));
    }

    @RequiresScope(Scopes.TOOLS_WRITE)
    @DeleteMapping("/tools/{address}")
    Map<String, Object> delete(@PathVariable String address, Caller caller) {
        service.delete(known(address), caller);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", "Tool " + address + " deleted");
        body.put("details", Map.of("address", address));
        return body;
    }

    /** Lists an MCP server's tools (tools/list) and registers them under {@code <prefix>.<name>}. */
    @RequiresScope(Scopes.TOOLS_WRITE)
    @PostMapping(path = "/tools/discover", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> discover(@RequestBody Object body, Caller caller) {
        return service.discover(JsonFields.of(body), caller);
    }

    /** An address that cannot exist is simply not found. */
    private static String known(String address) {
        if (address.length() > ToolSpec.MAX_ADDRESS_LENGTH || !ToolDefinition.ADDRESS.matcher(address).matches()) {
            throw ApiException.notFound("Tool", address);
        }
        return address;
    }
}
