package io.ordinaut.task;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A schedule to preview without creating a task.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "SchedulePreviewRequest", description = "A schedule to preview without creating a task")
public record SchedulePreviewRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"cron", "rrule", "once", "interval", "event"}, description = "How schedule_expr is read") String scheduleKind,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The schedule expression, as on a task", maxLength = 10000, example = "FREQ=DAILY;BYHOUR=2;BYMINUTE=30") String scheduleExpr,
        @Schema(description = "IANA time zone; default UTC", maxLength = 100, example = "America/New_York") String timezone,
        @Schema(description = "How many occurrences; default 10", minimum = "1", maximum = "1000") Integer count,
        @Schema(description = "List occurrences after this instant; default now", format = "date-time") String after,
        @Schema(description = "No occurrence before this instant", format = "date-time") String startAt,
        @Schema(description = "No occurrence after this instant", format = "date-time") String endAt) {
}
