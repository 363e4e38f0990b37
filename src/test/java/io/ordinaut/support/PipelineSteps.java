package io.ordinaut.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Pipeline steps as a task's JSON body carries them, for tests in every package. */
public final class PipelineSteps {

    private PipelineSteps() {
    }

    /** {@code {"id", "uses", "with", then options as key, value, key, value …}} in that order. */
    public static Map<String, Object> step(String id, String uses, Map<String, Object> with, Object... options) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", id);
        step.put("uses", uses);
        if (with != null) {
            step.put("with", with);
        }
        for (int i = 0; i < options.length; i += 2) {
            step.put((String) options[i], options[i + 1]);
        }
        return step;
    }
}
