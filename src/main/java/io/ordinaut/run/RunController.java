package io.ordinaut.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.web.ApiException;
import io.ordinaut.web.QueryParams;

/** /runs: the record of every run, queued, running or finished. */
@RestController
class RunController {

    private final RunRepository runs;

    RunController(RunRepository runs) {
        this.runs = runs;
    }

    @GetMapping("/runs")
    @Transactional(readOnly = true)
    Map<String, Object> list(@RequestParam Map<String, String> query) {
        QueryParams q = QueryParams.of(query, Set.of("task_id", "success", "limit", "offset"));
        UUID taskId = q.uuid("task_id");
        Boolean success = q.bool("success");
        int limit = q.integer("limit", 1, 1000, 50);
        int offset = q.integer("offset", 0, Integer.MAX_VALUE, 0);
        List<RunView> items = runs.page(taskId, success, limit, offset);
        long total = runs.count(taskId, success);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("total", total);
        body.put("limit", limit);
        body.put("offset", offset);
        body.put("has_more", offset + items.size() < total);
        return body;
    }

    @GetMapping("/runs/{id}")
    RunView get(@PathVariable String id) {
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("Run", id);
        }
        return runs.find(runId).orElseThrow(() -> ApiException.notFound("Run", id));
    }
}
