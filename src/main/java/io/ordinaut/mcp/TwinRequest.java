package io.ordinaut.mcp;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.MappingMatch;

/**
 * The REST request an MCP tool call stands for, on top of the MCP HTTP request it arrived in: its own
 * method, path, query and JSON body, and its own attributes (so what the MVC layer attaches to it stays
 * with this call), while the caller's headers (Authorization, forwarding, request id) and the socket
 * stay those of the real request.
 */
final class TwinRequest extends HttpServletRequestWrapper {

    /** Headers of the MCP request that say nothing about the REST request and must not leak into it. */
    private static final Set<String> REPLACED_HEADERS = Set.of("content-type", "content-length", "accept",
            "mcp-session-id", "mcp-protocol-version", "last-event-id");
    private static final Object REMOVED = new Object();

    private final String method;
    private final String path;
    private final Map<String, String[]> query;
    private final byte[] body;
    private final Map<String, Object> attributes = new HashMap<>();

    TwinRequest(HttpServletRequest original, String method, String path, Map<String, String> query, byte[] body) {
        super(original);
        this.method = method;
        this.path = path;
        Map<String, String[]> parameters = new LinkedHashMap<>();
        query.forEach((name, value) -> parameters.put(name, new String[]{value}));
        this.query = Collections.unmodifiableMap(parameters);
        this.body = body;
    }

    @Override
    public String getMethod() {
        return method;
    }

    @Override
    public String getRequestURI() {
        return path;
    }

    @Override
    public StringBuffer getRequestURL() {
        StringBuffer url = new StringBuffer(getScheme()).append("://").append(getServerName());
        if (getServerPort() > 0) {
            url.append(':').append(getServerPort());
        }
        return url.append(path);
    }

    @Override
    public String getContextPath() {
        return "";
    }

    @Override
    public String getServletPath() {
        return path;
    }

    @Override
    public String getPathInfo() {
        return null;
    }

    @Override
    public String getPathTranslated() {
        return null;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return new HttpServletMapping() {
            public String getMatchValue() {
                return "";
            }

            public String getPattern() {
                return "/";
            }

            public String getServletName() {
                return "dispatcherServlet";
            }

            public MappingMatch getMappingMatch() {
                return MappingMatch.DEFAULT;
            }
        };
    }

    @Override
    public DispatcherType getDispatcherType() {
        return DispatcherType.REQUEST;
    }

    @Override
    public String getQueryString() {
        if (query.isEmpty()) {
            return null;
        }
        return query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()[0]))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String getParameter(String name) {
        String[] values = query.get(name);
        return values == null ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return query;
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(query.keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        return query.get(name);
    }

    @Override
    public String getContentType() {
        return body == null ? null : "application/json";
    }

    @Override
    public int getContentLength() {
        return body == null ? -1 : body.length;
    }

    @Override
    public long getContentLengthLong() {
        return getContentLength();
    }

    @Override
    public String getCharacterEncoding() {
        return StandardCharsets.UTF_8.name();
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body == null ? new byte[0] : body);
        return new ServletInputStream() {
            public boolean isFinished() {
                return in.available() == 0;
            }

            public boolean isReady() {
                return true;
            }

            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException("blocking reads only");
            }

            public int read() {
                return in.read();
            }

            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }

    @Override
    public String getHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "content-type" -> getContentType();
            case "content-length" -> body == null ? null : Integer.toString(body.length);
            case "accept" -> "application/json";
            default -> REPLACED_HEADERS.contains(lower) ? null : super.getHeader(name);
        };
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        String value = getHeader(name);
        if (REPLACED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            return Collections.enumeration(value == null ? List.of() : List.of(value));
        }
        return super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = new ArrayList<>();
        for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
            String name = e.nextElement();
            if (!REPLACED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        names.add("Accept");
        if (body != null) {
            names.add("Content-Type");
            names.add("Content-Length");
        }
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value);
    }

    @Override
    public Object getAttribute(String name) {
        Object value = attributes.get(name);
        if (value == REMOVED) {
            return null;
        }
        return value != null ? value : super.getAttribute(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        List<String> names = new ArrayList<>();
        for (Enumeration<String> e = super.getAttributeNames(); e.hasMoreElements(); ) {
            String name = e.nextElement();
            if (!attributes.containsKey(name)) {
                names.add(name);
            }
        }
        attributes.forEach((name, value) -> {
            if (value != REMOVED) {
                names.add(name);
            }
        });
        return Collections.enumeration(names);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value == null ? REMOVED : value);
    }

    @Override
    public void removeAttribute(String name) {
        attributes.put(name, REMOVED);
    }

    @Override
    public boolean isAsyncStarted() {
        return false;
    }

    @Override
    public boolean isAsyncSupported() {
        return false;
    }
}
