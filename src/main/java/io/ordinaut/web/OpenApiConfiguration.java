package io.ordinaut.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description (/v3/api-docs): bearer authentication, so Swagger UI's "Authorize" works. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI ordinautOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties info = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info().title("Ordinaut").version(info == null ? "dev" : info.getVersion())
                        .description("Clustered task scheduler for AI agents. Every route except /health* and the "
                                + "/agents/auth/* token endpoints needs a bearer token."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
