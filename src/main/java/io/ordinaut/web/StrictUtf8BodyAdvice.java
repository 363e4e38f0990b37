package io.ordinaut.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

import io.ordinaut.StrictUtf8;

/**
 * Refuses a UTF-8 request body holding bytes that are not UTF-8 before the JSON parser reads it: the parser lets
 * overlong forms ({@code C0 BF}) and encoded surrogates through, and what it made of them was stored as '?'. A body
 * declared in another charset is left to that charset. Bodies are at most {@code max-body-bytes}, so reading one
 * whole costs no more than the parser's own buffering.
 */
@ControllerAdvice
class StrictUtf8BodyAdvice extends RequestBodyAdviceAdapter {

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
                                           Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        MediaType type = message.getHeaders().getContentType();
        Charset charset = type == null ? null : type.getCharset();
        if (charset != null && !StandardCharsets.UTF_8.equals(charset)) {
            return message;
        }
        byte[] body = message.getBody().readAllBytes();
        try {
            StrictUtf8.decode(body);
        } catch (StrictUtf8.NotUtf8 e) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("field", "body");
            details.put("line", e.line());
            details.put("column", e.column());
            throw new ApiException(HttpStatus.BAD_REQUEST, "ValidationError",
                    JsonSyntaxErrors.SUBJECT + " is not valid JSON: bytes that are not UTF-8" + e.at(), details);
        }
        HttpHeaders headers = message.getHeaders();
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }
}
