package io.ordinaut.task;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A partial update of a task: only the fields present change; JSON null resets an optional field to its default.
 * A changed schedule re-plans the next occurrence. The optional fields are {@code nullable} in the schema, so that
 * a client validating against it (or an MCP client against update_task's input schema) may send that null.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TaskUpdateRequest", description = "A partial update of a task: only the fields present change; JSON null resets an optional field to its default (null for title, schedule_kind, schedule_expr, payload or created_by is a 400)")
public record TaskUpdateRequest(
        @Schema(description = "Short name of the task", minLength = 1, maxLength = 200) String title,
        @Schema(nullable = true, description = "What the task is for", maxLength = 2000) String description,
        @Schema(description = "How schedule_expr is read", allowableValues = {"cron", "rrule", "once", "interval", "event"}) String scheduleKind,
        @Schema(description = "5-field cron, RFC 5545 RRULE (or RRULE/RDATE/EXDATE lines), ISO-8601 instant, ISO-8601 duration, or event topic", maxLength = 10000, example = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0") String scheduleExpr,
        @Schema(nullable = true, description = "IANA time zone the schedule is read in (default UTC)", maxLength = 100, example = "Europe/Chisinau") String timezone,
        @Schema(description = "The work: {\"params\": {...}, \"pipeline\": [{\"id\", \"uses\", \"with\", \"save_as\", ...}]}; see docs/api.md",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE, example = "{\"params\": {\"city\": \"Chisinau\"}, \"pipeline\": [{\"id\": \"weather\", \"uses\": \"weather-mcp.forecast\", \"with\": {\"city\": \"Chisinau\"}}]}") Map<String, Object> payload,
        @Schema(nullable = true, description = "1 (highest) to 9 (lowest); default 5", minimum = "1", maximum = "9") Integer priority,
        @Schema(nullable = true, description = "Retries of a failed run; default 3", minimum = "0", maximum = "10") Integer maxRetries,
        @Schema(nullable = true, description = "Delay between retries; default exponential_jitter", allowableValues = {"exponential_jitter", "linear", "fixed"}) String backoffStrategy,
        @Schema(nullable = true, description = "Runs with the same key within dedupe_window_seconds are enqueued once", maxLength = 200) String dedupeKey,
        @Schema(nullable = true, description = "Window of dedupe_key, in seconds", minimum = "0", maximum = "31622400") Integer dedupeWindowSeconds,
        @Schema(nullable = true, description = "Runs sharing this key across tasks run at most concurrency_limit at a time", maxLength = 200) String concurrencyKey,
        @Schema(description = "Owner agent; honoured for admins only (anyone else owns what they create)", format = "uuid") String createdBy,
        @Schema(nullable = true, description = "How late an occurrence may still run (one catch-up run); default 3600", minimum = "0", maximum = "31622400") Integer misfireGraceSeconds,
        @Schema(nullable = true, description = "Random delay added to each occurrence; default 0", minimum = "0", maximum = "86400") Integer jitterSeconds,
        @Schema(nullable = true, description = "No occurrence before this instant", format = "date-time") String startAt,
        @Schema(nullable = true, description = "No occurrence after this instant", format = "date-time") String endAt,
        @Schema(nullable = true, description = "When an occurrence comes while a run of the task is still running; default skip", allowableValues = {"skip", "queue", "allow"}) String overlapPolicy,
        @Schema(nullable = true, description = "A run still going after this many seconds fails (retryable)", minimum = "1", maximum = "604800") Integer runTimeoutSeconds,
        @Schema(nullable = true, description = "Runs of this task (or of its concurrency_key) at once; default 1", minimum = "1", maximum = "10000") Integer concurrencyLimit) {
}
