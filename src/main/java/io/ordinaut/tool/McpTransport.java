package io.ordinaut.tool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import tools.jackson.core.JacksonException;

/**
 * Calls MCP tools over Streamable HTTP. One initialised client is kept per endpoint and header set
 * and reused by all calls; a client that hits a transport error is dropped so the next call
 * reconnects, and clients unused for {@code mcp-idle-seconds} or beyond {@code mcp-max-connections} are
 * closed. Requests go through {@link McpHttpClient}: to the address the egress guard accepted, without
 * redirects, with answers capped at {@code max-response-bytes}. The idempotency key, run id and attempt travel in the request's {@code _meta}.
 */
final class McpTransport implements AutoCloseable {

    static final String META_IDEMPOTENCY_KEY = "io.ordinaut/idempotency-key";
    static final String META_RUN_ID = "io.ordinaut/run-id";
    static final String META_ATTEMPT = "io.ordinaut/attempt";
    private static final int JSON_RPC_INTERNAL_ERROR = -32603;
    private static final int MAX_ERROR_TEXT = 300;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(McpTransport.class);
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };

    private final EgressGuard guard;
    private final McpSchemaValidation validation;
    private final McpJsonMapper mapper = McpJsonDefaults.getMapper();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final int maxResponseBytes;
    private final int maxConnections;
    private final long idleNanos;
    private final SSLContext sslContext;
    private final ExecutorService exchanges = Executors.newCachedThreadPool(daemon("ordinaut-mcp-http-"));

    McpTransport(EgressGuard guard, SchemaCheck schemas,
                 int maxResponseBytes, int maxConnections, Duration idle, SSLContext sslContext) {
        this.guard = guard;
        this.validation = new McpSchemaValidation(schemas);
        this.maxResponseBytes = maxResponseBytes;
        this.maxConnections = maxConnections;
        this.idleNanos = idle.toNanos();
        this.sslContext = sslContext;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** How many server connections are open now. */
    int openConnections() {
        return connections.size();
    }

    /**
     * @param headers the tool's headers, resolved by the caller, which also takes their secrets out of what
     *                this answers or throws; the server's own error text is quoted here already redacted
     *                ({@link HeaderValues#excerpt})
     */
    Object invoke(ToolDefinition tool, ToolCall call, HeaderValues headers) {
        String toolName = tool.address().substring(tool.address().indexOf('.') + 1);
        Duration timeout = call.timeout().compareTo(Duration.ofSeconds(tool.timeoutSeconds())) <= 0
                ? call.timeout() : Duration.ofSeconds(tool.timeoutSeconds());
        Map<String, Object> meta = new LinkedHashMap<>();
        if (call.idempotencyKey() != null) {
            meta.put(META_IDEMPOTENCY_KEY, call.idempotencyKey());
        }
        if (call.runId() != null) {
            meta.put(META_RUN_ID, call.runId());
        }
        meta.put(META_ATTEMPT, call.attempt());
        McpSchema.CallToolRequest request = new McpSchema.CallToolRequest(toolName, call.args(), meta);

        // the addresses are checked when the pinned client connects, on the very answer it connects to
        guard.checkName(URI.create(tool.endpoint()));
        // keyed by a digest so resolved secrets are not kept as map keys
        String key = tool.endpoint() + "\n" + Digests.sha256Hex(headers.values().toString());
        evictIdle();
        Connection connection = connections.computeIfAbsent(key, k -> new Connection(tool.endpoint(), headers.values()));
        McpSchema.CallToolResult result;
        connection.enter();
        try {
            result = connection.client(timeout).callTool(request).block(timeout);
        } catch (RuntimeException e) {
            ToolCallException failure = classify(tool.address(), e, timeout, headers);
            if (brokenConnection(e)) {
                drop(key, connection);
            }
            throw new ToolCallException(failure.getMessage(), failure.retryable(), null, e);
        } finally {
            connection.leave();
        }

        if (result == null) {
            throw ToolCallException.retryable(tool.address() + " returned no result");
        }
        if (Boolean.TRUE.equals(result.isError())) {
            throw ToolCallException.permanent(tool.address() + " reported an error: " + headers.excerpt(text(result), MAX_ERROR_TEXT));
        }
        return output(result);
    }

    /**
     * Lists a server's tools as definitions addressed {@code <prefix>.<tool name>}.
     *
     * @param headers  as the definitions are to store them ({@code ${env:…}} unresolved)
     * @param resolved the same headers resolved, as they are sent; the caller takes their secrets out of the answer
     * @param unaddressable told each {@code <prefix>.<tool name>} left out because it is not a tool address
     */
    List<ToolDefinition> discover(String serverUrl, String prefix, Map<String, String> headers, HeaderValues resolved,
                                  Duration timeout, Consumer<String> unaddressable) {
        guard.checkName(URI.create(serverUrl));
        Connection connection = new Connection(serverUrl, resolved.values());
        try {
            McpSchema.ListToolsResult listed = connection.client(timeout).listTools().block(timeout);
            List<ToolDefinition> definitions = new ArrayList<>();
            for (McpSchema.Tool tool : listed == null ? List.<McpSchema.Tool>of() : listed.tools()) {
                String address = prefix + "." + tool.name();
                if (!ToolDefinition.ADDRESS.matcher(address).matches()) {
                    unaddressable.accept(address); // a name we cannot address in a pipeline
                    continue;
                }
                Map<String, Object> input = tool.inputSchema() == null ? null : mapper.convertValue(tool.inputSchema(), MAP);
                definitions.add(new ToolDefinition(address, ToolDefinition.MCP, serverUrl, tool.description(),
                        input, tool.outputSchema(), List.of(), 30, headers));
            }
            return definitions;
        } catch (RuntimeException e) {
            // the caller names the server already
            ToolCallException failure = classify("the server", e, timeout, resolved);
            throw new ToolCallException(failure.getMessage(), failure.retryable(), null, e);
        } finally {
            connection.close().subscribe();
        }
    }

    private static Object output(McpSchema.CallToolResult result) {
        if (result.structuredContent() != null) {
            return result.structuredContent();
        }
        String text = text(result);
        try {
            return Json.parse(text);
        } catch (JacksonException e) {
            Map<String, Object> wrapped = new LinkedHashMap<>(2);
            wrapped.put("text", text);
            return wrapped;
        }
    }

    private static String text(McpSchema.CallToolResult result) {
        if (result.content() == null) {
            return "";
        }
        List<String> texts = new ArrayList<>();
        for (McpSchema.Content content : result.content()) {
            if (content instanceof McpSchema.TextContent text) {
                texts.add(text.text());
            }
        }
        return String.join("\n", texts);
    }

    /**
     * Tool-reported and protocol errors are final; timeouts and transport trouble may pass. The SDK's text may
     * quote the server's answer, so it is excerpted redacted.
     */
    private static ToolCallException classify(String what, RuntimeException e, Duration timeout, HeaderValues headers) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof ToolCallException failure) {
                return failure;
            }
            if (cause instanceof McpError error) {
                boolean retryable = error.getJsonRpcError() != null
                        && error.getJsonRpcError().code() == JSON_RPC_INTERNAL_ERROR;
                return new ToolCallException(what + ": MCP error: " + error.getMessage(), retryable);
            }
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return ToolCallException.retryable(what + " call was interrupted");
            }
            if (cause instanceof IOException && cause.getCause() instanceof ToolCallException refused) {
                return refused; // the egress guard's verdict, raised inside the pinned client
            }
            if (cause instanceof McpHttpClient.AnswerTooLarge) {
                return ToolCallException.permanent(what + " " + cause.getMessage());
            }
            if (cause instanceof IOException) {
                return ToolCallException.retryable(what + " could not be reached: " + IoFailures.describe(cause));
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("Timeout")) {
            return ToolCallException.retryable(what + " timed out after " + timeout.toSeconds() + "s");
        }
        if (e instanceof IllegalArgumentException) {
            // the SDK found the result at odds with the tool's declared output schema
            return ToolCallException.permanent(what + ": " + e.getMessage());
        }
        // the SDK wraps what went wrong in a message of its own ("Client failed to initialize by explicit API
        // call"); the innermost cause says what the server did (a 404, an HTML page, no JSON-RPC, silence)
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof TimeoutException) {
            return ToolCallException.retryable(what + " timed out after " + timeout.toSeconds() + "s");
        }
        boolean handshake = String.valueOf(e.getMessage()).startsWith("Client failed to initialize");
        return ToolCallException.retryable(what + (handshake ? " did not complete the MCP initialize handshake: " : " failed: ")
                + headers.excerpt(IoFailures.describe(root), MAX_ERROR_TEXT));
    }

    /**
     * Whether the connection itself is suspect (I/O or unknown failure), not just this call (timeout,
     * interrupt, tool or protocol error), so that other calls sharing it are not cut off needlessly.
     */
    private static boolean brokenConnection(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof McpHttpClient.AnswerTooLarge) {
                return false; // the server answered; only that answer was refused
            }
            if (cause instanceof IOException) {
                return true;
            }
            if (cause instanceof McpError || cause instanceof InterruptedException || cause instanceof ToolCallException) {
                return false;
            }
        }
        boolean timeout = e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("Timeout");
        return !timeout && !(e instanceof IllegalArgumentException);
    }

    /**
     * Closes connections unused for the idle time, then the least recently used idle ones while more than
     * the maximum are open, so that a stream of distinct servers or header sets cannot pile up clients.
     */
    private void evictIdle() {
        long now = System.nanoTime();
        connections.forEach((key, connection) -> {
            if (connection.idle() && now - connection.lastUsed() > idleNanos) {
                drop(key, connection);
            }
        });
        while (connections.size() >= maxConnections) {
            Map.Entry<String, Connection> oldest = null;
            for (Map.Entry<String, Connection> entry : connections.entrySet()) {
                if (entry.getValue().idle() && (oldest == null || entry.getValue().lastUsed() < oldest.getValue().lastUsed())) {
                    oldest = entry;
                }
            }
            if (oldest == null) {
                return; // all busy: they are closed when idle, on a later call
            }
            drop(oldest.getKey(), oldest.getValue());
        }
    }

    private void drop(String key, Connection connection) {
        if (connections.remove(key, connection)) {
            connection.close().subscribe();
        }
    }

    @Override
    public void close() {
        List<Mono<Void>> closing = new ArrayList<>();
        connections.values().forEach(connection -> closing.add(connection.close()));
        connections.clear();
        try {
            // the sessions' DELETEs run on the exchange threads: stop those only once they are sent
            Mono.when(closing).block(CLOSE_TIMEOUT.multipliedBy(2));
        } catch (RuntimeException e) {
            // each close gives up on its own after CLOSE_TIMEOUT; shutting down goes on either way
        }
        exchanges.shutdownNow();
    }

    /**
     * How long one read on a server connection may wait. Each call bounds itself with its own timeout; this
     * only frees the reading thread of a call given up on, so it is the first call's bound, at least a minute.
     */
    private static Duration readTimeout(Duration timeout) {
        Duration floor = Duration.ofMinutes(1);
        return timeout.compareTo(floor) < 0 ? floor : timeout;
    }

    /** A lazily initialised client; initialisation happens outside the map's locks. */
    private final class Connection {
        private final String endpoint;
        private final Map<String, String> headers;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile long lastUsed = System.nanoTime();
        private McpAsyncClient client;
        private CloseableHttpClient http;

        Connection(String endpoint, Map<String, String> headers) {
            this.endpoint = endpoint;
            this.headers = headers;
        }

        void enter() {
            inFlight.incrementAndGet();
            lastUsed = System.nanoTime();
        }

        void leave() {
            lastUsed = System.nanoTime();
            inFlight.decrementAndGet();
        }

        boolean idle() {
            return inFlight.get() == 0;
        }

        long lastUsed() {
            return lastUsed;
        }

        synchronized McpAsyncClient client(Duration timeout) {
            if (client == null) {
                URI uri = URI.create(endpoint);
                String base = uri.getScheme() + "://" + uri.getRawAuthority();
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/mcp" : uri.getRawPath();
                if (uri.getRawQuery() != null) {
                    path += "?" + uri.getRawQuery();
                }
                // resolved and checked once for the life of this connection: every HTTP connection the SDK
                // opens to the server goes to these addresses; no redirects; answers capped while read
                InetAddress[] addresses = guard.check(uri);
                CloseableHttpClient pinnedHttp = PinnedClients.create(PinnedClients.pinnedTo(uri.getHost(), addresses), sslContext);
                McpHttpClient pinned = new McpHttpClient(pinnedHttp, guard, maxResponseBytes, readTimeout(timeout), exchanges);
                HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base)
                        .endpoint(path)
                        .clientBuilder(pinned.asBuilder())
                        .connectTimeout(timeout)
                        .httpRequestCustomizer((request, method, target, body, context) -> headers.forEach(request::header))
                        .jsonMapper(mapper)
                        .build();
                McpAsyncClient fresh = McpClient.async(transport)
                        .clientInfo(new McpSchema.Implementation("ordinaut", "1"))
                        .requestTimeout(Duration.ofHours(1)) // each call sets its own bound with block(timeout)
                        .initializationTimeout(timeout)
                        .jsonSchemaValidator(validation)
                        .build();
                try {
                    fresh.initialize().block(timeout);
                } catch (RuntimeException e) {
                    closeInOrder(fresh, pinnedHttp).subscribe();
                    throw e;
                }
                client = fresh;
                http = pinnedHttp;
            }
            return client;
        }

        /** Starts closing; the answer completes (never fails) once the session is ended and the pool shut. */
        synchronized Mono<Void> close() {
            CloseableHttpClient pool = http;
            Mono<Void> closing = client != null ? closeInOrder(client, pool)
                    : pool != null ? Mono.fromRunnable(() -> PinnedClients.closeQuietly(pool)) : Mono.empty();
            client = null;
            http = null;
            return closing;
        }
    }

    /**
     * Ends the MCP session (the SDK sends a DELETE), then shuts the HTTP pool it is sent through. The
     * SDK's own {@code close()} sends that DELETE without waiting for it: shutting the pool right after
     * failed it ("Connection pool shut down") and the SDK logged a WARN with a stack trace on every
     * discovery and dropped connection. A server that does not answer the DELETE does not keep the pool.
     */
    private static Mono<Void> closeInOrder(McpAsyncClient client, CloseableHttpClient http) {
        return client.closeGracefully()
                .timeout(CLOSE_TIMEOUT)
                .onErrorResume(e -> {
                    log.debug("MCP session did not close cleanly: {}", IoFailures.describe(e));
                    return Mono.empty();
                })
                .doFinally(signal -> PinnedClients.closeQuietly(http));
    }
}
