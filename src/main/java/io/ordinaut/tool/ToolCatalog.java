package io.ordinaut.tool;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code tool} table, and the in-memory copy of it that every tool call and task validation reads.
 *
 * <h2>Keeping the copy current</h2>
 * A change made through this node ({@link #insert}, {@link #update}, {@link #upsert}, {@link #delete})
 * reloads the copy before the API answers, so the next task or run on this node sees it. Changes made
 * through other nodes arrive with {@link #refreshIfChanged}, which {@link RefreshToolCatalog} calls every
 * {@code ordinaut.tools.catalog-refresh-seconds}: it reads a fingerprint of the table (row count and the
 * writing transaction of each row) and reloads only when that differs from the copy's.
 */
final class ToolCatalog {

    private static final Logger log = LoggerFactory.getLogger(ToolCatalog.class);

    private static final String COLUMNS = """
            address, transport, endpoint, description, CAST(input_schema AS text) AS input_schema,
            CAST(output_schema AS text) AS output_schema, scopes, timeout_seconds, CAST(headers AS text) AS headers,
            created_at, updated_at, created_by, gone_at
            """;

    private static final String INSERT = """
            INSERT INTO tool (address, transport, endpoint, description, input_schema, output_schema, scopes,
                              timeout_seconds, headers, created_at, updated_at, created_by)
            VALUES (:address, :transport, :endpoint, :description, CAST(:inputSchema AS jsonb),
                    CAST(:outputSchema AS jsonb), CAST(:scopes AS text[]), :timeoutSeconds, CAST(:headers AS jsonb),
                    :now, :now, :owner)
            ON CONFLICT (address) DO NOTHING
            """;

    /** Limits a change to the owner's tools; a null owner (an admin) changes any. */
    private static final String OWNED = " AND (CAST(:owner AS uuid) IS NULL OR created_by = :owner)";

    private static final String UPDATE = """
            UPDATE tool SET transport = :transport, endpoint = :endpoint, description = :description,
                   input_schema = CAST(:inputSchema AS jsonb), output_schema = CAST(:outputSchema AS jsonb),
                   scopes = CAST(:scopes AS text[]), timeout_seconds = :timeoutSeconds, headers = CAST(:headers AS jsonb),
                   updated_at = :now
             WHERE address = :address
            """ + OWNED;

    /**
     * {@code xmax = 0} only on a row this statement inserted: tells "created" from "updated". A row owned by
     * another agent is left alone (no row comes back), unless an admin discovers; the owner never changes.
     */
    private static final String UPSERT = """
            INSERT INTO tool (address, transport, endpoint, description, input_schema, output_schema, scopes,
                              timeout_seconds, headers, created_at, updated_at, created_by)
            VALUES (:address, :transport, :endpoint, :description, CAST(:inputSchema AS jsonb),
                    CAST(:outputSchema AS jsonb), CAST(:scopes AS text[]), :timeoutSeconds, CAST(:headers AS jsonb),
                    :now, :now, :creator)
            ON CONFLICT (address) DO UPDATE SET transport = EXCLUDED.transport, endpoint = EXCLUDED.endpoint,
                   description = EXCLUDED.description, input_schema = EXCLUDED.input_schema,
                   output_schema = EXCLUDED.output_schema, scopes = EXCLUDED.scopes,
                   timeout_seconds = EXCLUDED.timeout_seconds, headers = EXCLUDED.headers, updated_at = EXCLUDED.updated_at,
                   gone_at = NULL
             WHERE CAST(:owner AS uuid) IS NULL OR tool.created_by = :owner
            RETURNING (xmax = 0) AS inserted
            """;

    /** The server's tools under this prefix that the latest listing did not name. */
    private static final String MARK_GONE = """
            UPDATE tool SET gone_at = :now, updated_at = :now
             WHERE transport = 'mcp' AND endpoint = :endpoint AND starts_with(address, :prefix)
               AND gone_at IS NULL AND NOT (address = ANY (CAST(:listed AS text[])))
            """ + OWNED + " RETURNING address";

    private static final String DELETE = "DELETE FROM tool WHERE address = :address" + OWNED;
    private static final String FIND = "SELECT " + COLUMNS + " FROM tool WHERE address = :address";
    private static final String ALL = "SELECT " + COLUMNS + " FROM tool";

    /**
     * The tools an agent may see: those its pipelines may call ({@link ToolTrust}) — its own, admins' and
     * ownerless ones; every tool for a null viewer (an admin). Another agent's endpoint, headers and schemas,
     * and its id, are none of the viewer's business.
     */
    private static final String VISIBLE = """
               AND (CAST(:viewer AS uuid) IS NULL OR tool.created_by IS NULL OR tool.created_by = :viewer
                    OR EXISTS (SELECT 1 FROM agent a WHERE a.id = tool.created_by AND 'admin' = ANY (a.scopes)))
            """;

    private static final String FILTER = """
             WHERE (CAST(:transport AS text) IS NULL OR transport = :transport)
               AND (CAST(:prefix AS text) IS NULL OR starts_with(address, :prefix))
            """ + VISIBLE;
    private static final String FIND_VISIBLE = FIND + VISIBLE;
    private static final String PAGE = "SELECT " + COLUMNS + " FROM tool" + FILTER
            + " ORDER BY address LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*) FROM tool" + FILTER;

    /**
     * Whether a task of another agent that is not canceled names the address in a step. Such a task runs the
     * address simulated (or fails, with unknown tools rejected) until someone registers it; whoever does would
     * then receive that task's arguments — were ToolTrust not to refuse the call — or make its runs fail.
     * A scan of the tasks' payloads: registrations are rare.
     */
    private static final String USED_BY_OTHERS = """
            SELECT EXISTS (SELECT 1 FROM task
                            WHERE status <> 'canceled' AND created_by <> :agent
                              AND payload -> 'pipeline' @> jsonb_build_array(jsonb_build_object('uses', CAST(:address AS text))))
            """;

    /**
     * Changes whenever a row is inserted, updated or deleted: xmin is the transaction that wrote each row
     * version, so no clock (which may differ between nodes) is trusted.
     */
    private static final String FINGERPRINT = """
            SELECT count(*) || ':' || coalesce(md5(string_agg(address || '@' || xmin::text, ',' ORDER BY address)), '')
              FROM tool
            """;

    private final JdbcClient jdbc;
    private volatile Snapshot snapshot;

    ToolCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A catalogued tool with its timestamps and owner, as the API shows it.
     *
     * @param goneAt when discovery found it no longer listed by its server, or null
     */
    record Entry(ToolDefinition definition, Instant createdAt, Instant updatedAt, Instant goneAt) {

        /** The agent that registered it; null for tools older than owners (admin-only). */
        UUID createdBy() {
            return definition.owner();
        }
    }

    private record Snapshot(String fingerprint, Map<String, ToolDefinition> tools) {
    }

    /**
     * The tool at this address, from the in-memory copy (loaded on first use).
     *
     * @throws ToolCallException retryable, when the copy has never been loaded and the database cannot be read
     */
    Optional<ToolDefinition> find(String address) {
        Snapshot current = snapshot;
        if (current == null) {
            try {
                current = reload();
            } catch (DataAccessException e) {
                throw new ToolCallException("the tool catalog cannot be read: " + e.getMostSpecificCause().getMessage(),
                        true, null, e);
            }
        }
        return Optional.ofNullable(current.tools().get(address));
    }

    /** Reads the tool from the table, not the copy. */
    Optional<Entry> load(String address) {
        return jdbc.sql(FIND).param("address", address).query(ToolCatalog::entry).optional();
    }

    /** The tool as {@code viewer} may see it: empty for a tool it may not ({@link #VISIBLE}); null sees all. */
    Optional<Entry> load(String address, UUID viewer) {
        return jdbc.sql(FIND_VISIBLE).param("address", address).param("viewer", viewer).query(ToolCatalog::entry).optional();
    }

    /** @param viewer only the tools this agent may see ({@link #VISIBLE}); null for all (admin) */
    List<Entry> page(String transport, String prefix, UUID viewer, int limit, int offset) {
        return jdbc.sql(PAGE)
                .param("transport", transport)
                .param("prefix", prefix)
                .param("viewer", viewer)
                .param("limit", limit)
                .param("offset", offset)
                .query(ToolCatalog::entry)
                .list();
    }

    long count(String transport, String prefix, UUID viewer) {
        return jdbc.sql(COUNT).param("transport", transport).param("prefix", prefix).param("viewer", viewer)
                .query(Long.class).single();
    }

    /** Whether a step of a task not canceled, owned by an agent other than {@code agent}, uses the address. */
    boolean usedByOtherAgentsTasks(String address, UUID agent) {
        return jdbc.sql(USED_BY_OTHERS).param("address", address).param("agent", agent).query(Boolean.class).single();
    }

    /** @return false when a tool with this address already exists */
    boolean insert(ToolDefinition tool, UUID owner, Instant now) {
        int rows = bind(jdbc.sql(INSERT), tool, now).param("owner", owner).update();
        reloadAfterChange();
        return rows == 1;
    }

    /**
     * @param owner only a tool of this agent is changed; null for any (admin)
     * @return false when no tool has this address (or it is not the owner's)
     */
    boolean update(ToolDefinition tool, UUID owner, Instant now) {
        int rows = bind(jdbc.sql(UPDATE), tool, now).param("owner", owner).update();
        if (rows > 1) {
            throw new IllegalStateException("updating tool " + tool.address() + " changed " + rows + " rows");
        }
        reloadAfterChange();
        return rows == 1;
    }

    /**
     * @param creator the owner a new row gets
     * @param owner   only a tool of this agent is replaced; null for any (admin)
     * @return true when the tool was created, false when an existing one was replaced, empty when the
     *         existing one belongs to another agent and was left alone
     */
    Optional<Boolean> upsert(ToolDefinition tool, UUID creator, UUID owner, Instant now) {
        Optional<Boolean> inserted = bind(jdbc.sql(UPSERT), tool, now).param("creator", creator).param("owner", owner)
                .query(Boolean.class).optional();
        reloadAfterChange();
        return inserted;
    }

    /**
     * Marks the tools of this server under {@code prefix.} that are not in {@code listed} as gone.
     *
     * @param owner only this agent's tools are marked; null for any (admin)
     * @return the addresses marked
     */
    List<String> markGone(String endpoint, String prefix, Collection<String> listed, UUID owner, Instant now) {
        List<String> marked = jdbc.sql(MARK_GONE)
                .param("endpoint", endpoint)
                .param("prefix", prefix + ".")
                .param("listed", listed.toArray(String[]::new))
                .param("owner", owner)
                .param("now", Timestamp.from(now))
                .query(String.class).list();
        if (!marked.isEmpty()) {
            reloadAfterChange();
        }
        return marked;
    }

    /**
     * @param owner only a tool of this agent is deleted; null for any (admin)
     * @return false when no tool has this address (or it is not the owner's)
     */
    boolean delete(String address, UUID owner) {
        int rows = jdbc.sql(DELETE).param("address", address).param("owner", owner).update();
        reloadAfterChange();
        return rows == 1;
    }

    /** Reloads the copy when the table changed since it was read; called periodically. */
    void refreshIfChanged() {
        Snapshot current = snapshot;
        String fingerprint = fingerprint();
        if (current == null || !current.fingerprint().equals(fingerprint)) {
            Snapshot fresh = reload();
            log.debug("Tool catalog reloaded: {} tools", fresh.tools().size());
        } else {
            log.trace("Tool catalog unchanged");
        }
    }

    /** Reads the whole table into a new copy. Tools are few (hundreds), so a full read is cheap. */
    private synchronized Snapshot reload() {
        // fingerprint first: a change landing between the two reads makes the next refresh reload again
        String fingerprint = fingerprint();
        Map<String, ToolDefinition> tools = new LinkedHashMap<>();
        jdbc.sql(ALL).query(ToolCatalog::entry).list().forEach(e -> tools.put(e.definition().address(), e.definition()));
        Snapshot fresh = new Snapshot(fingerprint, Map.copyOf(tools));
        snapshot = fresh;
        return fresh;
    }

    private void reloadAfterChange() {
        try {
            reload();
        } catch (DataAccessException e) {
            // the change is committed; the periodic refresh picks it up
            snapshot = null;
            log.warn("Tool catalog could not be reloaded after a change: {}", e.getMostSpecificCause().getMessage());
        }
    }

    private String fingerprint() {
        return jdbc.sql(FINGERPRINT).query(String.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, ToolDefinition tool, Instant now) {
        return spec.param("address", tool.address())
                .param("transport", tool.transport())
                .param("endpoint", tool.endpoint())
                .param("description", tool.description())
                .param("inputSchema", tool.inputSchema() == null ? null : Json.text(tool.inputSchema()))
                .param("outputSchema", tool.outputSchema() == null ? null : Json.text(tool.outputSchema()))
                .param("scopes", tool.scopes().toArray(String[]::new))
                .param("timeoutSeconds", tool.timeoutSeconds())
                .param("headers", Json.text(tool.headers()))
                .param("now", Timestamp.from(now));
    }

    private static Entry entry(ResultSet rs, int row) throws SQLException {
        ToolDefinition definition = new ToolDefinition(
                rs.getString("address"),
                rs.getString("transport"),
                rs.getString("endpoint"),
                rs.getString("description"),
                jsonObject(rs.getString("input_schema")),
                jsonObject(rs.getString("output_schema")),
                strings(rs.getArray("scopes")),
                rs.getInt("timeout_seconds"),
                headers(rs.getString("headers")),
                rs.getTimestamp("gone_at") != null,
                // the router decides with it whose pipelines may call the tool (ToolTrust)
                rs.getObject("created_by", UUID.class));
        Timestamp goneAt = rs.getTimestamp("gone_at");
        return new Entry(definition, rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
                goneAt == null ? null : goneAt.toInstant());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(String text) {
        return text == null ? null : (Map<String, Object>) Json.parse(text);
    }

    private static Map<String, String> headers(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, Object> stored = jsonObject(text);
        if (stored != null) {
            stored.forEach((name, value) -> headers.put(name, String.valueOf(value)));
        }
        return headers;
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        try {
            return Arrays.stream((String[]) array.getArray()).filter(Objects::nonNull).toList();
        } finally {
            array.free();
        }
    }
}
