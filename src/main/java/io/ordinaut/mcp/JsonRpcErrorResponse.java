package io.ordinaut.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * The response handed to the SDK's transport, as a safety net for its error paths that {@link McpRequestCheck}
 * does not forestall: an error body it writes (status 400 or more) is its McpError exception serialized,
 * stack trace and all, and a {@code sendError} would bring the container's error page. Both are held back
 * here and {@link #finish() finished} as a JSON-RPC error keeping the SDK's code and message. Answers
 * under 400 pass straight through.
 */
final class JsonRpcErrorResponse extends HttpServletResponseWrapper {

    private final Object id;
    private int status = SC_OK;
    private boolean sentError;
    private String sentMessage;
    private ByteArrayOutputStream held;
    private PrintWriter writer;

    /** @param id the request's id, echoed in the error */
    JsonRpcErrorResponse(HttpServletResponse response, Object id) {
        super(response);
        this.id = id;
    }

    private boolean holding() {
        return status >= 400;
    }

    @Override
    public void setStatus(int sc) {
        status = sc;
        super.setStatus(sc);
    }

    @Override
    public void sendError(int sc) {
        sendError(sc, null);
    }

    @Override
    public void sendError(int sc, String msg) {
        setStatus(sc);
        sentError = true;
        sentMessage = msg;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (!holding()) {
            return super.getOutputStream();
        }
        ByteArrayOutputStream buffer = heldBody();
        return new ServletOutputStream() {
            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException("an error body is held back, not streamed");
            }
        };
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (!holding()) {
            return super.getWriter();
        }
        if (writer == null) {
            writer = new PrintWriter(new OutputStreamWriter(heldBody(), StandardCharsets.UTF_8));
        }
        return writer;
    }

    private ByteArrayOutputStream heldBody() {
        if (held == null) {
            held = new ByteArrayOutputStream();
        }
        return held;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (!holding()) {
            super.flushBuffer();
        }
    }

    /** Writes the held error, if any, as a JSON-RPC error; the error that went out, or null. */
    JsonRpcError finish() throws IOException {
        if (!holding() && !sentError || isCommitted()) {
            return null;
        }
        if (writer != null) {
            writer.flush();
        }
        JsonRpcError error = sentError ? new JsonRpcError(status, codeFor(status), sentMessage == null ? reason(status) : sentMessage, id)
                : fromSdkBody(held == null ? new byte[0] : held.toByteArray());
        HttpServletResponse response = (HttpServletResponse) getResponse();
        response.resetBuffer();
        error.writeTo(response);
        return error;
    }

    /** The SDK's body: an McpError serialized ({@code jsonRpcError} holds code and message), or anything else. */
    private JsonRpcError fromSdkBody(byte[] body) {
        Object code = null;
        Object message = null;
        try {
            if (Jsons.parse(body) instanceof Map<?, ?> parsed) {
                Object inner = parsed.get("jsonRpcError") instanceof Map<?, ?> e ? e : parsed.get("error");
                if (inner instanceof Map<?, ?> e) {
                    code = e.get("code");
                    message = e.get("message");
                }
            }
        } catch (RuntimeException notJson) {
            // neither: the status alone says what went wrong
        }
        return new JsonRpcError(status, code instanceof Number n ? n.intValue() : codeFor(status),
                message instanceof String m && !m.isBlank() ? m : reason(status), id);
    }

    private static int codeFor(int status) {
        return status >= 500 ? JsonRpcError.INTERNAL_ERROR : JsonRpcError.INVALID_REQUEST;
    }

    private static String reason(int status) {
        return switch (status) {
            case SC_NOT_FOUND -> "Not found";
            case SC_REQUEST_ENTITY_TOO_LARGE -> "Request body too large";
            case SC_SERVICE_UNAVAILABLE -> "Service unavailable";
            case SC_INTERNAL_SERVER_ERROR -> "Internal error";
            default -> "HTTP " + status;
        };
    }
}
