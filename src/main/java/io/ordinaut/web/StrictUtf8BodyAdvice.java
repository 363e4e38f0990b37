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
 * whole costs no more than the parser's own buffering. UTF-16 and UTF-32, which the parser detects by their zero bytes or
 * byte order mark (as {@code /mcp} does), are left to it.
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
        if (unicodeOtherThanUtf8(body)) {
            return replay(message.getHeaders(), body); // the parser detects and reads UTF-16 and UTF-32 itself
        }
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
        return replay(message.getHeaders(), body);
    }

    /**
     * What JSON's parser takes for UTF-16 or UTF-32, as RFC 4627 §3 tells them apart: a byte order mark, or a zero byte
     * among the first two (JSON text starts with an ASCII character). A UTF-8 body never has either.
     */
    private static boolean unicodeOtherThanUtf8(byte[] body) {
        if (body.length < 2) {
            return false;
        }
        int first = body[0] & 0xFF;
        int second = body[1] & 0xFF;
        return first == 0 || second == 0 || first == 0xFE && second == 0xFF || first == 0xFF && second == 0xFE;
    }

    private static HttpInputMessage replay(HttpHeaders headers, byte[] body) {
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
