package io.ordinaut.tool;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ordinaut.support.Api;
import io.ordinaut.support.PipelineSteps;
import tools.jackson.databind.json.JsonMapper;

/** Drives tasks through the REST API for the end-to-end tool tests: create, run now, wait for the run. */
final class ToolRuns {

    static final String SYSTEM_AGENT = "00000000-0000-0000-0000-000000000001";

    private ToolRuns() {
    }

    /** A seed pipeline from src/test/resources/pipelines. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> seed(String name) {
        try (InputStream in = ToolRuns.class.getResourceAsStream("/pipelines/" + name + ".json")) {
            return JsonMapper.shared().readValue(in, Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A task that never fires on its own (1 January, 03:00) and is not retried by the queue. */
    static Map<String, Object> task(String title, Map<String, Object> payload) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", title);
        task.put("schedule_kind", "cron");
        task.put("schedule_expr", "0 3 1 1 *");
        task.put("max_retries", 0);
        task.put("payload", payload);
        return task;
    }

    static Map<String, Object> step(String id, String uses, Map<String, Object> with, Object... options) {
        return PipelineSteps.step(id, uses, with, options);
    }

    static Map<String, Object> pipeline(Map<String, Object> params, List<Map<String, Object>> steps) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("params", params);
        payload.put("pipeline", steps);
        return payload;
    }

    static String create(Api api, Map<String, Object> task) {
        return api.post("/tasks", task).expect(201).string("id");
    }

    /** Runs the task now and waits for the run to finish; returns GET /runs/{id}. */
    static Map<String, Object> runNow(Api api, String taskId) {
        String runId = api.post("/tasks/" + taskId + "/run_now", Map.of()).expect(200).details().get("run_id").toString();
        return api.awaitFinished(runId);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> steps(Map<String, Object> run) {
        return (Map<String, Object>) ((Map<String, Object>) run.get("output")).get("steps");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> trace(Map<String, Object> run) {
        return (List<Map<String, Object>>) ((Map<String, Object>) run.get("output")).get("trace");
    }

    static Map<String, Object> traceOf(Map<String, Object> run, String stepId) {
        return trace(run).stream().filter(e -> stepId.equals(e.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no trace entry for " + stepId + " in " + run));
    }

    static List<Object> statuses(Map<String, Object> run) {
        return trace(run).stream().map(e -> e.get("status")).toList();
    }

    static Map<String, Object> httpTool(String address, String endpoint, Object... fields) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("address", address);
        tool.put("transport", "http");
        tool.put("endpoint", endpoint);
        for (int i = 0; i < fields.length; i += 2) {
            tool.put((String) fields[i], fields[i + 1]);
        }
        return tool;
    }

    /**
     * Cancels every task through the API, so that the addresses earlier tests' tasks named are free for another
     * agent to register (a non-admin may not take an address other agents' tasks use).
     */
    static void cancelTasks(Api api) {
        for (Map<String, Object> task : api.get("/tasks?limit=200").expect(200).items()) {
            if (!"canceled".equals(task.get("status"))) {
                api.post("/tasks/" + task.get("id") + "/cancel", Map.of()).expect(200);
            }
        }
    }

    /** Deletes every catalogued tool through the API, so this node's copy of the catalog is empty at once. */
    static void clearTools(Api api) {
        for (Map<String, Object> tool : api.get("/tools?limit=200").expect(200).items()) {
            api.delete("/tools/" + tool.get("address")).expect(200);
        }
    }
}
