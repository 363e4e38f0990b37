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
import io.ordinaut.pipeline.PipelineProperties;
import io.ordinaut.tool.ToolRouter;

/**
 * Checks a task's payload when it is created or changed, so it cannot fail later for a reason visible
 * now: the pipeline's structure and expressions, literal arguments deeper or larger than runs accept
 * ({@link PipelineProperties}), tool addresses the catalog must know (when unknown
 * tools are rejected), that its owning agent may call every catalogued tool (not another agent's), the
 * scopes of every catalogued tool against those its owning agent holds, and each
 * step's literal arguments against the input schema of the tool its runs would call.
 */
@Component
class PayloadValidator {

    private final ToolRouter tools;
    private final AgentScopes agents;
    private final PipelineProperties limits;

    PayloadValidator(ToolRouter tools, AgentScopes agents, PipelineProperties limits) {
        this.tools = tools;
        this.agents = agents;
        this.limits = limits;
    }

    /**
     * Parses the pipeline, then checks each step as its runs would, in their order: the agent must hold every
     * scope of the tool, and the step's arguments must not already break the tool's input schema. A step
     * with an {@code if} is checked too: whenever it runs, it sends those arguments.
     *
     * @throws InvalidInputException naming {@code payload.pipeline[i].uses} and the missing scopes, or the
     *                               place in {@code payload.pipeline[i].with} and the schema violations
     */
    void validate(Map<String, Object> payload, UUID agentId) {
        PipelineDefinition definition = PipelineDefinition.parse(payload, tools::accepts, limits);
        Set<String> granted = null;
        for (PipelineDefinition.KnownArguments step : definition.knownArguments()) {
            // first: another agent's tool is not this task's to call, and its scopes and schema are not its business
            requireCallable(step, agentId);
            List<String> required = tools.requiredScopes(step.uses());
            if (!required.isEmpty()) {
                if (granted == null) {
                    granted = agents.current(agentId);
                }
                requireScopes(step, granted, required, agentId);
            }
            requireValidArguments(step, agentId);
        }
    }

    /** Every run would fail at a step naming another agent's tool (ToolTrust), so it is refused now. */
    private void requireCallable(PipelineDefinition.KnownArguments step, UUID agentId) {
        if (tools.mayCall(step.uses(), agentId)) {
            return;
        }
        String field = "payload.pipeline[" + step.index() + "].uses";
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("step_index", step.index());
        details.put("step_id", step.stepId());
        details.put("tool", step.uses());
        throw new InvalidInputException(field, field + ": step '" + step.stepId() + "' uses tool " + step.uses()
                + ", which belongs to another agent; a pipeline may call only its own agent's tools and admins' tools", details);
    }

    private static void requireScopes(PipelineDefinition.KnownArguments step, Set<String> granted, List<String> required,
                                      UUID agentId) {
        List<String> missing = AgentScopes.missing(granted, required);
        if (!missing.isEmpty()) {
            String field = "payload.pipeline[" + step.index() + "].uses";
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("tool", step.uses());
            details.put("missing_scopes", missing);
            throw new InvalidInputException(field, field + ": tool " + step.uses()
                    + " needs scope" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                    + ", which agent " + agentId + " does not hold", details);
        }
    }

    /** Literal arguments that break the schema would fail every run of the step, so they are refused now. */
    private void requireValidArguments(PipelineDefinition.KnownArguments step, UUID agentId) {
        List<ToolRouter.InputViolation> violations = tools.knownInputViolations(step.uses(), agentId, step.literal(),
                step.templated());
        if (violations.isEmpty()) {
            return;
        }
        String field = step.field(violations.get(0).path());
        List<String> messages = violations.stream().limit(ToolRouter.InputViolation.LISTED)
                .map(ToolRouter.InputViolation::message).toList();
        int more = violations.size() - messages.size();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("step_index", step.index());
        details.put("step_id", step.stepId());
        details.put("tool", step.uses());
        // each item a "<pointer>: <text>"; how many were left out is a number of its own
        details.put("violations", messages);
        if (more > 0) {
            details.put("more_violations", more);
        }
        throw new InvalidInputException(field, field + ": step '" + step.stepId() + "' would call " + step.uses()
                + " with arguments that break its input schema: " + String.join("; ", messages)
                + (more > 0 ? "; … " + more + " more" : ""), details);
    }
}
