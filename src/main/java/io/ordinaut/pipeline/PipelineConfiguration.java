package io.ordinaut.pipeline;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.tool.ToolInvoker;

/** The pipeline engine, shared by every executor thread. */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

    @Bean
    PipelineRunner pipelineRunner(ToolInvoker tools, Clock clock, OrdinautMetrics metrics, PipelineProperties properties) {
        return new PipelineRunner(tools, clock, metrics, properties);
    }
}
