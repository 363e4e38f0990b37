package io.ordinaut.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/** The Grafana dashboard and the Prometheus configuration of docker/ stay in step with the documented metrics. */
class DashboardTest {

    private static final Pattern METRIC = Pattern.compile("ordinaut_[a-z_]+");

    @Test
    void every_metric_the_dashboard_queries_is_a_documented_one() throws Exception {
        Set<String> documented = PrometheusScrapeTest.documentedMetrics(Files.readString(Path.of("docs/operations.md"))).keySet();
        @SuppressWarnings("unchecked")
        Map<String, Object> dashboard = JsonMapper.shared().readValue(Files.readString(Path.of("docker/grafana/ordinaut.json")), Map.class);
        assertThat(dashboard).containsEntry("uid", "ordinaut");

        Set<String> queried = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(Path.of("docker/grafana/ordinaut.json")));
        while (m.find()) {
            queried.add(m.group().replaceAll("_(bucket|count|sum|max)$", ""));
        }
        assertThat(queried).isNotEmpty();
        assertThat(documented).containsAll(queried);
        for (String needed : List.of("ordinaut_runs_total", "ordinaut_fire_lag_seconds", "ordinaut_queue_depth",
                "ordinaut_tool_calls_total", "ordinaut_quartz_cluster_size")) {
            assertThat(queried).as("the dashboard shows %s", needed).contains(needed);
        }
    }

    @Test
    void prometheus_scrapes_each_compose_node_with_the_admin_token_from_a_file() throws Exception {
        String config = Files.readString(Path.of("docker/prometheus.yml"));
        assertThat(config).contains("metrics_path: /actuator/prometheus")
                .contains("credentials_file: /run/secrets/ordinaut_admin_token")
                .contains("\"node1:8080\", \"node2:8080\", \"node3:8080\"");
        String datasource = Files.readString(Path.of("docker/grafana/provisioning/datasources/prometheus.yml"));
        assertThat(Files.readString(Path.of("docker/grafana/ordinaut.json"))).contains("\"uid\": \"ordinaut-prometheus\"");
        assertThat(datasource).contains("uid: ordinaut-prometheus").contains("url: http://prometheus:9090");
    }
}
