package io.ordinaut.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** A small real-HTTP client for tests: JSON in, status and parsed JSON out. */
public final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The system admin agent's token every test node is started with (ORDINAUT_ADMIN_TOKEN). */
    public static final String ADMIN_TOKEN = "test-admin-token-0f4e2d7c9b1a";

    private final String base;
    private final String token;

    /** A client that authenticates as the system admin. */
    public Api(int port) {
        this(port, ADMIN_TOKEN);
    }

    /** A client with the given bearer token, or none when null. */
    public Api(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    /** The bearer token this client sends (null: none), for a test that calls another endpoint (e.g. /mcp) itself. */
    public String token() {
        return token;
    }

    public Api as(String otherToken) {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherToken);
    }

    /** A new non-admin agent holding these scopes, created through this (admin) client, with a token of its own. */
    public AgentApi newAgent(String... scopes) {
        String id = post("/agents", Map.of("name", "agent-" + java.util.UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(scopes))).expect(201).string("id");
        String secret = post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        String agentToken = as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret))
                .expect(200).string("access_token");
        return new AgentApi(id, as(agentToken));
    }

    /** An agent's id and a client that uses its token. */
    public record AgentApi(String id, Api api) {
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), "GET " + path);
    }

    public Response post(String path, Object body) {
        return postRaw(path, body instanceof String s ? s : JSON.writeValueAsString(body), "application/json");
    }

    public Response postRaw(String path, String body, String contentType) {
        return sendRaw("POST", path, body, contentType);
    }

    /** Any method with this body as it is, under this Content-Type (none when null). */
    public Response sendRaw(String method, String path, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, method + " " + path);
    }

    /** A POST whose body is these bytes as they are (not necessarily UTF-8). */
    public Response postBytes(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), "POST " + path);
    }

    public Response put(String path, Object body) {
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(text)), "PUT " + path);
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), "DELETE " + path);
    }

    /** Waits until GET /runs/{runId} shows the run finished (see {@link Eventually}); returns that run. */
    public Map<String, Object> awaitFinished(String runId) {
        return Eventually.until("run " + runId + " finished", () -> get("/runs/" + runId),
                run -> run.status() == 200 && run.get("finished_at") != null).map();
    }

    public Response method(String method, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()),
                method + " " + path);
    }

    private Response send(HttpRequest.Builder request, String what) {
        try {
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            Object parsed = r.body() == null || r.body().isBlank() ? null : tryParse(r.body());
            return new Response(r.statusCode(), r.body(), parsed, what, r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    private static Object tryParse(String body) {
        try {
            return JSON.readValue(body, Object.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A response; {@code json} is the parsed body (null when not JSON). */
    public record Response(int status, String body, Object json, String request, Map<String, List<String>> headers) {

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> map() {
            if (!(json instanceof Map)) {
                throw new AssertionError(request + " → " + status + " did not return a JSON object: " + body);
            }
            return (Map<String, Object>) json;
        }

        public Object get(String key) {
            return map().get(key);
        }

        public String string(String key) {
            Object v = map().get(key);
            return v == null ? null : v.toString();
        }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> items() {
            return (List<Map<String, Object>>) map().get("items");
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> details() {
            return (Map<String, Object>) map().get("details");
        }

        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError(request + ": expected " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }
}
