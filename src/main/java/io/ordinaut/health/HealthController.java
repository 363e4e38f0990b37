package io.ordinaut.health;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import io.ordinaut.event.OutboxHealth;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.config.NodeProperties;
import io.ordinaut.trigger.QuartzStatus;
import io.ordinaut.web.Authenticator;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PublicEndpoint;
import io.ordinaut.web.RequestContext;

/**
 * /health (component checks), /health/live (the process answers) and /health/ready (this node can
 * serve: its database answers). Open to load balancers without credentials; anonymous callers (and
 * non-admins) get the summary — overall and per-component status — while an admin token also shows the
 * details (node name, latencies, errors, Quartz instance), which describe the deployment.
 */
@RestController
@Tag(name = "admin")
@PublicEndpoint
class HealthController {

    private final JdbcClient jdbc;
    private final QuartzStatus quartz;
    private final NodeProperties node;
    private final ObjectProvider<RedisConnectionFactory> redis;
    private final boolean redisConfigured;
    private final Clock clock;
    private final OutboxHealth outbox;
    private final Authenticator authenticator;

    HealthController(JdbcClient jdbc, QuartzStatus quartz, NodeProperties node, ObjectProvider<RedisConnectionFactory> redis,
                     org.springframework.core.env.Environment env, Clock clock, OutboxHealth outbox, Authenticator authenticator) {
        this.authenticator = authenticator;
        this.jdbc = jdbc;
        this.quartz = quartz;
        this.node = node;
        this.redis = redis;
        this.redisConfigured = env.containsProperty("spring.data.redis.url") || env.containsProperty("spring.data.redis.host");
        this.clock = clock;
        this.outbox = outbox;
    }

    @GetMapping("/health")
    @Operation(operationId = "getHealth", summary = "Check the node and its dependencies")
    ResponseEntity<Map<String, Object>> health(HttpServletRequest request) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("database", database());
        checks.put("scheduler", scheduler());
        if (redisConfigured) {
            checks.put("redis", redis());
        }
        Map<String, Object> outbox = this.outbox.check();
        if (outbox != null) {
            checks.put("outbox", outbox);
        }
        boolean databaseUp = "healthy".equals(((Map<?, ?>) checks.get("database")).get("status"));
        boolean allUp = checks.values().stream().allMatch(c -> "healthy".equals(((Map<?, ?>) c).get("status")));
        String status = !databaseUp ? "unhealthy" : allUp ? "healthy" : "degraded";
        boolean details = showDetails(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        if (details) {
            body.put("node", node.id());
            body.put("roles", node.roles());
        }
        body.put("timestamp", Instant.now(clock));
        body.put("checks", details ? checks : summary(checks));
        return ResponseEntity.status(databaseUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    @GetMapping("/health/live")
    @Operation(operationId = "getLiveness", summary = "Check that the process answers")
    Map<String, Object> live() {
        return Map.of("status", "alive", "timestamp", Instant.now(clock));
    }

    @GetMapping("/health/ready")
    @Operation(operationId = "getReadiness", summary = "Check that the node can serve (its database answers)")
    ResponseEntity<Map<String, Object>> ready(HttpServletRequest request) {
        Map<String, Object> database = database();
        boolean up = "healthy".equals(database.get("status"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ready" : "not_ready");
        body.put("timestamp", Instant.now(clock));
        Map<String, Object> checks = Map.of("database", database);
        body.put("checks", showDetails(request) ? checks : summary(checks));
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private boolean showDetails(HttpServletRequest request) {
        return RequestContext.optionalCaller(request, authenticator).map(Caller::isAdmin).orElse(false);
    }

    /** Each component's status without its details. */
    private static Map<String, Object> summary(Map<String, Object> checks) {
        Map<String, Object> summary = new LinkedHashMap<>();
        checks.forEach((name, check) -> summary.put(name, Map.of("status", ((Map<?, ?>) check).get("status"))));
        return summary;
    }

    private Map<String, Object> database() {
        long start = System.nanoTime();
        try {
            jdbc.sql("SELECT 1").query(Integer.class).single();
            return check("healthy", "latency_ms", (System.nanoTime() - start) / 1_000_000.0);
        } catch (RuntimeException e) {
            return check("unhealthy", "error", e.getClass().getSimpleName());
        }
    }

    private Map<String, Object> scheduler() {
        Map<String, Object> c = new LinkedHashMap<>();
        boolean firing = quartz.firing();
        boolean expected = node.has(NodeProperties.Role.SCHEDULER);
        c.put("status", firing == expected ? "healthy" : "unhealthy");
        c.put("firing", firing);
        c.put("instance_id", quartz.instanceId());
        c.put("clustered", quartz.clustered());
        return c;
    }

    private Map<String, Object> redis() {
        RedisConnectionFactory factory = redis.getIfAvailable();
        if (factory == null) {
            return check("unhealthy", "error", "no Redis connection factory");
        }
        long start = System.nanoTime();
        try (RedisConnection connection = factory.getConnection()) {
            connection.ping();
            return check("healthy", "latency_ms", (System.nanoTime() - start) / 1_000_000.0);
        } catch (RuntimeException e) {
            return check("unhealthy", "error", e.getClass().getSimpleName());
        }
    }

    private static Map<String, Object> check(String status, String key, Object value) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", status);
        c.put(key, value);
        return c;
    }
}
