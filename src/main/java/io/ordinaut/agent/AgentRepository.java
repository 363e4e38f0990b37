package io.ordinaut.agent;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for agents. */
@Repository
class AgentRepository {

    private static final String COLUMNS = "id, name, scopes, webhook_url, api_calls_per_hour, runs_per_day, created_at, updated_at";

    private static final String INSERT = """
            INSERT INTO agent (id, name, scopes, webhook_url, api_calls_per_hour, runs_per_day, created_at, updated_at)
            VALUES (:id, :name, :scopes, :webhookUrl, :apiCallsPerHour, :runsPerDay, :now, :now)
            ON CONFLICT (name) DO NOTHING
            """;
    private static final String UPDATE = """
            UPDATE agent SET name = :name, scopes = :scopes, webhook_url = :webhookUrl,
                   api_calls_per_hour = :apiCallsPerHour, runs_per_day = :runsPerDay, updated_at = :now
             WHERE id = :id
            """;
    private static final String SET_WEBHOOK_SECRET = "UPDATE agent SET webhook_secret = :secret WHERE id = :id";
    private static final String FIND = "SELECT " + COLUMNS + " FROM agent WHERE id = :id";
    private static final String NAME_TAKEN = "SELECT EXISTS (SELECT 1 FROM agent WHERE name = :name AND id <> :id)";
    // name_filter is a plain substring, case-insensitive: strpos, not ILIKE, so '%' and '_' in it match
    // themselves instead of acting as wildcards (there is no index for either to use).
    private static final String FILTER = """
             WHERE (CAST(:name AS text) IS NULL OR strpos(lower(name), lower(:name)) > 0)
               AND (CAST(:scope AS text) IS NULL OR :scope = ANY (scopes))
            """;
    private static final String PAGE = "SELECT " + COLUMNS + " FROM agent" + FILTER + " ORDER BY created_at, id LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*) FROM agent" + FILTER;
    private static final String OWNS_TASKS = "SELECT EXISTS (SELECT 1 FROM task WHERE created_by = :id)";
    private static final String OWNS_TOOLS = "SELECT EXISTS (SELECT 1 FROM tool WHERE created_by = :id)";
    private static final String DELETE = "DELETE FROM agent WHERE id = :id";

    private final JdbcClient jdbc;

    AgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return false when the name is taken */
    /** Stores the secret that signs the agent's webhook deliveries (see event.DeliverWebhooks). */
    void setWebhookSecret(UUID id, String secret) {
        jdbc.sql(SET_WEBHOOK_SECRET).param("id", id).param("secret", secret).update();
    }

    boolean insert(Agent a) {
        return bind(jdbc.sql(INSERT), a).param("now", Timestamp.from(a.createdAt())).update() == 1;
    }

    void update(Agent a) {
        bind(jdbc.sql(UPDATE), a).param("now", Timestamp.from(a.updatedAt())).update();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, Agent a) {
        return statement
                .param("id", a.id())
                .param("name", a.name())
                .param("scopes", a.scopes().toArray(String[]::new))
                .param("webhookUrl", a.webhookUrl())
                .param("apiCallsPerHour", a.apiCallsPerHour())
                .param("runsPerDay", a.runsPerDay());
    }

    Optional<Agent> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query(AgentRepository::map).optional();
    }

    boolean nameTaken(String name, UUID except) {
        return jdbc.sql(NAME_TAKEN).param("name", name).param("id", except).query(Boolean.class).single();
    }

    List<Agent> page(String name, String scope, int limit, int offset) {
        return jdbc.sql(PAGE).param("name", name).param("scope", scope).param("limit", limit).param("offset", offset)
                .query(AgentRepository::map).list();
    }

    long count(String name, String scope) {
        return jdbc.sql(COUNT).param("name", name).param("scope", scope).query(Long.class).single();
    }

    boolean ownsTasks(UUID id) {
        return jdbc.sql(OWNS_TASKS).param("id", id).query(Boolean.class).single();
    }

    boolean ownsTools(UUID id) {
        return jdbc.sql(OWNS_TOOLS).param("id", id).query(Boolean.class).single();
    }

    void delete(UUID id) {
        jdbc.sql(DELETE).param("id", id).update();
    }

    static Agent map(ResultSet rs, int row) throws SQLException {
        return new Agent(rs.getObject("id", UUID.class), rs.getString("name"), scopes(rs.getArray("scopes")),
                rs.getString("webhook_url"), (Integer) rs.getObject("api_calls_per_hour"), (Integer) rs.getObject("runs_per_day"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    static List<String> scopes(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
