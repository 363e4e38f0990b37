package io.ordinaut.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.trigger.QuartzAdmin;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * The cluster's Quartz triggers: list, one with its next fire times, pause and resume, and the repair of
 * triggers that disagree with the schedule table. In per-schedule mode a trigger fires one shared schedule
 * (every task on it); in windows mode a window trigger fires every schedule of its group — pausing one
 * pauses all of them, and the answer says how many.
 */
@RestController
@Tag(name = "admin")
@RequiresScope(Scopes.ADMIN)
class TriggerController {

    static final int NEXT_FIRE_TIMES = 10;

    private final TriggerViews views;
    private final TriggerRepair repair;
    private final QuartzAdmin quartz;

    TriggerController(TriggerViews views, TriggerRepair repair, QuartzAdmin quartz) {
        this.views = views;
        this.repair = repair;
        this.quartz = quartz;
    }

    @GetMapping("/admin/triggers")
    @Parameter(name = "state", in = ParameterIn.QUERY, description = "Only triggers in this state (WAITING, ACQUIRED, EXECUTING, BLOCKED, PAUSED, ERROR, COMPLETE)", schema = @Schema(type = "string"))
    @Parameter(name = "task_id", in = ParameterIn.QUERY, description = "Only the trigger that fires this task", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "schedule_id", in = ParameterIn.QUERY, description = "Only the trigger that fires this shared schedule", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listTriggers", summary = "List the cluster's Quartz triggers with what they fire")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query) {
        QueryParams q = QueryParams.of(query);
        String state = q.string("state");
        if (state != null) {
            state = state.toUpperCase(Locale.ROOT);
            if (!TriggerViews.STATES.contains(state)) {
                throw ApiException.badRequest("state", "state must be one of " + String.join(", ", TriggerViews.STATES)
                        + " (got \"" + q.string("state") + "\")");
            }
        }
        TriggerViews.Filter filter = new TriggerViews.Filter(state, q.uuid("task_id"), q.uuid("schedule_id"), null);
        int limit = q.integer("limit", 1, 1000, 50);
        int offset = q.offset();
        List<Map<String, Object>> items = views.page(filter, limit, offset);
        return PageBody.of(items, views.count(filter), limit, offset);
    }

    @GetMapping("/admin/triggers/{key}")
    @Operation(operationId = "getTrigger", summary = "One Quartz trigger with its next 10 fire times")
    Map<String, Object> get(@PathVariable String key) {
        TriggerKeys.Key parsed = parse(key);
        Map<String, Object> view = views.one(parsed).orElseThrow(() -> ApiException.notFound("Trigger", key));
        List<Instant> next = quartz.nextFireTimes(parsed.group(), parsed.name(), NEXT_FIRE_TIMES)
                .orElseThrow(() -> ApiException.notFound("Trigger", key));
        view.put("next_fire_times", next);
        return view;
    }

    @PostMapping("/admin/triggers/{key}/pause")
    @Operation(operationId = "pauseTrigger", summary = "Pause a Quartz trigger and so every task it fires")
    Map<String, Object> pause(@PathVariable String key) {
        TriggerKeys.Key parsed = parse(key);
        if (!quartz.pause(parsed.group(), parsed.name())) {
            throw ApiException.notFound("Trigger", key);
        }
        return action(parsed, key, "Paused");
    }

    @PostMapping("/admin/triggers/{key}/resume")
    @Operation(operationId = "resumeTrigger", summary = "Resume a paused Quartz trigger")
    Map<String, Object> resume(@PathVariable String key) {
        TriggerKeys.Key parsed = parse(key);
        if (!quartz.resume(parsed.group(), parsed.name())) {
            throw ApiException.notFound("Trigger", key);
        }
        return action(parsed, key, "Resumed");
    }

    @PostMapping("/admin/triggers/repair")
    @Parameter(name = "dry_run", in = ParameterIn.QUERY, description = "Only report what would be fixed (default false)", schema = @Schema(type = "boolean"))
    @Operation(operationId = "repairTriggers", summary = "Find and fix triggers that disagree with the shared schedules")
    Map<String, Object> repair(@RequestParam MultiValueMap<String, String> query) {
        return repair.repair(Boolean.TRUE.equals(QueryParams.of(query).bool("dry_run")));
    }

    private Map<String, Object> action(TriggerKeys.Key parsed, String key, String verb) {
        Map<String, Object> view = views.one(parsed).orElseThrow(() -> ApiException.notFound("Trigger", key));
        Object tasks = view.get("tasks");
        Object schedules = view.get("schedules");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key", view.get("key"));
        details.put("kind", view.get("kind"));
        details.put("state", view.get("state"));
        details.put("schedules_affected", schedules);
        details.put("tasks_affected", tasks);
        details.put("trigger", view);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", verb + " trigger " + view.get("key") + ": " + tasks + " task(s) on " + schedules + " schedule(s) "
                + ("Paused".equals(verb) ? "no longer fire" : "fire again"));
        body.put("details", details);
        return body;
    }

    private static TriggerKeys.Key parse(String key) {
        return TriggerKeys.parse(key).orElseThrow(() -> ApiException.notFound("Trigger", key));
    }
}
