package io.ordinaut.event;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads sequenced outbox entries in delivery order, optionally only those of one agent. */
@Component
class OutboxReader {

    /**
     * The entries at positions (after, upto]. A row holds at most 1,000 entries, so the rows that can hold
     * them have last_seq in (after, upto + 1000): a bounded range of the last_seq index however far
     * behind the reader is. Run entries carry no owner of their own: it is their task's, looked up here
     * rather than on the hot path.
     */
    static final String BETWEEN = """
            SELECT o.seq + e.ord - 1 AS seq, o.stream, e.x ->> 'type' AS type,
                   coalesce(CAST(e.x ->> 'agent_id' AS uuid), t.created_by) AS owner, CAST(e.x -> 'body' AS text) AS body
              FROM outbox o
              CROSS JOIN LATERAL json_array_elements(o.entries) WITH ORDINALITY AS e(x, ord)
              LEFT JOIN task t ON e.x ->> 'agent_id' IS NULL AND t.id = CAST(e.x ->> 'task_id' AS uuid)
             WHERE o.last_seq > :after AND o.last_seq < :upto + 1000 AND o.seq <= :upto
               AND o.seq + e.ord - 1 > :after AND o.seq + e.ord - 1 <= :upto
               AND (CAST(:owner AS uuid) IS NULL OR coalesce(CAST(e.x ->> 'agent_id' AS uuid), t.created_by) = CAST(:owner AS uuid))
             ORDER BY 1
            """;
    private static final String LAST = "SELECT seq FROM outbox_cursor WHERE name = 'sequence'";
    private static final String BACKLOG = "SELECT coalesce(sum(size), 0) FROM outbox WHERE relayed_at IS NULL";

    private final JdbcClient jdbc;

    OutboxReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The entries at positions after {@code after} up to and including {@code upto}, of one owner or (null) all. */
    List<OutboxEntry> between(long after, long upto, UUID owner) {
        return jdbc.sql(BETWEEN).param("after", after).param("upto", upto).param("owner", owner)
                .query((rs, n) -> new OutboxEntry(rs.getLong("seq"), rs.getString("stream"), rs.getString("type"),
                        rs.getObject("owner", UUID.class), rs.getString("body")))
                .list();
    }

    /** The last position given: every entry up to it is committed and visible. */
    long lastSeq() {
        return jdbc.sql(LAST).query(Long.class).single();
    }

    /** Entries not yet appended to Redis. */
    long unrelayed() {
        return jdbc.sql(BACKLOG).query(Long.class).single();
    }
}
