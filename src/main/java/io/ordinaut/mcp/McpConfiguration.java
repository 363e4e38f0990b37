package io.ordinaut.mcp;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

import io.ordinaut.audit.AuditLog;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.web.Authenticator;

/** Mounts the MCP server at {@code /mcp} on the node's own port, beside the REST API. */
@Configuration(proxyBeanMethods = false)
class McpConfiguration {

    @Bean
    ServletRegistrationBean<McpEndpoint> mcpEndpoint(Authenticator authenticator, AuditLog audit, DispatcherServlet dispatcher,
                                                     ObjectProvider<BuildProperties> build, Clock clock, NodeProperties node) {
        BuildProperties info = build.getIfAvailable();
        OrdinautMcpServer server = new OrdinautMcpServer(new RestTwins(dispatcher), audit, info == null ? "dev" : info.getVersion());
        ServletRegistrationBean<McpEndpoint> registration = new ServletRegistrationBean<>(
                new McpEndpoint(authenticator, server, clock, node.publicUrl()), OrdinautMcpServer.ENDPOINT);
        registration.setName("mcp");
        registration.setAsyncSupported(true);
        return registration;
    }
}
