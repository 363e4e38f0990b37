package io.ordinaut.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The list envelope every collection endpoint answers with. */
public final class PageBody {

    private PageBody() {
    }

    public static Map<String, Object> of(List<?> items, long total, int limit, int offset) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("total", total);
        body.put("limit", limit);
        body.put("offset", offset);
        body.put("has_more", offset + items.size() < total);
        return body;
    }
}
