package io.ordinaut.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.config.NodeProperties;
import io.ordinaut.queue.ExecutorProperties;
import io.ordinaut.trigger.QuartzAdmin;
import io.ordinaut.web.Caller;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * GET /admin/scheduler: this node's Quartz scheduler, every Quartz instance of the cluster and this node's
 * own view; POST /admin/scheduler/standby and /start for this node or, with {@code cluster=true}, every node.
 */
@RestController
@Tag(name = "admin")
@RequiresScope(Scopes.ADMIN)
class SchedulerController {

    /** Quartz declares an instance failed this long after its check-in interval has passed (JobStoreSupport). */
    static final long CHECKIN_GRACE_MS = 7_500;
    private static final long QUARTZ_DEFAULT_MISFIRE_THRESHOLD_MS = 60_000;
    private static final long QUARTZ_DEFAULT_CHECKIN_INTERVAL_MS = 7_500;

    private static final String INSTANCES = """
            SELECT instance_name, last_checkin_time, checkin_interval FROM qrtz_scheduler_state
             WHERE sched_name = :sched ORDER BY instance_name
            """;
    private static final String HEARTBEAT = "SELECT state, started_at, last_seen, processed FROM worker_heartbeat WHERE node_id = :node";
    private static final String IN_FLIGHT = "SELECT count(*) FROM due_work WHERE locked_by = :node";

    private final QuartzAdmin quartz;
    private final ClusterStandby standby;
    private final JdbcClient jdbc;
    private final NodeProperties node;
    private final ExecutorProperties executor;
    private final Environment env;
    private final ObjectProvider<BuildProperties> build;
    private final Clock clock;

    SchedulerController(QuartzAdmin quartz, ClusterStandby standby, JdbcClient jdbc, NodeProperties node, ExecutorProperties executor,
                        Environment env, ObjectProvider<BuildProperties> build, Clock clock) {
        this.quartz = quartz;
        this.standby = standby;
        this.jdbc = jdbc;
        this.node = node;
        this.executor = executor;
        this.env = env;
        this.build = build;
        this.clock = clock;
    }

    @GetMapping("/admin/scheduler")
    @Operation(operationId = "getScheduler", summary = "This node's Quartz scheduler, the cluster's Quartz instances and this node's view")
    Map<String, Object> scheduler() {
        QuartzAdmin.Facts facts = quartz.facts();
        ClusterStandby.Switch flag = standby.read();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance_id", facts.instanceId());
        body.put("scheduler_name", facts.schedulerName());
        body.put("state", facts.state());
        body.put("standby_reason", standby.standbyReason(flag));
        body.put("clustered", facts.clustered());
        body.put("thread_pool_size", facts.threadPoolSize());
        body.put("busy_threads", facts.busyThreads());
        body.put("jobs_executed", facts.jobsExecuted());
        body.put("running_since", facts.runningSince());
        body.put("misfire_threshold_ms", quartzSetting("org.quartz.jobStore.misfireThreshold", QUARTZ_DEFAULT_MISFIRE_THRESHOLD_MS));
        body.put("checkin_interval_ms", quartzSetting("org.quartz.jobStore.clusterCheckinInterval", QUARTZ_DEFAULT_CHECKIN_INTERVAL_MS));
        body.put("firing_mode", quartz.windowsMode() ? "windows" : "per-schedule");
        body.put("window_groups", quartz.windowsMode() ? quartz.windowGroups() : null);
        body.put("cluster_standby", switchView(flag));
        long now = clock.millis();
        List<Map<String, Object>> instances = jdbc.sql(INSTANCES).param("sched", facts.schedulerName()).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            long checkin = rs.getLong("last_checkin_time");
            long interval = rs.getLong("checkin_interval");
            row.put("instance_id", rs.getString("instance_name"));
            row.put("last_checkin", Instant.ofEpochMilli(checkin));
            row.put("checkin_interval_ms", interval);
            row.put("checkin_age_ms", Math.max(0, now - checkin));
            row.put("alive", now - checkin <= interval + CHECKIN_GRACE_MS);
            row.put("this_node", rs.getString("instance_name").equals(facts.instanceId()));
            return row;
        }).list();
        body.put("cluster", instances);
        body.put("node", nodeView());
        return body;
    }

    @PostMapping("/admin/scheduler/standby")
    @Parameter(name = "cluster", in = ParameterIn.QUERY, description = "Every node of the cluster (default false: this node)", schema = @Schema(type = "boolean"))
    @Operation(operationId = "standbyScheduler", summary = "Put this node's (or every node's) Quartz scheduler in standby")
    Map<String, Object> standby(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        if (Boolean.TRUE.equals(QueryParams.of(query).bool("cluster"))) {
            ClusterStandby.Switch flag = standby.setCluster(true, caller.agentId());
            return answer("Every scheduler node goes to standby within " + ClusterStandby.POLL_MS / 1000 + " s; nodes starting "
                    + "meanwhile stay in standby", "cluster", flag);
        }
        standby.standbyNode();
        return answer("This node's scheduler is in standby; the other nodes fire its triggers", "node", standby.read());
    }

    @PostMapping("/admin/scheduler/start")
    @Parameter(name = "cluster", in = ParameterIn.QUERY, description = "Every node of the cluster (default false: this node)", schema = @Schema(type = "boolean"))
    @Operation(operationId = "startScheduler", summary = "Start this node's (or every node's) Quartz scheduler again")
    Map<String, Object> start(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        if (Boolean.TRUE.equals(QueryParams.of(query).bool("cluster"))) {
            ClusterStandby.Switch flag = standby.setCluster(false, caller.agentId());
            return answer("Every scheduler node starts firing again within " + ClusterStandby.POLL_MS / 1000 + " s", "cluster", flag);
        }
        standby.startNode();
        return answer("This node's scheduler fires again", "node", standby.read());
    }

    private Map<String, Object> answer(String message, String scope, ClusterStandby.Switch flag) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("scope", scope);
        details.put("node_id", node.id());
        details.put("instance_id", quartz.facts().instanceId());
        details.put("state", quartz.state());
        details.put("cluster_standby", switchView(flag));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", message);
        body.put("details", details);
        return body;
    }

    private static Map<String, Object> switchView(ClusterStandby.Switch flag) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("standby", flag.standby());
        view.put("changed_at", flag.generation() == 0 ? null : flag.changedAt());
        view.put("changed_by", flag.changedBy());
        return view;
    }

    private Map<String, Object> nodeView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("node_id", node.id());
        view.put("roles", node.roles());
        view.put("executor_threads", node.has(NodeProperties.Role.EXECUTOR) ? executor.threads() : 0);
        view.put("in_flight", jdbc.sql(IN_FLIGHT).param("node", node.id()).query(Long.class).single());
        BuildProperties info = build.getIfAvailable();
        view.put("version", info != null ? info.getVersion() : "dev");
        jdbc.sql(HEARTBEAT).param("node", node.id()).query((rs, i) -> {
            view.put("worker_state", rs.getString("state"));
            view.put("started_at", rs.getTimestamp("started_at").toInstant());
            view.put("last_heartbeat", rs.getTimestamp("last_seen").toInstant());
            view.put("processed", rs.getLong("processed"));
            return 1;
        }).optional();
        return view;
    }

    private long quartzSetting(String name, long fallback) {
        return env.getProperty("spring.quartz.properties." + name, Long.class, fallback);
    }
}
