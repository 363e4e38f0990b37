package io.ordinaut.tool;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;

/** A node allowed to call loopback tools, a real HTTP server for them ({@link #http}), and an empty catalog before each test. */
@TestPropertySource(properties = "ordinaut.tools.allow-loopback=true")
abstract class ToolServerTestSupport extends NodeTestSupport {

    static TestHttpServer http;

    @BeforeAll
    static void startToolServer() throws Exception {
        http = new TestHttpServer();
    }

    @AfterAll
    static void stopToolServer() {
        http.close();
    }

    @BeforeEach
    void emptyCatalog() {
        ToolRuns.clearTools(api);
    }
}
