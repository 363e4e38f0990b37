package io.ordinaut.task;

import java.util.Map;

import org.springframework.stereotype.Component;

import io.ordinaut.pipeline.PipelineDefinition;

/** Checks a task's payload when it is created or changed, so it cannot fail later for a visible reason. */
@Component
class PayloadValidator {

    void validate(Map<String, Object> payload) {
        PipelineDefinition.parse(payload, address -> true);
    }
}
