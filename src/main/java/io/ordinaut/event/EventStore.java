package io.ordinaut.event;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;


import io.ordinaut.StoredJson;

/** The event table, the event tasks publishing looks for, and the runs an event triggered. */
@Component
class EventStore {

    private static final String INSERT = """
            INSERT INTO event (id, topic, payload, published_by, source_agent_id, published_at, triggered_tasks)
            VALUES (:id, :topic, CAST(:payload AS jsonb), :publishedBy, :source, :at, CAST(:triggered AS uuid[]))
            ON CONFLICT (published_by, id) DO NOTHING
            """;
    private static final String COLUMNS = """
            id, topic, payload::text AS payload, published_by, source_agent_id, published_at, triggered_tasks::text AS triggered
            """;
    private static final String FIND = "SELECT " + COLUMNS + " FROM event WHERE published_by = :publisher AND id = :id";
    /**
     * An admin's read by id: event ids are per publisher, so several events may carry it. The admin's own
     * comes first, then the earliest published; {@code :publisher} (when given) picks one publisher's.
     */
    private static final String FIND_ANY = "SELECT " + COLUMNS + """
              FROM event
             WHERE id = :id AND (CAST(:publisher AS uuid) IS NULL OR published_by = CAST(:publisher AS uuid))
             ORDER BY published_by = :me DESC, published_at, published_by
             LIMIT 1
            """;
    private static final String LIST_FILTER = """
             FROM event
            WHERE (CAST(:owner AS uuid) IS NULL OR published_by = CAST(:owner AS uuid))
              AND (CAST(:topic AS text) IS NULL OR topic = CAST(:topic AS text))
              AND (CAST(:since AS timestamptz) IS NULL OR published_at >= CAST(:since AS timestamptz))
            """;
    private static final String LIST = "SELECT " + COLUMNS + LIST_FILTER
            + " ORDER BY published_at DESC, id, published_by LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*)" + LIST_FILTER;

    /**
     * Active event tasks that may match: those subscribed to exactly this topic and every pattern. A
     * non-admin publisher reaches only its own tasks.
     */
    private static final String SUBSCRIBERS = """
            SELECT id, schedule_expr, payload ->> 'event_filter' AS filter, dedupe_key
              FROM task
             WHERE schedule_kind = 'event' AND status = 'active'
               AND (schedule_expr = :topic OR schedule_expr LIKE '%*%' OR schedule_expr LIKE '%#%')
               AND (CAST(:owner AS uuid) IS NULL OR created_by = CAST(:owner AS uuid))
               AND (start_at IS NULL OR start_at <= :now) AND (end_at IS NULL OR end_at > :now)
            """;

    private static final String TOPICS = """
            SELECT schedule_expr, array_agg(id ORDER BY created_at)::text AS tasks
              FROM task
             WHERE schedule_kind = 'event' AND status = 'active'
               AND (CAST(:owner AS uuid) IS NULL OR created_by = CAST(:owner AS uuid))
             GROUP BY schedule_expr
             ORDER BY schedule_expr
            """;

    /**
     * Runs of the event: still in the queue, or attempts in the history (the last attempt of each run). A run
     * carries the event's id and published_at, not its publisher; both are needed since another publisher's
     * event of the same id (an admin's) may have triggered the same task.
     */
    private static final String RUNS = """
            SELECT run_id, task_id, status, attempt, at FROM (
                SELECT id AS run_id, task_id, CASE WHEN locked_by IS NULL THEN 'queued' ELSE 'running' END AS status,
                       attempt, created_at AS at
                  FROM due_work WHERE task_id = ANY(CAST(:tasks AS uuid[])) AND event ->> 'id' = :id
                       AND event ->> 'published_at' = :at
                UNION ALL
                SELECT DISTINCT ON (run_id) run_id, task_id, status, attempt, coalesce(finished_at, created_at)
                  FROM task_run WHERE task_id = ANY(CAST(:tasks AS uuid[])) AND event ->> 'id' = :id
                     AND event ->> 'published_at' = :at AND NOT EXISTS (SELECT 1 FROM due_work d WHERE d.id = task_run.run_id)
                 ORDER BY run_id, attempt DESC
            ) r ORDER BY task_id
            """;

    private static final String AGENT_SCOPES = "SELECT scopes FROM agent WHERE id = :id";

    private final JdbcClient jdbc;

    EventStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record StoredEvent(String id, String topic, Map<String, Object> payload, UUID publishedBy, UUID sourceAgentId,
                       Instant publishedAt, List<UUID> triggeredTasks) {
    }

    record Subscriber(UUID taskId, String pattern, String filter, String dedupeKey) {
    }

    record Topic(String expression, List<UUID> tasks) {
    }

    /** @return false when this publisher has an event with this id already (nothing was stored) */
    boolean insert(StoredEvent e, String payloadJson) {
        return jdbc.sql(INSERT)
                .param("id", e.id())
                .param("topic", e.topic())
                .param("payload", payloadJson)
                .param("publishedBy", e.publishedBy())
                .param("source", e.sourceAgentId())
                .param("at", Timestamp.from(e.publishedAt()))
                .param("triggered", uuidArray(e.triggeredTasks()))
                .update() == 1;
    }

    /** The agent's scopes, or empty when there is no such agent. */
    Optional<Set<String>> agentScopes(UUID agentId) {
        return jdbc.sql(AGENT_SCOPES).param("id", agentId)
                .query((rs, n) -> Set.copyOf(Arrays.asList((String[]) rs.getArray("scopes").getArray())))
                .optional();
    }

    /** The publisher's event of this id. */
    Optional<StoredEvent> find(UUID publisher, String id) {
        return jdbc.sql(FIND).param("publisher", publisher).param("id", id).query((rs, n) -> row(rs)).optional();
    }

    /** For an admin ({@code me}): an event of this id, of {@code publisher} when given (see {@link #FIND_ANY}). */
    Optional<StoredEvent> findAny(String id, UUID publisher, UUID me) {
        return jdbc.sql(FIND_ANY).param("id", id).param("publisher", publisher).param("me", me)
                .query((rs, n) -> row(rs)).optional();
    }

    List<StoredEvent> list(UUID owner, String topic, Instant since, int limit, int offset) {
        return jdbc.sql(LIST)
                .param("owner", owner)
                .param("topic", topic)
                .param("since", since == null ? null : Timestamp.from(since))
                .param("limit", limit)
                .param("offset", offset)
                .query((rs, n) -> row(rs)).list();
    }

    /** How many events {@link #list} pages through. */
    long count(UUID owner, String topic, Instant since) {
        return jdbc.sql(COUNT)
                .param("owner", owner)
                .param("topic", topic)
                .param("since", since == null ? null : Timestamp.from(since))
                .query(Long.class).single();
    }

    List<Subscriber> subscribers(String topic, UUID owner, Instant now) {
        return jdbc.sql(SUBSCRIBERS)
                .param("topic", topic)
                .param("owner", owner)
                .param("now", Timestamp.from(now))
                .query((rs, n) -> new Subscriber(rs.getObject("id", UUID.class), rs.getString("schedule_expr"),
                        rs.getString("filter"), rs.getString("dedupe_key")))
                .list();
    }

    List<Topic> topics(UUID owner) {
        return jdbc.sql(TOPICS).param("owner", owner)
                .query((rs, n) -> new Topic(rs.getString("schedule_expr"), uuids(rs.getString("tasks"))))
                .list();
    }

    List<Map<String, Object>> runs(StoredEvent e) {
        if (e.triggeredTasks().isEmpty()) {
            return List.of();
        }
        // EventPublisher wrote published_at as Instant.toString() of this same microsecond instant
        return jdbc.sql(RUNS).param("id", e.id()).param("at", e.publishedAt().toString()).param("tasks", uuidArray(e.triggeredTasks()))
                .query((rs, n) -> {
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("run_id", rs.getString("run_id"));
                    run.put("task_id", rs.getString("task_id"));
                    run.put("status", rs.getString("status"));
                    run.put("attempt", rs.getInt("attempt"));
                    run.put("at", rs.getTimestamp("at").toInstant().toString());
                    return run;
                }).list();
    }

    @SuppressWarnings("unchecked")
    private StoredEvent row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new StoredEvent(rs.getString("id"), rs.getString("topic"),
                StoredJson.READER.readValue(rs.getString("payload"), LinkedHashMap.class),
                rs.getObject("published_by", UUID.class), rs.getObject("source_agent_id", UUID.class),
                rs.getTimestamp("published_at").toInstant(), uuids(rs.getString("triggered")));
    }

    static String uuidArray(List<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }

    private static List<UUID> uuids(String array) {
        String inner = array.substring(1, array.length() - 1);
        if (inner.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>();
        Arrays.stream(inner.split(",")).forEach(s -> ids.add(UUID.fromString(s.strip())));
        return ids;
    }
}
