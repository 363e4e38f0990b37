package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Requests Tomcat refuses before any filter or servlet runs are answered with the error JSON, not Tomcat's
 * HTML page; an encoded slash inside one path segment reaches the route as part of its variable (event ids
 * may contain '/') without opening the actuator; /error asked for directly is a JSON 404.
 */
// Every call comes from 127.0.0.1, and many are refused on purpose.
@TestPropertySource(properties = "ordinaut.security.unauthenticated-burst=10000")
class MalformedRequestsTest extends NodeTestSupport {

    private static final List<String> FIELDS = List.of("error", "message", "details", "request_id", "timestamp");

    @Test
    void urls_tomcat_cannot_decode_or_normalise_answer_the_error_json_whatever_the_accept_header() {
        for (String path : List.of("/tasks/%ff", "/tools/%00", "/console/..%2ftasks", "/console/..%2f..%2fapplication.yaml",
                "/tasks/%2e%2e%2f%2e%2e%2fagents")) {
            for (Api client : List.of(api, api.as(null))) {
                Response r = client.get(path);
                assertThat(r.status()).as("%s → %s", path, r.body()).isBetween(400, 404);
                assertThat(r.header("Content-Type")).as(path).startsWith("application/json");
                assertThat(r.map()).as(path).containsOnlyKeys(FIELDS);
                assertThat(r.string("request_id")).as(path).isNotBlank();
                assertThat(r.header("X-Request-Id")).as(path).isEqualTo(r.string("request_id"));
                assertThat(r.body()).as(path).doesNotContain("<html").doesNotContain("Apache Tomcat").doesNotContain("spring:");
            }
        }
        Response decoding = api.get("/tasks/%ff");
        assertThat(decoding.status()).isEqualTo(400);
        assertThat(decoding.get("error")).isEqualTo("ValidationError");
    }

    @Test
    void an_event_id_with_a_slash_is_found_by_its_owner_with_the_slash_encoded() {
        AgentApi owner = api.newAgent(Scopes.EVENTS_PUBLISH);
        AgentApi other = api.newAgent(Scopes.EVENTS_PUBLISH);
        String eventId = "shop/o-17-" + UUID.randomUUID().toString().substring(0, 8);
        owner.api().post("/events", Map.of("topic", "shop.orders", "event_id", eventId, "payload", Map.of("order", 17)))
                .expect(202);

        Response found = owner.api().get("/events/" + eventId.replace("/", "%2F")).expect(200);
        assertThat(found.get("event_id")).isEqualTo(eventId);
        assertThat(owner.api().get("/events/" + eventId.replace("/", "%2f")).expect(200).get("event_id")).isEqualTo(eventId);
        Response foreign = other.api().get("/events/" + eventId.replace("/", "%2F"));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.map()).containsOnlyKeys(FIELDS);
        assertThat(api.as(null).get("/events/" + eventId.replace("/", "%2F")).status()).isEqualTo(401);
        // the slash as a separator is another path, which no route has
        assertThat(owner.api().get("/events/" + eventId).status()).isEqualTo(404);
    }

    @Test
    void an_encoded_slash_does_not_open_the_actuator() {
        for (String path : List.of("/actuator%2Fprometheus", "/actuator%2fprometheus", "/actuator%2Fhealth%2Fliveness%2F..%2F..%2Fprometheus")) {
            Response anonymous = api.as(null).get(path);
            assertThat(anonymous.status()).as("anonymous %s", path).isIn(400, 401, 404);
            assertThat(anonymous.map()).as(path).containsOnlyKeys(FIELDS);
            assertThat(anonymous.body()).doesNotContain("jvm_");
            Response agent = api.newAgent(Scopes.TASKS_READ).api().get(path);
            assertThat(agent.status()).as("non-admin %s", path).isIn(400, 403, 404);
            assertThat(agent.body()).doesNotContain("jvm_");
        }
        assertThat(api.as(null).get("/actuator%2Fprometheus").status()).isEqualTo(401);
    }

    @Test
    void error_asked_for_directly_is_a_json_404() {
        for (Api client : List.of(api, api.as(null))) {
            Response r = client.get("/error");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.map()).containsOnlyKeys(FIELDS);
            assertThat(r.get("error")).isEqualTo("NotFound");
        }
        assertThat(api.method("POST", "/error").status()).isEqualTo(404);
    }
}
