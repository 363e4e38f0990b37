package io.ordinaut.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.ordinaut.InvalidInputException;
import io.ordinaut.agent.AgentScopes;
import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.tool.ToolRouter;

/**
 * Checks a task's payload when it is created or changed, so it cannot fail later for a reason visible
 * now: the pipeline's structure and expressions, tool addresses the catalog must know (when unknown
 * tools are rejected), and the scopes of every catalogued tool against those its owning agent holds.
 */
@Component
class PayloadValidator {

    private final ToolRouter tools;
    private final AgentScopes agents;

    PayloadValidator(ToolRouter tools, AgentScopes agents) {
        this.tools = tools;
        this.agents = agents;
    }

    /**
     * Parses the pipeline and checks that the agent holds every scope of every tool it uses.
     *
     * @throws InvalidInputException naming {@code payload.pipeline[i].uses} and the missing scopes
     */
    void validate(Map<String, Object> payload, UUID agentId) {
        PipelineDefinition definition = PipelineDefinition.parse(payload, tools::accepts);
        List<String> uses = definition.stepUses();
        Set<String> granted = null;
        for (int i = 0; i < uses.size(); i++) {
            List<String> required = tools.requiredScopes(uses.get(i));
            if (required.isEmpty()) {
                continue;
            }
            if (granted == null) {
                granted = agents.current(agentId);
            }
            List<String> missing = AgentScopes.missing(granted, required);
            if (!missing.isEmpty()) {
                String field = "payload.pipeline[" + i + "].uses";
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("tool", uses.get(i));
                details.put("missing_scopes", missing);
                throw new InvalidInputException(field, field + ": tool " + uses.get(i)
                        + " needs scope" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                        + ", which agent " + agentId + " does not hold", details);
            }
        }
    }
}
