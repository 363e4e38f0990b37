package io.ordinaut;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import io.ordinaut.config.EmbeddedPostgresLauncher;

@SpringBootApplication
@ConfigurationPropertiesScan
public class OrdinautApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(OrdinautApplication.class);
        if (!EmbeddedPostgresLauncher.install(application, args)) {
            System.exit(EmbeddedPostgresLauncher.EXIT_NO_DATABASE);
        }
        application.run(args);
    }
}
