package io.ordinaut.admin;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.trigger.QuartzAdmin;

/**
 * The cluster's Quartz triggers as the admin API shows them, read from Quartz's own tables (every node's
 * view is the same) joined to what they fire: a per-schedule trigger's shared schedule and the tasks on
 * it, a window trigger's group with its schedules and tasks. A task or schedule filter finds the trigger
 * that fires it in the current firing mode: its own trigger in per-schedule mode, its group's window
 * trigger in windows mode.
 */
@Component
class TriggerViews {

    /** Quartz's trigger states as shown; PAUSED_BLOCKED (paused while its job ran) shows as PAUSED. */
    static final List<String> STATES = List.of("WAITING", "ACQUIRED", "EXECUTING", "BLOCKED", "PAUSED", "ERROR", "COMPLETE");

    private static final String BASE = """
            WITH base AS (
                SELECT q.trigger_group, q.trigger_name, q.job_name, q.next_fire_time, q.prev_fire_time, q.misfire_instr,
                       q.trigger_type, q.trigger_state,
                       CASE q.trigger_state WHEN 'PAUSED_BLOCKED' THEN 'PAUSED' ELSE q.trigger_state END AS state,
                       CASE WHEN q.trigger_group = :windowGroup AND q.trigger_name ~ '^window-[0-9]{1,4}$'
                            THEN CAST(substr(q.trigger_name, 8) AS integer) END AS window_group
                  FROM qrtz_triggers q
                 WHERE q.sched_name = :sched
            )
            """;

    /** Whether a trigger fires the schedule {@code %1$s} (an SQL uuid expression) in the current mode. */
    private static final String FIRES = """
            ((trigger_group = :scheduleGroup AND trigger_name = CAST(%1$s AS text))
             OR (:windows AND window_group = (SELECT fire_bucket %% :groups FROM schedule WHERE id = %1$s)))""";

    private static final String FILTER = """
             WHERE (CAST(:state AS text) IS NULL OR state = :state)
               AND (CAST(:key AS text) IS NULL OR (trigger_group = :keyGroup AND trigger_name = :keyName))
               AND (CAST(:scheduleId AS uuid) IS NULL OR %s)
               AND (CAST(:taskId AS uuid) IS NULL OR %s)
            """.formatted(FIRES.formatted("CAST(:scheduleId AS uuid)"),
            FIRES.formatted("(SELECT schedule_id FROM task WHERE id = CAST(:taskId AS uuid))"));

    private static final String PAGE = BASE + """
            , picked AS (
                SELECT * FROM base""" + FILTER + """
                 ORDER BY trigger_group, trigger_name LIMIT :limit OFFSET :offset
            )
            SELECT p.*, s.id AS schedule_id, s.kind, s.expr, s.timezone, s.misfire_grace_seconds, s.next_fire_at, s.fire_bucket,
                   (SELECT count(*) FROM task k WHERE k.schedule_id = s.id) AS schedule_tasks,
                   w.schedules AS window_schedules, w.tasks AS window_tasks,
                   f.instance_name AS held_by, f.fired_time AS held_since, f.state AS fired_state
              FROM picked p
              LEFT JOIN schedule s
                ON s.id = CASE WHEN p.trigger_group = :scheduleGroup AND p.trigger_name ~ '^[0-9a-f-]{36}$'
                               THEN CAST(p.trigger_name AS uuid) END
              LEFT JOIN LATERAL (
                   SELECT count(DISTINCT m.id) AS schedules, count(k.id) AS tasks
                     FROM schedule m LEFT JOIN task k ON k.schedule_id = m.id
                    WHERE m.fire_bucket % :groups = p.window_group) w ON p.window_group IS NOT NULL
              LEFT JOIN LATERAL (
                   SELECT instance_name, fired_time, state FROM qrtz_fired_triggers x
                    WHERE x.sched_name = :sched AND x.trigger_group = p.trigger_group AND x.trigger_name = p.trigger_name
                    ORDER BY fired_time DESC LIMIT 1) f ON true
             ORDER BY p.trigger_group, p.trigger_name
            """;

    private static final String COUNT = BASE + "SELECT count(*) FROM base" + FILTER;

    private final JdbcClient jdbc;
    private final QuartzAdmin quartz;

    TriggerViews(JdbcClient jdbc, QuartzAdmin quartz) {
        this.jdbc = jdbc;
        this.quartz = quartz;
    }

    /** What a list may be narrowed to; null fields do not narrow. */
    record Filter(String state, UUID taskId, UUID scheduleId, TriggerKeys.Key key) {
    }

    List<Map<String, Object>> page(Filter filter, int limit, int offset) {
        return bind(jdbc.sql(PAGE), filter).param("limit", limit).param("offset", offset).query(this::row).list();
    }

    long count(Filter filter) {
        return bind(jdbc.sql(COUNT), filter).query(Long.class).single();
    }

    Optional<Map<String, Object>> one(TriggerKeys.Key key) {
        return page(new Filter(null, null, null, key), 1, 0).stream().findFirst();
    }

    private JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Filter filter) {
        return spec.param("sched", quartz.facts().schedulerName())
                .param("windowGroup", QuartzAdmin.WINDOW_GROUP)
                .param("scheduleGroup", QuartzAdmin.SCHEDULE_GROUP)
                .param("windows", quartz.windowsMode())
                .param("groups", quartz.windowGroups())
                .param("state", filter.state())
                .param("key", filter.key() == null ? null : filter.key().toString())
                .param("keyGroup", filter.key() == null ? null : filter.key().group())
                .param("keyName", filter.key() == null ? null : filter.key().name())
                .param("scheduleId", filter.scheduleId())
                .param("taskId", filter.taskId());
    }

    private Map<String, Object> row(ResultSet rs, int i) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        String group = rs.getString("trigger_group");
        String name = rs.getString("trigger_name");
        Integer window = (Integer) rs.getObject("window_group");
        UUID scheduleId = rs.getObject("schedule_id", UUID.class);
        row.put("key", new TriggerKeys.Key(group, name).toString());
        row.put("group", group);
        row.put("name", name);
        row.put("kind", window != null ? "window" : QuartzAdmin.SCHEDULE_GROUP.equals(group) ? "schedule" : "other");
        if (scheduleId != null) {
            Map<String, Object> schedule = new LinkedHashMap<>();
            schedule.put("id", scheduleId);
            schedule.put("schedule_kind", rs.getString("kind"));
            schedule.put("schedule_expr", rs.getString("expr"));
            schedule.put("timezone", rs.getString("timezone"));
            schedule.put("misfire_grace_seconds", rs.getInt("misfire_grace_seconds"));
            row.put("schedule", schedule);
            row.put("window_group", null);
            row.put("schedules", 1L);
            row.put("tasks", rs.getLong("schedule_tasks"));
        } else if (window != null) {
            row.put("schedule", null);
            row.put("window_group", window);
            row.put("schedules", rs.getLong("window_schedules"));
            row.put("tasks", rs.getLong("window_tasks"));
        } else {
            // A per-schedule trigger whose schedule is gone (POST /admin/triggers/repair removes it).
            row.put("schedule", null);
            row.put("window_group", null);
            row.put("schedules", 0L);
            row.put("tasks", 0L);
        }
        row.put("state", rs.getString("state"));
        row.put("previous_fire_time", millis(rs, "prev_fire_time"));
        row.put("next_fire_time", millis(rs, "next_fire_time"));
        row.put("misfire_instruction", misfireInstruction(window != null, rs.getInt("misfire_instr")));
        row.put("held_by", rs.getString("held_by"));
        row.put("held_since", millis(rs, "held_since"));
        row.put("fired_state", rs.getString("fired_state"));
        return row;
    }

    private static Instant millis(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        // Quartz stores "none" as NULL or as a non-positive number.
        return rs.wasNull() || v <= 0 ? null : Instant.ofEpochMilli(v);
    }

    /** Quartz's misfire instruction constants by name (SimpleTrigger's for window triggers). */
    static String misfireInstruction(boolean simple, int instruction) {
        return switch (instruction) {
            case -1 -> "ignore_misfire_policy";
            case 0 -> "smart_policy";
            case 1 -> simple ? "fire_now" : "fire_once_now";
            case 2 -> simple ? "reschedule_now_with_existing_repeat_count" : "do_nothing";
            case 3 -> "reschedule_now_with_remaining_repeat_count";
            case 4 -> "reschedule_next_with_remaining_count";
            case 5 -> "reschedule_next_with_existing_count";
            default -> String.valueOf(instruction);
        };
    }
}
