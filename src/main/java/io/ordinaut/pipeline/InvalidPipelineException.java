package io.ordinaut.pipeline;

import io.ordinaut.InvalidInputException;

/**
 * A task payload that cannot become a pipeline. Raised when the task is created so that an accepted
 * task never fails later for a reason already visible then.
 */
public class InvalidPipelineException extends InvalidInputException {

    private final String reason;

    /** @param field where the problem is, e.g. {@code payload.pipeline[2].with.city} */
    public InvalidPipelineException(String field, String reason) {
        super(field, field + ": " + reason);
        this.reason = reason;
    }

    /** What is wrong, without the field. */
    public String reason() {
        return reason;
    }
}
