package io.ordinaut.queue;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.tool.SimulatedTool;
import io.ordinaut.tool.ToolInvoker;

/** What executes a run: the pipeline engine over the tool transports. */
@Configuration(proxyBeanMethods = false)
class ExecutionConfiguration {

    @Bean
    ToolInvoker toolInvoker(Clock clock) {
        return new SimulatedTool(clock);
    }

    @Bean
    PipelineRunner pipelineRunner(ToolInvoker tools, Clock clock) {
        return new PipelineRunner(tools, clock);
    }
}
