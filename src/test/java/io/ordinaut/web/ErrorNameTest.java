package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The error name of a status the API has no name of its own for is its reason phrase in CamelCase. */
class ErrorNameTest {

    @Test
    void statuses_the_web_server_answers_itself_get_camel_case_names() {
        assertThat(ErrorEndpoint.errorName(HttpStatus.HTTP_VERSION_NOT_SUPPORTED)).isEqualTo("HttpVersionNotSupported");
        assertThat(ErrorEndpoint.errorName(HttpStatus.URI_TOO_LONG)).isEqualTo("UriTooLong");
        assertThat(ErrorEndpoint.errorName(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)).isEqualTo("RequestHeaderFieldsTooLarge");
        assertThat(ErrorEndpoint.errorName(HttpStatus.NOT_IMPLEMENTED)).isEqualTo("NotImplemented");
        assertThat(ErrorEndpoint.errorName(HttpStatus.BAD_REQUEST)).isEqualTo("ValidationError");
    }
}
