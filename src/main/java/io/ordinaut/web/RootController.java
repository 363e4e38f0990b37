package io.ordinaut.web;

import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** GET /: what answers here and where its API is described, for whoever opens the bare address. */
@RestController
@PublicEndpoint
@Tag(name = "admin")
class RootController {

    private final Map<String, Object> body;

    RootController(ObjectProvider<BuildProperties> build) {
        BuildProperties info = build.getIfAvailable();
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", "Ordinaut");
        b.put("version", info == null ? "dev" : info.getVersion());
        b.put("api_docs", "/v3/api-docs");
        b.put("swagger_ui", "/swagger-ui.html");
        b.put("health", "/health");
        this.body = Map.copyOf(b);
    }

    @GetMapping("/")
    @Operation(operationId = "getServiceInfo", summary = "Name the service, its version and where the API docs are")
    Map<String, Object> root() {
        return body;
    }
}
