package io.ordinaut.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole Ordinaut node (REST, Quartz, executors) on a real port, on a database of its own for each
 * test class; the context is closed after the class so no scheduler outlives its tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class NodeTestSupport {

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected Api api;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestDatabases.create();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", TestDatabases::user);
        registry.add("spring.datasource.password", TestDatabases::password);
        registry.add("ordinaut.security.admin-token", () -> Api.ADMIN_TOKEN);
    }

    @BeforeEach
    void client() {
        api = new Api(port);
    }
}
