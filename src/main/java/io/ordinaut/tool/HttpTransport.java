package io.ordinaut.tool;

import tools.jackson.core.JacksonException;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import javax.net.ssl.SSLContext;

/**
 * Calls an HTTP tool: POSTs the rendered arguments as JSON and takes a 2xx JSON body as the output
 * (a non-JSON body becomes {@code {"text": body}}).
 *
 * <p>Sent through {@link PinnedClients}: connections go to exactly the addresses the egress guard
 * accepted, whatever DNS answers later. Redirects are followed here, at most {@value #MAX_REDIRECTS}, each hop
 * checked again; the tool's configured headers (which may carry secrets) are sent to its own origin
 * only, never after a redirect to another one.
 */
final class HttpTransport implements AutoCloseable {

    static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_TEXT = 300;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final CloseableHttpClient client;
    private final EgressGuard guard;
    private final int maxBodyBytes;
    private final Clock clock;

    HttpTransport(EgressGuard guard, int maxBodyBytes, Clock clock, SSLContext sslContext) {
        this.guard = guard;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
        this.client = PinnedClients.create(guard, sslContext);
    }

    /**
     * @param headers the tool's headers, resolved by the caller, which also takes their secrets out of what
     *                this answers or throws; error bodies are quoted here already redacted ({@link HeaderValues#excerpt})
     */
    Object invoke(ToolDefinition tool, ToolCall call, HeaderValues headers) {
        byte[] body = Json.write(call.args());
        Duration timeout = min(call.timeout(), Duration.ofSeconds(tool.timeoutSeconds()));
        URI origin = URI.create(tool.endpoint());
        URI uri = origin;
        boolean post = true;
        boolean sameOrigin = true;
        for (int hop = 0; ; hop++) {
            guard.checkName(uri);
            HttpUriRequestBase request = request(uri, post ? body : null, timeout, call,
                    sameOrigin ? headers.values() : Map.of());
            try (CloseableHttpResponse response = send(tool, request, timeout)) {
                int status = response.getCode();
                if (REDIRECTS.contains(status)) {
                    Header location = response.getFirstHeader("Location");
                    if (location == null) {
                        throw new ToolCallException(tool.address() + " answered HTTP " + status + " without a Location",
                                false, status, null);
                    }
                    if (hop == MAX_REDIRECTS) {
                        throw new ToolCallException(tool.address() + " redirected more than " + MAX_REDIRECTS + " times",
                                false, status, null);
                    }
                    uri = redirectTarget(tool, uri, location.getValue(), status);
                    // once another origin has been seen, the secrets stay off for the rest of the chain
                    sameOrigin = sameOrigin && sameOrigin(origin, uri);
                    // as browsers do: 303 (and 301/302 after a POST) continue as GET; 307/308 repeat the POST
                    post = post && (status == 307 || status == 308);
                    continue;
                }
                String text = read(tool, request, response, timeout);
                if (status >= 200 && status < 300) {
                    return output(text);
                }
                boolean retryable = status >= 500 || status == 429 || status == 408;
                Duration retryAfter = status == 429 || status == 503
                        ? RetryAfter.parse(headerValue(response, "Retry-After"), clock.instant()) : null;
                throw new ToolCallException(tool.address() + " answered HTTP " + status + errorText(text, headers),
                        retryable, status, null, retryAfter);
            } catch (IOException e) {
                // closing the response failed; the answer was already taken
                throw new ToolCallException(tool.address() + " connection could not be released: " + IoFailures.describe(e), true, null, e);
            }
        }
    }

    private static URI redirectTarget(ToolDefinition tool, URI from, String location, int status) {
        try {
            return from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw new ToolCallException(tool.address() + " redirected (HTTP " + status + ") to an invalid Location", false, status, e);
        }
    }

    /** Same scheme, host and port; the default port counts as given. */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static HttpUriRequestBase request(URI uri, byte[] body, Duration timeout, ToolCall call, Map<String, String> headers) {
        HttpUriRequestBase request = body == null ? new HttpGet(uri) : new HttpPost(uri);
        request.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build());
        headers.forEach(request::addHeader);
        request.setHeader("Accept", "application/json");
        if (call.idempotencyKey() != null) {
            request.setHeader("Idempotency-Key", call.idempotencyKey());
        }
        if (call.runId() != null) {
            request.setHeader("X-Ordinaut-Run-Id", call.runId());
        }
        request.setHeader("X-Ordinaut-Attempt", Integer.toString(call.attempt()));
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, ContentType.create("application/json")));
        }
        return request;
    }

    @SuppressWarnings("deprecation") // execute(request, context) returning the open response is what we need here
    private CloseableHttpResponse send(ToolDefinition tool, HttpUriRequestBase request, Duration timeout) {
        try {
            return client.execute(request, HttpClientContext.create());
        } catch (IOException e) {
            ToolCallException refused = PinnedClients.refusal(e);
            if (refused != null) {
                throw refused;
            }
            if (e instanceof InterruptedIOException) {
                throw new ToolCallException(tool.address() + " timed out after " + timeout.toSeconds() + "s", true, null, e);
            }
            throw new ToolCallException(tool.address() + " could not be reached: " + IoFailures.describe(e), true, null, e);
        }
    }

    /**
     * Reads at most {@code maxBodyBytes}, and gives up once the call's time is spent (a slow drip). A body
     * not read to its end is aborted, not closed: closing would read and discard the rest to keep the
     * connection for reuse, and an endless answer would hold this thread until the step timed out.
     */
    private String read(ToolDefinition tool, HttpUriRequestBase request, CloseableHttpResponse response, Duration timeout) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return "";
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (InputStream in = entity.getContent()) {
            try {
                return readCapped(tool, in, deadline);
            } catch (ToolCallException | IOException e) {
                request.abort(); // before the stream's close, which would drain the rest
                throw e;
            }
        } catch (InterruptedIOException e) {
            throw new ToolCallException(tool.address() + " timed out while sending its answer", true, null, e);
        } catch (IOException e) {
            throw new ToolCallException(tool.address() + " answer could not be read: " + IoFailures.describe(e), true, null, e);
        }
    }

    private String readCapped(ToolDefinition tool, InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (out.size() > maxBodyBytes) {
                throw ToolCallException.permanent(tool.address() + " answered with more than " + maxBodyBytes
                        + " bytes (ordinaut.tools.max-response-bytes)");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ToolCallException(tool.address() + " timed out while sending its answer", true, null, null);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String headerValue(CloseableHttpResponse response, String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? null : header.getValue();
    }

    private static Object output(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Json.parse(text);
        } catch (JacksonException e) {
            return Map.of("text", text);
        }
    }

    private static String errorText(String body, HeaderValues headers) {
        if (body == null || body.isBlank()) {
            return "";
        }
        return ": " + headers.excerpt(body.strip(), MAX_ERROR_TEXT);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        PinnedClients.closeQuietly(client);
    }
}
