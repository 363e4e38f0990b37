package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far a running pipeline got — the outputs and trace of the steps that ended, and the step running
 * now — readable from another thread while it runs. For a caller that ends a run without waiting for it
 * (a run timeout, a cancel, a shutdown): the record keeps what the run did, in the shape of a failed
 * run's output, and its error names the step it was in.
 */
public final class PipelineProgress {

    /**
     * Published whole, so a reader never sees a step both ended and running.
     *
     * @param changes how many times it was published
     */
    private record State(int changes, int stepCount, Map<String, Object> saved, List<Map<String, Object>> trace,
                         StepOutcome.Timer running, int attempts) {
    }

    private volatile State state;

    void started(int stepCount) {
        state = new State(1, stepCount, Map.of(), List.of(), null, 0);
    }

    /** The step measured by {@code timer} is running, in its {@code attempts}th tool call (0 before the first). */
    void running(StepOutcome.Timer timer, int attempts) {
        State s = state;
        state = new State(s.changes() + 1, s.stepCount(), s.saved(), s.trace(), timer, attempts);
    }

    /** A step ended: copies, since the runner goes on changing its own. */
    void ended(Map<String, Object> saved, List<Map<String, Object>> trace) {
        State s = state;
        state = new State(s.changes() + 1, s.stepCount(), new LinkedHashMap<>(saved), List.copyOf(trace), null, 0);
    }

    /** How many times the progress changed (0 before the pipeline started): whoever copies it elsewhere copies it again when this moves. */
    public int changes() {
        State s = state;
        return s == null ? 0 : s.changes();
    }

    /**
     * The progress as it can be kept elsewhere, for a run that may be ended by another node (its own was
     * lost): {@code {"output": {"steps", "trace"} of the steps that ended, "at": "step 2 of 3 'weather'
     * (weather.get)" or null between steps}}; null before the pipeline started.
     */
    public Map<String, Object> sofar() {
        State s = state;
        if (s == null) {
            return null;
        }
        Map<String, Object> output = new LinkedHashMap<>(4);
        output.put("steps", s.saved());
        output.put("trace", s.trace());
        Map<String, Object> sofar = new LinkedHashMap<>(4);
        sofar.put("output", output);
        sofar.put("at", s.running() == null ? null : describe(s.running().step(), s.stepCount()));
        return sofar;
    }

    /**
     * The run's result were it to fail now for {@code reason} (such as "run timed out after 5 s"): the
     * output holds the saved outputs and trace so far plus the running step's entry, failed with the
     * reason; the error adds where the run was ("… in step 2 of 3 'weather' (weather.get)"). Output is
     * null when the pipeline had not started.
     */
    public PipelineResult cut(String reason) {
        State s = state;
        if (s == null) {
            return new PipelineResult(false, true, true, null, reason + " before its pipeline started", null);
        }
        List<Map<String, Object>> trace = new ArrayList<>(s.trace());
        String where;
        String failedStep = null;
        if (s.running() != null) {
            Step step = s.running().step();
            trace.add(s.running().cut(s.attempts(), reason));
            where = " in " + describe(step, s.stepCount());
            failedStep = step.id();
        } else if (s.trace().isEmpty()) {
            where = s.stepCount() == 0 ? "" : " before its first step";
        } else {
            // between two steps, a moment after the last one traced ended
            where = s.trace().size() == s.stepCount() ? " after its last step" : " after step " + s.trace().size() + " of " + s.stepCount();
        }
        Map<String, Object> output = new LinkedHashMap<>(4);
        output.put("steps", new LinkedHashMap<>(s.saved()));
        output.put("trace", trace);
        return new PipelineResult(false, true, true, failedStep, reason + where, output);
    }

    /** "step 2 of 3 'weather' (weather.get)", with the save_as name when it is not the id: 1-based, as people count. */
    static String describe(Step step, int stepCount) {
        String saved = step.storeName().equals(step.id()) ? "" : ", save_as " + step.storeName();
        return "step " + (step.index() + 1) + " of " + stepCount + " '" + step.id() + "' (" + step.uses() + saved + ")";
    }
}
