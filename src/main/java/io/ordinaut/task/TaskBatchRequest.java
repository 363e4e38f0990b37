package io.ordinaut.task;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Many new tasks in one call. The OpenAPI description of the body of POST /tasks/batch; the controller
 * reads it with {@code JsonFields}, and each item exactly as POST /tasks reads its body.
 */
@Schema(name = "TaskBatchRequest", description = "Up to 1000 task bodies, each as POST /tasks takes it")
public record TaskBatchRequest(
        @ArraySchema(minItems = 1, maxItems = TaskController.MAX_BATCH,
                schema = @Schema(implementation = TaskCreateRequest.class)) List<TaskCreateRequest> tasks,
        @Schema(description = "All or nothing: when any item is invalid, none is created and the answer is 400; default false")
        Boolean atomic) {
}
