package io.ordinaut.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.trigger.QuartzAdmin;

/**
 * POST /admin/triggers/repair: finds where Quartz's triggers and the schedule table disagree, and (unless
 * a dry run) fixes it, then looks again so each problem reports whether it is gone.
 *
 * <p>per-schedule mode: a shared schedule with tasks but no trigger (its tasks never fire) gets its
 * trigger; a schedule trigger whose schedule is gone is removed; a window trigger (left from windows
 * mode) is removed.
 *
 * <p>Both modes: a trigger Quartz set to ERROR (it could not run its job) is put back to WAITING.
 *
 * <p>windows mode: a missing window trigger (its group's tasks never fire) is created; one beyond
 * ordinaut.trigger.groups is removed; a schedule without next_fire_at gets it (from the occurrence ledger,
 * as at start-up), one with a bucket no group takes gets a new bucket; every per-schedule trigger (left
 * from per-schedule mode) is removed. These are what a node does when it starts (FiringMode), so the fix
 * runs that same code.
 */
@Component
class TriggerRepair {

    private static final Logger log = LoggerFactory.getLogger(TriggerRepair.class);
    private static final int TASK_IDS_SHOWN = 100;

    private static final String SCHEDULES_WITHOUT_TRIGGER = """
            SELECT s.id, count(t.id) AS tasks,
                   (array_agg(t.id ORDER BY t.id))[1 : %d] AS task_ids
              FROM schedule s JOIN task t ON t.schedule_id = s.id
             WHERE NOT EXISTS (SELECT 1 FROM qrtz_triggers q
                                WHERE q.sched_name = :sched AND q.trigger_group = :scheduleGroup
                                  AND q.trigger_name = CAST(s.id AS text))
             GROUP BY s.id ORDER BY s.id
            """.formatted(TASK_IDS_SHOWN);

    private static final String TRIGGERS_WITHOUT_SCHEDULE = """
            SELECT q.trigger_name FROM qrtz_triggers q
             WHERE q.sched_name = :sched AND q.trigger_group = :scheduleGroup
               AND NOT EXISTS (SELECT 1 FROM schedule s WHERE CAST(s.id AS text) = q.trigger_name)
             ORDER BY q.trigger_name
            """;

    private static final String TRIGGERS_OF_GROUP = """
            SELECT q.trigger_name FROM qrtz_triggers q WHERE q.sched_name = :sched AND q.trigger_group = :group ORDER BY 1
            """;

    private static final String IN_ERROR = """
            SELECT trigger_group, trigger_name FROM qrtz_triggers WHERE sched_name = :sched AND trigger_state = 'ERROR' ORDER BY 1, 2
            """;

    private static final String TASKS_OF_WINDOW = """
            SELECT count(t.id) FROM schedule s JOIN task t ON t.schedule_id = s.id WHERE s.fire_bucket % :groups = :group
            """;

    private static final String TASKS_OF_SCHEDULE = "SELECT count(*) FROM task WHERE schedule_id = CAST(:id AS uuid)";

    private static final String WITHOUT_NEXT_FIRE_AT = """
            SELECT s.id, count(t.id) AS tasks FROM schedule s LEFT JOIN task t ON t.schedule_id = s.id
             WHERE s.next_fire_at IS NULL GROUP BY s.id ORDER BY s.id
            """;

    private static final String BAD_BUCKET = """
            SELECT s.id, count(t.id) AS tasks FROM schedule s LEFT JOIN task t ON t.schedule_id = s.id
             WHERE s.fire_bucket < 0 GROUP BY s.id ORDER BY s.id
            """;

    private static final String FIX_BUCKET = "UPDATE schedule SET fire_bucket = floor(random() * 1024) WHERE id = :id AND fire_bucket < 0";

    private final JdbcClient jdbc;
    private final QuartzAdmin quartz;

    TriggerRepair(JdbcClient jdbc, QuartzAdmin quartz) {
        this.jdbc = jdbc;
        this.quartz = quartz;
    }

    /** One disagreement; {@code result} is {@code would_fix} (dry run), {@code fixed} or {@code not_fixed}. */
    record Problem(String problem, String triggerKey, UUID scheduleId, Integer windowGroup, long tasks, List<UUID> taskIds,
                   String action, String result, String error) {

        boolean same(Problem other) {
            return problem.equals(other.problem) && Objects.equals(triggerKey, other.triggerKey)
                    && Objects.equals(scheduleId, other.scheduleId);
        }

        Problem withResult(String newResult, String newError) {
            return new Problem(problem, triggerKey, scheduleId, windowGroup, tasks, taskIds, action, newResult, newError);
        }
    }

    Map<String, Object> repair(boolean dryRun) {
        List<Problem> found = detect();
        List<Problem> reported = new ArrayList<>();
        if (dryRun || found.isEmpty()) {
            found.forEach(p -> reported.add(p.withResult("would_fix", null)));
        } else {
            Map<Problem, String> errors = new LinkedHashMap<>();
            if (quartz.windowsMode()) {
                fixWindows(found, errors);
            } else {
                fixPerSchedule(found, errors);
            }
            List<Problem> left = detect();
            for (Problem p : found) {
                boolean gone = left.stream().noneMatch(p::same);
                reported.add(p.withResult(gone ? "fixed" : "not_fixed", gone ? null : errors.get(p)));
            }
            log.info("Trigger repair: {} problems found, {} fixed", found.size(), reported.stream().filter(p -> "fixed".equals(p.result())).count());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dry_run", dryRun);
        body.put("firing_mode", quartz.windowsMode() ? "windows" : "per-schedule");
        body.put("found", reported.size());
        body.put("fixed", reported.stream().filter(p -> "fixed".equals(p.result())).count());
        body.put("not_fixed", reported.stream().filter(p -> "not_fixed".equals(p.result())).count());
        body.put("problems", reported);
        return body;
    }

    List<Problem> detect() {
        String sched = quartz.facts().schedulerName();
        List<Problem> problems = new ArrayList<>();
        if (quartz.windowsMode()) {
            int groups = quartz.windowGroups();
            List<String> windows = names(sched, QuartzAdmin.WINDOW_GROUP);
            for (int g = 0; g < groups; g++) {
                String name = QuartzAdmin.WINDOW_PREFIX + g;
                if (!windows.contains(name)) {
                    problems.add(new Problem("window_trigger_missing", key(QuartzAdmin.WINDOW_GROUP, name), null, g,
                            windowTasks(groups, g), null, "create_trigger", null, null));
                }
            }
            for (String name : windows) {
                Integer g = windowNumber(name);
                if (g == null || g >= groups) {
                    problems.add(new Problem("window_trigger_extra", key(QuartzAdmin.WINDOW_GROUP, name), null, g, 0, null,
                            "remove_trigger", null, null));
                }
            }
            for (String name : names(sched, QuartzAdmin.SCHEDULE_GROUP)) {
                problems.add(new Problem("schedule_trigger_in_windows_mode", key(QuartzAdmin.SCHEDULE_GROUP, name), uuidOrNull(name),
                        null, scheduleTasks(name), null, "remove_trigger", null, null));
            }
            jdbc.sql(WITHOUT_NEXT_FIRE_AT).query((rs, i) -> new Problem("schedule_without_next_fire_at", null,
                    rs.getObject("id", UUID.class), null, rs.getLong("tasks"), null, "set_next_fire_at", null, null))
                    .list().forEach(problems::add);
            jdbc.sql(BAD_BUCKET).query((rs, i) -> new Problem("schedule_bucket_invalid", null,
                    rs.getObject("id", UUID.class), null, rs.getLong("tasks"), null, "set_fire_bucket", null, null))
                    .list().forEach(problems::add);
        } else {
            jdbc.sql(SCHEDULES_WITHOUT_TRIGGER).param("sched", sched).param("scheduleGroup", QuartzAdmin.SCHEDULE_GROUP)
                    .query((rs, i) -> {
                        UUID id = rs.getObject("id", UUID.class);
                        List<UUID> taskIds = List.of((UUID[]) rs.getArray("task_ids").getArray());
                        return new Problem("schedule_without_trigger", key(QuartzAdmin.SCHEDULE_GROUP, id.toString()), id, null,
                                rs.getLong("tasks"), taskIds, "create_trigger", null, null);
                    }).list().forEach(problems::add);
            jdbc.sql(TRIGGERS_WITHOUT_SCHEDULE).param("sched", sched).param("scheduleGroup", QuartzAdmin.SCHEDULE_GROUP)
                    .query((rs, i) -> rs.getString(1)).list()
                    .forEach(name -> problems.add(new Problem("trigger_without_schedule", key(QuartzAdmin.SCHEDULE_GROUP, name),
                            uuidOrNull(name), null, 0, null, "remove_trigger", null, null)));
            for (String name : names(sched, QuartzAdmin.WINDOW_GROUP)) {
                problems.add(new Problem("window_trigger_in_per_schedule_mode", key(QuartzAdmin.WINDOW_GROUP, name), null,
                        windowNumber(name), 0, null, "remove_trigger", null, null));
            }
        }
        jdbc.sql(IN_ERROR).param("sched", sched).query((rs, i) -> {
            String group = rs.getString(1);
            String name = rs.getString(2);
            boolean window = QuartzAdmin.WINDOW_GROUP.equals(group);
            Integer g = window ? windowNumber(name) : null;
            long tasks = g != null ? windowTasks(quartz.windowGroups(), g) : window ? 0 : scheduleTasks(name);
            return new Problem("trigger_in_error", key(group, name), window ? null : uuidOrNull(name), g, tasks, null,
                    "reset_trigger", null, null);
        }).list().forEach(problems::add);
        return problems;
    }

    private void fixPerSchedule(List<Problem> found, Map<Problem, String> errors) {
        for (Problem p : found) {
            try {
                switch (p.problem()) {
                    case "schedule_without_trigger" -> quartz.createScheduleTrigger(p.scheduleId());
                    case "trigger_without_schedule" -> quartz.removeTrigger(QuartzAdmin.SCHEDULE_GROUP, p.triggerKey()
                            .substring(QuartzAdmin.SCHEDULE_GROUP.length() + 1));
                    case "window_trigger_in_per_schedule_mode" -> quartz.removeTrigger(QuartzAdmin.WINDOW_GROUP, p.triggerKey()
                            .substring(QuartzAdmin.WINDOW_GROUP.length() + 1));
                    case "trigger_in_error" -> resetFromError(p);
                    default -> throw new IllegalStateException("no fix for " + p.problem());
                }
            } catch (RuntimeException e) {
                log.warn("Trigger repair could not fix {} {}: {}", p.problem(), p.triggerKey(), e.getMessage());
                errors.put(p, e.getMessage());
            }
        }
    }

    private void fixWindows(List<Problem> found, Map<Problem, String> errors) {
        for (Problem p : found) {
            try {
                if ("schedule_bucket_invalid".equals(p.problem())) {
                    jdbc.sql(FIX_BUCKET).param("id", p.scheduleId()).update();
                } else if ("trigger_in_error".equals(p.problem())) {
                    resetFromError(p);
                }
            } catch (RuntimeException e) {
                log.warn("Trigger repair could not fix {} {}: {}", p.problem(), p.triggerKey(), e.getMessage());
                errors.put(p, e.getMessage());
            }
        }
        try {
            // Fills next_fire_at, removes per-schedule triggers, creates missing and removes extra window triggers.
            quartz.alignWithFiringMode();
        } catch (RuntimeException e) {
            log.warn("Trigger repair could not align the triggers with windows mode: {}", e.getMessage());
            found.forEach(p -> errors.put(p, e.getMessage()));
        }
    }

    private void resetFromError(Problem p) {
        TriggerKeys.Key key = TriggerKeys.parse(p.triggerKey()).orElseThrow();
        quartz.resetFromError(key.group(), key.name());
    }

    private List<String> names(String sched, String group) {
        return jdbc.sql(TRIGGERS_OF_GROUP).param("sched", sched).param("group", group).query((rs, i) -> rs.getString(1)).list();
    }

    private long windowTasks(int groups, int group) {
        return jdbc.sql(TASKS_OF_WINDOW).param("groups", groups).param("group", group).query(Long.class).single();
    }

    private long scheduleTasks(String name) {
        return uuidOrNull(name) == null ? 0 : jdbc.sql(TASKS_OF_SCHEDULE).param("id", name).query(Long.class).single();
    }

    private static String key(String group, String name) {
        return new TriggerKeys.Key(group, name).toString();
    }

    private static Integer windowNumber(String name) {
        if (!name.matches(QuartzAdmin.WINDOW_PREFIX + "[0-9]{1,4}")) {
            return null;
        }
        return Integer.parseInt(name.substring(QuartzAdmin.WINDOW_PREFIX.length()));
    }

    private static UUID uuidOrNull(String name) {
        try {
            return name.length() == 36 ? UUID.fromString(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
