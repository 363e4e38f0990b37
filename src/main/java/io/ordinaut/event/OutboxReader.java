package io.ordinaut.event;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads sequenced outbox rows in delivery order, optionally only those of one agent. */
@Component
class OutboxReader {

    /** Run rows carry no owner of their own: it is their task's, looked up here rather than on the hot path. */
    private static final String AFTER = """
            SELECT o.seq, o.id, o.stream, o.type, coalesce(o.agent_id, t.created_by) AS owner, o.body::text AS body
              FROM outbox o LEFT JOIN task t ON o.agent_id IS NULL AND t.id = o.task_id
             WHERE o.seq > :after
               AND (CAST(:owner AS uuid) IS NULL OR coalesce(o.agent_id, t.created_by) = CAST(:owner AS uuid))
             ORDER BY o.seq
             LIMIT :limit
            """;
    private static final String LAST = "SELECT seq FROM outbox_cursor WHERE name = 'sequence'";
    private static final String BACKLOG = "SELECT count(*) FROM outbox WHERE relayed_at IS NULL";

    private final JdbcClient jdbc;

    OutboxReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<OutboxEntry> after(long seq, UUID owner, int limit) {
        return jdbc.sql(AFTER).param("after", seq).param("owner", owner).param("limit", limit)
                .query((rs, n) -> new OutboxEntry(rs.getLong("seq"), rs.getLong("id"), rs.getString("stream"),
                        rs.getString("type"), rs.getObject("owner", UUID.class), rs.getString("body")))
                .list();
    }

    long lastSeq() {
        return jdbc.sql(LAST).query(Long.class).single();
    }

    /** Rows not yet appended to Redis. */
    long unrelayed() {
        return jdbc.sql(BACKLOG).query(Long.class).single();
    }
}
