package io.ordinaut.tool;

import tools.jackson.core.JacksonException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Calls an HTTP tool: POSTs the rendered arguments as JSON and takes a 2xx JSON body as the output
 * (a non-JSON body becomes {@code {"text": body}}). Redirects are followed here, at most
 * {@value #MAX_REDIRECTS}, so that each hop passes the egress guard.
 */
final class HttpTransport {

    static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_TEXT = 300;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpClient client;
    private final EgressGuard guard;
    private final Function<String, String> environment;
    private final int maxBodyBytes;

    HttpTransport(EgressGuard guard, Function<String, String> environment, int maxBodyBytes) {
        this.guard = guard;
        this.environment = environment;
        this.maxBodyBytes = maxBodyBytes;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    Object invoke(ToolDefinition tool, ToolCall call) {
        HeaderValues headers = HeaderValues.resolve(tool, environment);
        try {
            return exchange(tool, call, headers);
        } catch (ToolCallException e) {
            // a tool may echo a header back in an error body
            String message = headers.redact(e.getMessage());
            throw new ToolCallException(message, e.retryable(), e.httpStatus(), e.getCause());
        }
    }

    private Object exchange(ToolDefinition tool, ToolCall call, HeaderValues headers) {
        byte[] body = Json.write(call.args());
        Duration timeout = min(call.timeout(), Duration.ofSeconds(tool.timeoutSeconds()));
        URI uri = URI.create(tool.endpoint());
        boolean post = true;
        for (int hop = 0; ; hop++) {
            guard.check(uri);
            HttpResponse<InputStream> response = send(tool, request(uri, post ? body : null, timeout, call, headers), timeout);
            int status = response.statusCode();
            if (REDIRECTS.contains(status)) {
                discard(response);
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new ToolCallException(tool.address() + " answered HTTP " + status + " without a Location",
                            false, status, null);
                }
                if (hop == MAX_REDIRECTS) {
                    throw new ToolCallException(tool.address() + " redirected more than " + MAX_REDIRECTS + " times",
                            false, status, null);
                }
                uri = uri.resolve(location);
                // as browsers do: 303 (and 301/302 after a POST) continue as GET; 307/308 repeat the POST
                post = post && (status == 307 || status == 308);
                continue;
            }
            String text = read(tool, response);
            if (status >= 200 && status < 300) {
                return output(text);
            }
            boolean retryable = status >= 500 || status == 429 || status == 408;
            throw new ToolCallException(tool.address() + " answered HTTP " + status + errorText(text),
                    retryable, status, null);
        }
    }

    private static HttpRequest request(URI uri, byte[] body, Duration timeout, ToolCall call, HeaderValues headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        try {
            headers.values().forEach(builder::header);
        } catch (IllegalArgumentException e) {
            throw ToolCallException.permanent("a configured header cannot be sent: " + e.getMessage());
        }
        builder.setHeader("Accept", "application/json");
        if (call.idempotencyKey() != null) {
            builder.setHeader("Idempotency-Key", call.idempotencyKey());
        }
        if (call.runId() != null) {
            builder.setHeader("X-Ordinaut-Run-Id", call.runId());
        }
        builder.setHeader("X-Ordinaut-Attempt", Integer.toString(call.attempt()));
        if (body == null) {
            return builder.GET().build();
        }
        return builder.setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private HttpResponse<InputStream> send(ToolDefinition tool, HttpRequest request, Duration timeout) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new ToolCallException(tool.address() + " timed out after " + timeout.toSeconds() + "s", true, null, e);
        } catch (IOException e) {
            throw new ToolCallException(tool.address() + " could not be reached: " + e, true, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolCallException(tool.address() + " call was interrupted", true, null, e);
        }
    }

    private String read(ToolDefinition tool, HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(maxBodyBytes + 1);
            if (bytes.length > maxBodyBytes) {
                throw ToolCallException.permanent(tool.address() + " answered with more than " + maxBodyBytes + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (HttpTimeoutException e) {
            throw new ToolCallException(tool.address() + " timed out while sending its answer", true, null, e);
        } catch (IOException e) {
            throw new ToolCallException(tool.address() + " answer could not be read: " + e, true, null, e);
        }
    }

    private void discard(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.skip(maxBodyBytes);
        } catch (IOException ignored) {
            // the hop is being left anyway
        }
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

    private static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String trimmed = body.strip();
        return ": " + (trimmed.length() > MAX_ERROR_TEXT ? trimmed.substring(0, MAX_ERROR_TEXT) + "…" : trimmed);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
