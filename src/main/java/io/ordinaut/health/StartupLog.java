package io.ordinaut.health;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ordinaut.config.EmbeddedPostgresLauncher;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.trigger.QuartzStatus;

/** Logs the one start-up line operators look for: version, port, database, Quartz instance, roles. */
@Component
class StartupLog {

    private static final Logger log = LoggerFactory.getLogger(StartupLog.class);

    private final DataSource dataSource;
    private final QuartzStatus quartz;
    private final NodeProperties node;
    private final ObjectProvider<BuildProperties> build;

    StartupLog(DataSource dataSource, QuartzStatus quartz, NodeProperties node, ObjectProvider<BuildProperties> build) {
        this.dataSource = dataSource;
        this.quartz = quartz;
        this.node = node;
        this.build = build;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null
                ? web.getWebServer().getPort() : -1;
        BuildProperties info = build.getIfAvailable();
        String version = info != null ? info.getVersion() : "dev";
        boolean embedded = Boolean.getBoolean(EmbeddedPostgresLauncher.ACTIVE);
        log.info("Ordinaut {} started: port={} database={}{} quartz_instance={} node={} roles={}",
                version, port, databaseUrl(), embedded ? " (embedded)" : "", quartz.instanceId(), node.id(),
                String.join(",", node.roles()));
    }

    private String databaseUrl() {
        try (Connection c = dataSource.getConnection()) {
            // Strip query parameters: they may carry credentials.
            String url = c.getMetaData().getURL();
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q);
        } catch (SQLException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
