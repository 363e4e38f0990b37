package io.ordinaut.health;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.config.NodeProperties;
import io.ordinaut.event.OutboxHealth;
import io.ordinaut.event.RedisHealth;
import io.ordinaut.trigger.QuartzStatus;
import io.ordinaut.web.Authenticator;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PublicEndpoint;
import io.ordinaut.web.RequestContext;

/**
 * /health (component checks), /health/live (the process answers and no threads are deadlocked) and
 * /health/ready (this node can serve: its database answers within two seconds, Quartz is started — on
 * standby counts, an operator's choice that leaves the API serving — and the node is not shutting down).
 * Open to load balancers without credentials; anonymous callers (and
 * non-admins) get the summary — overall and per-component status — while an admin token also shows the
 * details (node name, latencies, errors, Quartz instance), which describe the deployment.
 */
@RestController
@Tag(name = "admin")
@PublicEndpoint
class HealthController {

    private final DatabaseProbe database;
    private final ApplicationAvailability availability;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final QuartzStatus quartz;
    private final NodeProperties node;
    private final RedisHealth redis;
    private final Clock clock;
    private final OutboxHealth outbox;
    private final Authenticator authenticator;

    HealthController(DatabaseProbe database, ApplicationAvailability availability, QuartzStatus quartz, NodeProperties node,
                     RedisHealth redis, Clock clock,
                     OutboxHealth outbox, Authenticator authenticator) {
        this.authenticator = authenticator;
        this.database = database;
        this.availability = availability;
        this.quartz = quartz;
        this.node = node;
        this.redis = redis;
        this.clock = clock;
        this.outbox = outbox;
    }

    @GetMapping("/health")
    @Operation(operationId = "getHealth", summary = "Check the node and its dependencies")
    ResponseEntity<Map<String, Object>> health(HttpServletRequest request) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("database", database.check());
        checks.put("scheduler", scheduler());
        // The Redis the node uses for events, however it was configured (ORDINAUT_REDIS_URL, spring.data.redis.url).
        Map<String, Object> redis = this.redis.check();
        if (redis != null) {
            checks.put("redis", redis);
        }
        Map<String, Object> outbox = this.outbox.check();
        if (outbox != null) {
            checks.put("outbox", outbox);
        }
        boolean databaseUp = "healthy".equals(((Map<?, ?>) checks.get("database")).get("status"));
        boolean allUp = checks.values().stream().allMatch(c -> "healthy".equals(((Map<?, ?>) c).get("status")));
        String status = !databaseUp ? "unhealthy" : allUp ? "healthy" : "degraded";
        // Checking a token reads the database: while it is down, answer at once without details.
        boolean details = databaseUp && showDetails(request);
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
    @Operation(operationId = "getLiveness", summary = "Check that the process answers and is not wedged")
    ResponseEntity<Map<String, Object>> live() {
        // Answering at all means a web thread is free; deadlocked threads mean the node will not get better
        // by itself, which is what a liveness check (and a restart) is for. Nothing here touches the database:
        // an outage makes a node unready, never dead.
        long[] deadlocked = threads.findDeadlockedThreads();
        boolean alive = deadlocked == null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", alive ? "alive" : "wedged");
        body.put("timestamp", Instant.now(clock));
        if (!alive) {
            body.put("deadlocked_threads", deadlocked.length);
        }
        return ResponseEntity.status(alive ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    @GetMapping("/health/ready")
    @Operation(operationId = "getReadiness",
            summary = "Check that the node can serve: database answers, Quartz started, not shutting down")
    ResponseEntity<Map<String, Object>> ready(HttpServletRequest request) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("database", database.check());
        if (node.has(NodeProperties.Role.SCHEDULER)) {
            checks.put("scheduler", schedulerStarted());
        }
        checks.put("lifecycle", lifecycle());
        boolean up = checks.values().stream().allMatch(c -> "healthy".equals(((Map<?, ?>) c).get("status")));
        boolean databaseUp = "healthy".equals(((Map<?, ?>) checks.get("database")).get("status"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ready" : "not_ready");
        body.put("timestamp", Instant.now(clock));
        // Checking a token reads the database: while it is down, answer at once without details.
        body.put("checks", databaseUp && showDetails(request) ? checks : summary(checks));
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private Map<String, Object> schedulerStarted() {
        boolean started = quartz.started();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", started ? "healthy" : "unhealthy");
        c.put("started", started);
        c.put("firing", quartz.firing());
        if (quartz.heldByCluster()) {
            c.put("held_by_cluster_standby", true);
        }
        return c;
    }

    /** Refusing traffic from the moment shutdown begins, so a balancer polling readiness drains the node first. */
    private Map<String, Object> lifecycle() {
        ReadinessState state = availability.getReadinessState();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", state == ReadinessState.ACCEPTING_TRAFFIC ? "healthy" : "unhealthy");
        c.put("readiness", state.name());
        return c;
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

    private Map<String, Object> scheduler() {
        Map<String, Object> c = new LinkedHashMap<>();
        boolean firing = quartz.firing();
        // Standby — this node's or the cluster's — is an operator's choice, not a fault: a scheduler node is
        // healthy while its Quartz is started (standby included, as for readiness) and says whether it fires.
        boolean healthy = node.has(NodeProperties.Role.SCHEDULER) ? quartz.started() : !firing;
        c.put("status", healthy ? "healthy" : "unhealthy");
        c.put("firing", firing);
        c.put("instance_id", quartz.instanceId());
        c.put("clustered", quartz.clustered());
        return c;
    }
}
