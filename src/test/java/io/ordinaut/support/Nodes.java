package io.ordinaut.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.OrdinautApplication;

/** Starts real Ordinaut nodes (whole Spring applications on random ports) against one database. */
public final class Nodes implements AutoCloseable {

    private final String databaseUrl;
    private final List<ConfigurableApplicationContext> running = new ArrayList<>();

    public Nodes(String databaseUrl) {
        this.databaseUrl = databaseUrl;
    }

    private static final ReentrantLock LOGGING_SET_UP = new ReentrantLock();

    public static Nodes onFreshDatabase() {
        return new Nodes(TestDatabases.create());
    }

    public ConfigurableApplicationContext start(String nodeId, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("spring.datasource.url", databaseUrl);
        props.put("spring.datasource.username", TestDatabases.user());
        props.put("spring.datasource.password", TestDatabases.password());
        props.put("server.port", 0);
        props.put("ordinaut.node.id", nodeId);
        props.put("ordinaut.security.admin-token", Api.ADMIN_TOKEN);
        props.putAll(extra);
        // As command-line arguments: builder "properties" are defaults that application.yaml would override.
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OrdinautApplication.class)
                .listeners(Nodes::oneLoggingSetUpAtATime)
                .run(args);
        synchronized (running) {
            running.add(context);
        }
        return context;
    }

    /**
     * Spring Boot resets Logback's LoggerContext while a node starts, and two nodes started at once in this
     * JVM raced on it (ArrayIndexOutOfBoundsException from LoggerContext.reset). Only that phase — up to the
     * prepared context — is taken one node at a time; the rest (migrations, Quartz) still starts concurrently.
     */
    private static void oneLoggingSetUpAtATime(ApplicationEvent event) {
        if (event instanceof ApplicationStartingEvent) {
            LOGGING_SET_UP.lock();
        } else if ((event instanceof ApplicationPreparedEvent || event instanceof ApplicationFailedEvent)
                && LOGGING_SET_UP.isHeldByCurrentThread()) {
            LOGGING_SET_UP.unlock();
        }
    }

    public String databaseUrl() {
        return databaseUrl;
    }

    public ConfigurableApplicationContext start(String nodeId) {
        return start(nodeId, Map.of());
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static Api api(ConfigurableApplicationContext context) {
        return new Api(port(context));
    }

    public static JdbcClient jdbc(ConfigurableApplicationContext context) {
        return context.getBean(JdbcClient.class);
    }

    public void stop(ConfigurableApplicationContext context) {
        context.close();
        synchronized (running) {
            running.remove(context);
        }
    }

    @Override
    public void close() {
        List<ConfigurableApplicationContext> copy;
        synchronized (running) {
            copy = new ArrayList<>(running);
            running.clear();
        }
        copy.forEach(ConfigurableApplicationContext::close);
    }
}
