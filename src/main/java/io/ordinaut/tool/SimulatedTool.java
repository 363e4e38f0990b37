package io.ordinaut.tool;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers every call without side effects, echoing what it was given; for demos and dry runs. */
public final class SimulatedTool implements ToolInvoker {

    private final Clock clock;

    public SimulatedTool(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Object invoke(ToolCall call) {
        Map<String, Object> output = new LinkedHashMap<>(8);
        output.put("status", "simulated");
        output.put("tool_address", call.address());
        output.put("input_args", call.args());
        Clock stamp = call.clock() != null ? call.clock() : clock;
        output.put("timestamp", stamp.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        output.put("message", "Simulated execution of " + call.address());
        return output;
    }

    @Override
    public boolean completesImmediately(ToolCall call) {
        return true;
    }
}
