package io.ordinaut.schedule;

import io.ordinaut.InvalidInputException;

/**
 * A schedule the user must fix. {@link #field()} names the request field at fault so the API can
 * point at it; the message is a sentence the user can act on.
 */
public final class InvalidScheduleException extends InvalidInputException {

    static final String SCHEDULE_EXPR = "schedule_expr";
    static final String TIMEZONE = "timezone";
    static final String SCHEDULE_KIND = "schedule_kind";
    static final String START_AT = "start_at";
    static final String END_AT = "end_at";

    /** @param field one of "schedule_expr", "timezone", "schedule_kind", "start_at" or "end_at" */
    public InvalidScheduleException(String field, String message) {
        super(field, message);
    }

    static InvalidScheduleException expression(String message) {
        return new InvalidScheduleException(SCHEDULE_EXPR, message);
    }
}
