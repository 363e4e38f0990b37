package io.ordinaut.schedule;

/**
 * A schedule the user must fix. {@link #field()} names the request field at fault so the API can
 * point at it; the message is a sentence the user can act on.
 */
public final class InvalidScheduleException extends RuntimeException {

    static final String SCHEDULE_EXPR = "schedule_expr";
    static final String TIMEZONE = "timezone";
    static final String SCHEDULE_KIND = "schedule_kind";
    static final String START_AT = "start_at";
    static final String END_AT = "end_at";

    private final String field;

    public InvalidScheduleException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** One of "schedule_expr", "timezone", "schedule_kind", "start_at" or "end_at". */
    public String field() {
        return field;
    }

    static InvalidScheduleException expression(String message) {
        return new InvalidScheduleException(SCHEDULE_EXPR, message);
    }
}
