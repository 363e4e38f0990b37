package io.ordinaut.tool;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.UrlHosts;
import io.ordinaut.agent.AgentScopes;

/**
 * Reads a tool definition from a request body. Every problem is a 400 naming the field; what needs the
 * network or the catalog (egress policy, duplicates) is checked by {@link ToolService}.
 */
final class ToolSpec {

    static final List<String> FIELDS = List.of("address", "transport", "endpoint", "description", "input_schema",
            "output_schema", "scopes", "timeout_seconds", "headers");
    static final List<String> TRANSPORTS = List.of(ToolDefinition.HTTP, ToolDefinition.MCP, ToolDefinition.SIMULATE);
    static final int MAX_ADDRESS_LENGTH = 200;
    static final int DEFAULT_TIMEOUT_SECONDS = 30;
    private static final int MAX_ENDPOINT_LENGTH = 2000;
    private static final int MAX_DESCRIPTION_LENGTH = 4000;
    private static final int MAX_SCHEMA_CHARS = 256 * 1024;
    private static final int MAX_SCOPES = 50;

    /** What reading a definition needs besides the body. */
    record Rules(SchemaCheck schemas, List<String> secretEnvPrefixes) {
    }

    private ToolSpec() {
    }

    static ToolDefinition forCreate(JsonFields f, Rules rules) {
        f.allowOnly(FIELDS);
        String address = address(f.requiredString("address", 1, MAX_ADDRESS_LENGTH), "address");
        String transport = f.oneOf("transport", TRANSPORTS);
        if (transport == null) {
            throw new InvalidInputException("transport", "transport is required: one of " + String.join(", ", TRANSPORTS));
        }
        String endpoint = endpoint(transport, f.string("endpoint", 1, MAX_ENDPOINT_LENGTH), "endpoint", rules.secretEnvPrefixes());
        Integer timeout = f.integer("timeout_seconds", 1, 3600);
        return new ToolDefinition(address, transport, endpoint,
                f.string("description", 0, MAX_DESCRIPTION_LENGTH),
                schema(f, "input_schema", rules),
                schema(f, "output_schema", rules),
                scopes(f, "scopes"),
                timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout,
                headers(f, "headers", rules));
    }

    /** Fields present replace the current ones (JSON null clears an optional field); absent fields stay. */
    static ToolDefinition forUpdate(ToolDefinition current, JsonFields f, Rules rules) {
        f.allowOnly(FIELDS);
        if (f.has("address") && !current.address().equals(f.raw("address"))) {
            throw new InvalidInputException("address", "address cannot be changed (the URL names " + current.address()
                    + "); register the tool under its new address and delete the old one");
        }
        String transport = f.has("transport") ? f.oneOf("transport", TRANSPORTS) : current.transport();
        if (transport == null) {
            throw new InvalidInputException("transport", "transport cannot be null: one of " + String.join(", ", TRANSPORTS));
        }
        String endpoint;
        if (f.has("endpoint")) {
            endpoint = endpoint(transport, f.string("endpoint", 1, MAX_ENDPOINT_LENGTH), "endpoint", rules.secretEnvPrefixes());
        } else {
            endpoint = transport.equals(ToolDefinition.SIMULATE) ? null : endpoint(transport, current.endpoint(), "endpoint", rules.secretEnvPrefixes());
        }
        Integer timeout = f.has("timeout_seconds") ? f.integer("timeout_seconds", 1, 3600) : Integer.valueOf(current.timeoutSeconds());
        return new ToolDefinition(current.address(), transport, endpoint,
                f.has("description") ? f.string("description", 0, MAX_DESCRIPTION_LENGTH) : current.description(),
                f.has("input_schema") ? schema(f, "input_schema", rules) : current.inputSchema(),
                f.has("output_schema") ? schema(f, "output_schema", rules) : current.outputSchema(),
                f.has("scopes") ? scopes(f, "scopes") : current.scopes(),
                timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout,
                f.has("headers") ? headers(f, "headers", rules) : current.headers());
    }

    static String address(String address, String field) {
        if (address.length() > MAX_ADDRESS_LENGTH || !ToolDefinition.ADDRESS.matcher(address).matches()) {
            throw new InvalidInputException(field, field + " must look like 'namespace.tool': dot-separated parts of letters, "
                    + "digits, '_' and '-', at most " + MAX_ADDRESS_LENGTH + " characters (got \"" + address + "\")");
        }
        return address;
    }

    /**
     * An absolute http(s) URL without credentials, or null for a simulated tool.
     */
    static String endpoint(String transport, String endpoint, String field, List<String> secretEnvPrefixes) {
        if (transport.equals(ToolDefinition.SIMULATE)) {
            if (endpoint != null) {
                throw new InvalidInputException(field, "a simulated tool has no " + field + "; leave it out or use transport http or mcp");
            }
            return null;
        }
        if (endpoint == null) {
            throw new InvalidInputException(field, field + " is required for transport " + transport
                    + ": an absolute http(s) URL" + (transport.equals(ToolDefinition.MCP) ? " of the MCP server (Streamable HTTP)" : ""));
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, field + " is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            String why = scheme.equals("http") || scheme.equals("https") ? UrlHosts.whyNoHost(uri) : null;
            throw new InvalidInputException(field, field + " must be an absolute http or https URL with a host (got \"" + endpoint + "\")"
                    + (why == null ? "" : ": " + why));
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidInputException(field, field + " must not carry credentials; " + credentialAdvice("Authorization", "Bearer ", secretEnvPrefixes));
        }
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("&")) {
                String parameterName = parameter.contains("=") ? parameter.substring(0, parameter.indexOf('=')) : parameter;
                if (HeaderRules.namesSecretParameter(parameterName)) {
                    throw new InvalidInputException(field, field + " must not carry credentials (query parameter " + parameterName
                            + "); " + credentialAdvice("X-Api-Key", "", secretEnvPrefixes));
                }
            }
        }
        if (uri.getRawFragment() != null) {
            throw new InvalidInputException(field, field + " must not have a #fragment");
        }
        return endpoint;
    }

    /**
     * Advice that can be followed as given: the variable it names is one tools may read (its name starts
     * with the first of ordinaut.tools.secret-env-prefixes), and it says who may register such a header.
     */
    private static String credentialAdvice(String header, String scheme, List<String> secretEnvPrefixes) {
        List<String> prefixes = secretEnvPrefixes.isEmpty() ? ToolProperties.DEFAULT_SECRET_ENV_PREFIXES : secretEnvPrefixes;
        return "send them in a header that names an environment variable whose name starts with " + String.join(" or ", prefixes)
                + " (ordinaut.tools.secret-env-prefixes), e.g. {\"" + header + "\": \"" + scheme + "${env:"
                + HeaderRules.suggestedVariable(header, prefixes) + "}\"}; only tools registered by an admin may name ${env:…} or"
                + " ${secret:…} in their headers";
    }

    static List<String> scopes(JsonFields f, String field) {
        List<String> scopes = f.strings(field, MAX_SCOPES, 100);
        if (scopes == null) {
            return List.of();
        }
        for (String scope : scopes) {
            if (!AgentScopes.wellFormed(scope)) {
                throw new InvalidInputException(field, field + ": '" + scope + "' is not a valid scope (letters, digits and _ . : * / -)");
            }
        }
        return List.copyOf(new LinkedHashSet<>(scopes));
    }

    static Map<String, String> headers(JsonFields f, String field, Rules rules) {
        Map<String, Object> given = f.object(field);
        if (given == null) {
            return Map.of();
        }
        if (given.size() > HeaderRules.MAX_HEADERS) {
            throw new InvalidInputException(field, field + " may hold at most " + HeaderRules.MAX_HEADERS + " headers");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        for (Map.Entry<String, Object> header : given.entrySet()) {
            String name = header.getKey();
            String headerField = field + "." + name;
            if (!(header.getValue() instanceof String value)) {
                throw new InvalidInputException(headerField, "header " + name + ": values must be strings");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (seen.contains(lower)) {
                throw new InvalidInputException(headerField, "header " + name + " is given twice");
            }
            seen.add(lower);
            String problem = HeaderRules.problem(name, value, rules.secretEnvPrefixes());
            if (problem != null) {
                throw new InvalidInputException(headerField, problem);
            }
            headers.put(name, value);
        }
        return headers;
    }

    private static Map<String, Object> schema(JsonFields f, String field, Rules rules) {
        Map<String, Object> schema = f.object(field);
        if (schema == null) {
            return null;
        }
        if (Json.text(schema).length() > MAX_SCHEMA_CHARS) {
            throw new InvalidInputException(field, field + " is larger than " + MAX_SCHEMA_CHARS / 1024 + " KiB");
        }
        List<String> problems = rules.schemas().schemaProblems(schema);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(field, field + " is not a valid JSON Schema: " + String.join("; ", problems));
        }
        return schema;
    }
}
