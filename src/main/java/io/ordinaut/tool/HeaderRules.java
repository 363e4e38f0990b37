package io.ordinaut.tool;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tool's configured headers may hold. Secrets never enter the catalog: a header that carries
 * credentials must name them ({@code Bearer ${env:CRM_TOKEN}}), and the value is read from the
 * environment only when a call is made, so neither the table nor any API answer holds it.
 */
final class HeaderRules {

    static final int MAX_HEADERS = 50;
    private static final int MAX_VALUE_LENGTH = 4096;
    private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)}");
    /** An optional auth scheme followed by nothing but references, e.g. {@code Bearer ${env:TOKEN}}. */
    private static final Pattern REFERENCES_ONLY = Pattern.compile(
            "([A-Za-z][A-Za-z0-9_-]*\\s+)?(\\$\\{(env|secret):[A-Za-z_][A-Za-z0-9_]*})+");
    /** Set by the transports themselves, or refused by the JDK HTTP client. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "keep-alive", "content-type", "accept", "idempotency-key",
            "mcp-session-id", "mcp-protocol-version");
    /** Headers a server sends, never a request: configuring one on a tool is a mistake, whatever its value. */
    private static final Set<String> RESPONSE_ONLY = Set.of("set-cookie", "set-cookie2");
    private static final Set<String> SECRET_NAMES = Set.of("authorization", "proxy-authorization", "cookie");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)(.*[_.-])?(token|api[_-]?key|key|secret|password|passwd|pwd|signature|sig|auth|credentials?)");
    /** Parts of a header name that mark a credential wherever they stand: X-Auth-Token, X-Csrftoken, X-JWT … */
    private static final Pattern SECRET_WORDS = Pattern.compile(
            "token|secret|key|password|passwd|pwd|auth|session|credential|signature|jwt|bearer|csrf|xsrf|cookie");
    /**
     * Words of a header name (between '-', '_' and '.') that mark a credential only as a whole word, being
     * parts of ordinary words too: X-Access-Token but not X-Accessibility, X-Sig but not X-Design-Id,
     * X-Client-Cert but not X-Concert.
     */
    private static final Set<String> SECRET_NAME_WORDS = Set.of("access", "sig", "cert", "certs", "certificate", "clientcert");

    private HeaderRules() {
    }

    /**
     * @return why this header cannot be stored, or null when it can
     */
    static String problem(String name, String value, List<String> secretEnvPrefixes) {
        if (!NAME.matcher(name).matches()) {
            return "'" + name + "' is not a valid header name";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED.contains(lower) || lower.startsWith("x-ordinaut-")) {
            return "header " + name + " is set by Ordinaut or its HTTP client and cannot be configured";
        }
        if (RESPONSE_ONLY.contains(lower)) {
            return "header " + name + " is a response header, which a server sends and a request has no use for; "
                    + "send cookies in a Cookie header naming them, e.g. \"${env:" + suggestedVariable("Cookie", secretEnvPrefixes) + "}\"";
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return "header " + name + " is longer than " + MAX_VALUE_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return "header " + name + " contains a control character";
            }
        }
        String withoutReferences = REFERENCE.matcher(value).replaceAll("");
        if (withoutReferences.contains("${")) {
            return "header " + name + " has a malformed reference; write ${env:NAME} or ${secret:NAME} with NAME made of letters, digits and '_'";
        }
        Matcher m = REFERENCE.matcher(value);
        while (m.find()) {
            if (!openToTools(m.group(2), secretEnvPrefixes)) {
                return notOpen("header " + name, m.group(2), secretEnvPrefixes);
            }
        }
        if (carriesSecret(lower) && !REFERENCES_ONLY.matcher(value).matches()) {
            return "header " + name + " carries credentials, so its value must name them instead of holding them, "
                    + "e.g. \"" + (lower.endsWith("authorization") ? "Bearer " : "") + "${env:" + suggestedVariable(name, secretEnvPrefixes)
                    + "}\"; secrets are read from the environment at call time and never stored, and only tools registered by an "
                    + "admin may name them";
        }
        return null;
    }

    /**
     * Whether the operator opened this environment variable to tools: its name starts with one of the
     * prefixes (case-sensitive, as environment variable names are). An allow-list, never a deny-list:
     * what the node itself is configured with must stay out of reach of whoever may register tools.
     */
    static boolean openToTools(String name, List<String> secretEnvPrefixes) {
        return secretEnvPrefixes.stream().anyMatch(prefix -> name.startsWith(prefix) && name.length() > prefix.length());
    }

    static String notOpen(String who, String variable, List<String> secretEnvPrefixes) {
        return who + " may not read environment variable " + variable + ": tools may only read variables whose names "
                + "start with " + String.join(" or ", secretEnvPrefixes) + " (ordinaut.tools.secret-env-prefixes)";
    }

    /**
     * The names of the headers whose values name a secret ({@code ${env:…}} or {@code ${secret:…}}), in their
     * order. Only tools registered by an admin may have any ({@link ToolTrust#mayReadSecrets}): a secret
     * reference is not tied to a tool, an owner or an endpoint, so any agent that could write one could send
     * the operator's secrets to a server of its own.
     */
    static List<String> namingSecrets(Map<String, String> headers) {
        return headers.entrySet().stream().filter(h -> REFERENCE.matcher(h.getValue()).find()).map(Map.Entry::getKey).toList();
    }

    /** Whether a URL query parameter's name says its value is a credential ({@code api_key}, {@code access_token}…). */
    static boolean namesSecretParameter(String name) {
        return SECRET_PARAMETER.matcher(name).matches();
    }

    private static boolean carriesSecret(String lowerName) {
        return SECRET_NAMES.contains(lowerName) || SECRET_WORDS.matcher(lowerName).find()
                || Arrays.stream(lowerName.split("[-_.]+")).anyMatch(SECRET_NAME_WORDS::contains);
    }

    /** The variable to suggest for a header's secret: Authorization → ORDINAUT_TOOL_TOKEN, X-Api-Key → ORDINAUT_TOOL_API_KEY. */
    static String suggestedVariable(String name, List<String> secretEnvPrefixes) {
        String upper = name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
        String base = upper.startsWith("X_") ? upper.substring(2) : upper.equals("AUTHORIZATION") ? "TOKEN" : upper;
        return (secretEnvPrefixes.isEmpty() ? "" : secretEnvPrefixes.get(0)) + base;
    }
}
