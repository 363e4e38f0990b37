package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Routes that take no body (task, run, agent and trigger actions, deletes) read the body a caller sends all
 * the same, by the rules of every other route: anything but JSON is a 415, a field is an unknown field (400),
 * and no body, an empty one or {@code {}} is accepted. A refused call changes nothing.
 */
class ActionBodiesTest extends NodeTestSupport {

    private static final String TASK = "{\"title\":\"t\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
            + "\"payload\":{\"pipeline\":[{\"id\":\"a\",\"uses\":\"noop.run\"}]}}";

    @Test
    void an_action_refuses_a_body_that_is_not_json_or_holds_fields_and_changes_nothing() {
        String task = api.post("/tasks", TASK).expect(201).string("id");
        String run = api.post("/tasks/" + task + "/run_now", "").expect(200).details().get("run_id").toString();
        String agent = api.post("/agents", Map.of("name", "bodies-" + task.substring(0, 8), "scopes", List.of())).expect(201).string("id");
        List<String> routes = List.of("/tasks/" + task + "/pause", "/tasks/" + task + "/resume", "/tasks/" + task + "/run_now",
                "/tasks/" + task + "/cancel", "/runs/" + run + "/cancel", "/runs/" + run + "/retry", "/agents/" + agent + "/credentials",
                "/admin/triggers/repair?dry_run=true", "/admin/scheduler/start");
        for (String route : routes) {
            Response text = api.postRaw(route, "hi", "text/plain");
            assertThat(text.status()).as("%s text/plain → %s", route, text.body()).isEqualTo(415);
            assertThat(text.get("error")).isEqualTo("UnsupportedMediaType");
            assertThat(api.postRaw(route, "hi", null).status()).as("%s without Content-Type", route).isEqualTo(415);
            Response field = api.postRaw(route, "{\"x\":1}", "application/json");
            assertThat(field.status()).as("%s {x:1} → %s", route, field.body()).isEqualTo(400);
            assertThat(field.details()).as(route).containsEntry("field", "x");
            assertThat(field.string("message")).as(route).startsWith("Unknown field x");
            assertThat(api.postRaw(route, "[]", "application/json").status()).as("%s []", route).isEqualTo(400);
            assertThat(api.postRaw(route, "{", "application/json").status()).as("%s {", route).isEqualTo(400);
        }
        assertThat(api.get("/tasks/" + task).expect(200).get("status")).as("refused calls changed nothing").isEqualTo("active");
        assertThat(api.method("DELETE", "/tasks/" + task).status()).isEqualTo(200);
        assertThat(api.get("/tasks/" + task).expect(200).get("status")).isEqualTo("canceled");
    }

    @Test
    void an_action_accepts_no_body_an_empty_one_or_an_empty_object() {
        String task = api.post("/tasks", TASK).expect(201).string("id");
        api.method("POST", "/tasks/" + task + "/pause").expect(200);
        api.postRaw("/tasks/" + task + "/resume", "", "application/json").expect(200);
        api.postRaw("/tasks/" + task + "/pause", "", "text/plain").expect(200);
        api.post("/tasks/" + task + "/resume", "{}").expect(200);
        api.post("/tasks/" + task + "/pause", " { } \n").expect(200);
        api.postRaw("/tasks/" + task + "/resume", "{}", "application/json; charset=utf-8").expect(200);
        assertThat(api.get("/tasks/" + task).expect(200).get("status")).isEqualTo("active");
        api.post("/agents/" + api.post("/agents", Map.of("name", "empty-" + task.substring(0, 8))).expect(201).string("id")
                + "/credentials", "{}").expect(200);
        // snooze has a body of its own and keeps its rules
        assertThat(api.postRaw("/tasks/" + task + "/snooze", "hi", "text/plain").status()).isEqualTo(415);
        assertThat(api.post("/tasks/" + task + "/snooze", "{\"delay_seconds\":60,\"x\":1}").expect(400).details()).containsEntry("field", "x");
    }

    @Test
    void form_and_multipart_bodies_are_refused_too_though_spring_reads_them_first_and_nothing_is_deleted() {
        String task = api.post("/tasks", TASK).expect(201).string("id");
        String agent = api.post("/agents", Map.of("name", "forms-" + task.substring(0, 8), "scopes", List.of())).expect(201).string("id");
        api.post("/tools", Map.of("address", "forms.tool", "transport", "http", "endpoint", "https://tools.example/forms")).expect(201);
        String multipart = "multipart/form-data; boundary=XYZ";
        String part = "--XYZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--XYZ--\r\n";
        for (String route : List.of("/tasks/" + task, "/agents/" + agent, "/tools/forms.tool")) {
            // curl -X DELETE -d '{}' sends a form: Spring's FormContentFilter reads DELETE forms into parameters
            Response form = api.sendRaw("DELETE", route, "{}", "application/x-www-form-urlencoded");
            assertThat(form.status()).as("DELETE %s form → %s", route, form.body()).isEqualTo(415);
            assertThat(api.sendRaw("DELETE", route, "a=1", "application/x-www-form-urlencoded").status()).as(route).isEqualTo(415);
            assertThat(api.sendRaw("DELETE", route, part, multipart).status()).as("DELETE %s multipart", route).isEqualTo(415);
        }
        for (String route : List.of("/tasks/" + task + "/run_now", "/tasks/" + task + "/pause", "/agents/" + agent + "/credentials")) {
            Response parts = api.postRaw(route, part, multipart);
            assertThat(parts.status()).as("%s multipart → %s", route, parts.body()).isEqualTo(415);
            assertThat(api.postRaw(route, "a=1", "application/x-www-form-urlencoded").status()).as(route).isEqualTo(415);
        }
        assertThat(api.get("/tasks/" + task).expect(200).get("status")).as("refused calls changed nothing").isEqualTo("active");
        assertThat(api.get("/runs?task_id=" + task).expect(200).get("total")).isEqualTo(0);
        api.get("/agents/" + agent).expect(200);
        api.get("/tools/forms.tool").expect(200);
        // an empty form is no body
        api.sendRaw("DELETE", "/tools/forms.tool", "", "application/x-www-form-urlencoded").expect(200);
    }
}
