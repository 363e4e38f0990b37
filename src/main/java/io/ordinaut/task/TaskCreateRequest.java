package io.ordinaut.task;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A new task: what to run (payload) and when (schedule_kind, schedule_expr, timezone).
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TaskCreateRequest", description = "A new task: what to run (payload) and when (schedule_kind, schedule_expr, timezone)")
public record TaskCreateRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Short name of the task", minLength = 1, maxLength = 200, example = "Morning briefing") String title,
        @Schema(description = "What the task is for", maxLength = 2000) String description,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "How schedule_expr is read", allowableValues = {"cron", "rrule", "once", "interval", "event"}) String scheduleKind,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "5-field cron, RFC 5545 RRULE (or RRULE/RDATE/EXDATE lines), ISO-8601 instant, ISO-8601 duration, or event topic", maxLength = 10000, example = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0") String scheduleExpr,
        @Schema(description = "IANA time zone the schedule is read in (default UTC)", maxLength = 100, example = "Europe/Chisinau") String timezone,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The work: {\"params\": {...}, \"pipeline\": [{\"id\", \"uses\", \"with\", \"save_as\", ...}]}; see docs/api.md",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE, example = "{\"params\": {\"city\": \"Chisinau\"}, \"pipeline\": [{\"id\": \"weather\", \"uses\": \"weather-mcp.forecast\", \"with\": {\"city\": \"Chisinau\"}}]}") Map<String, Object> payload,
        @Schema(description = "1 (highest) to 9 (lowest); default 5", minimum = "1", maximum = "9") Integer priority,
        @Schema(description = "Retries of a failed run; default 3", minimum = "0", maximum = "10") Integer maxRetries,
        @Schema(description = "Delay between retries; default exponential_jitter", allowableValues = {"exponential_jitter", "linear", "fixed"}) String backoffStrategy,
        @Schema(description = "Runs with the same key within dedupe_window_seconds are enqueued once", maxLength = 200) String dedupeKey,
        @Schema(description = "Window of dedupe_key, in seconds", minimum = "0", maximum = "31622400") Integer dedupeWindowSeconds,
        @Schema(description = "Runs sharing this key across tasks run at most concurrency_limit at a time", maxLength = 200) String concurrencyKey,
        @Schema(description = "Owner agent; honoured for admins only (anyone else owns what they create)", format = "uuid") String createdBy,
        @Schema(description = "How late an occurrence may still run (one catch-up run); default 3600", minimum = "0", maximum = "31622400") Integer misfireGraceSeconds,
        @Schema(description = "Random delay added to each occurrence; default 0", minimum = "0", maximum = "86400") Integer jitterSeconds,
        @Schema(description = "No occurrence before this instant", format = "date-time") String startAt,
        @Schema(description = "No occurrence after this instant", format = "date-time") String endAt,
        @Schema(description = "When an occurrence comes while a run of the task is still running; default skip", allowableValues = {"skip", "queue", "allow"}) String overlapPolicy,
        @Schema(description = "A run still going after this many seconds fails (retryable)", minimum = "1", maximum = "604800") Integer runTimeoutSeconds,
        @Schema(description = "Runs of this task (or of its concurrency_key) at once; default 1", minimum = "1", maximum = "10000") Integer concurrencyLimit) {
}
