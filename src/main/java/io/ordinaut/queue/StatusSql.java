package io.ordinaut.queue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ordinaut.TaskStatus;

/**
 * What statements of several classes must write alike, written once. Status literals come from the
 * enums: a statement names them as {@code {run:canceled}} or {@code {task:active}}. The history row's
 * column list is {@code {task_run:attempt}} (an attempt that ran) or {@code {task_run:not_run}} (a run
 * that ended before it started: dropped, skipped, canceled). {@link #of} expands them when the statement
 * constant is built, so a name that is not a status fails at class initialisation, not at run time.
 */
public final class StatusSql {

    private static final Pattern TOKEN = Pattern.compile("\\{(run|task|task_run):([a-z_]+)}");

    /** Every history row of an attempt that ran (or was lost while running). */
    static final String ATTEMPT_COLUMNS = """
            task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, lease_owner, started_at,
                      finished_at, error, output, event)""";
    /** Every history row of a run that ended before it started. */
    static final String NOT_RUN_COLUMNS = "task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, finished_at, error, event)";

    private StatusSql() {
    }

    /**
     * A worker_heartbeat row's state as GET /workers shows it: {@code lost} for a node that is not stopped and has
     * not written its heartbeat for three intervals, else the state it wrote (null for no row). {@code row} is the
     * row's alias in the statement, which binds {@code :lostAfterSeconds} to
     * {@link ExecutorProperties#lostAfterSeconds()}.
     */
    public static String workerState(String row) {
        return "CASE WHEN " + row + ".state <> 'stopped' AND " + row + ".last_seen < now() - make_interval(secs => :lostAfterSeconds)"
                + " THEN 'lost' ELSE " + row + ".state END";
    }

    public static String of(String sql) {
        Matcher m = TOKEN.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String literal = switch (m.group(1)) {
                case "run" -> RunStatus.fromWire(m.group(2)).sql();
                case "task" -> TaskStatus.fromWire(m.group(2)).sql();
                default -> switch (m.group(2)) {
                    case "attempt" -> ATTEMPT_COLUMNS;
                    case "not_run" -> NOT_RUN_COLUMNS;
                    default -> throw new IllegalArgumentException("No task_run column list " + m.group(2));
                };
            };
            m.appendReplacement(out, Matcher.quoteReplacement(literal));
        }
        m.appendTail(out);
        return out.toString();
    }
}
