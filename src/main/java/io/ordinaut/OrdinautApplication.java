package io.ordinaut;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import io.ordinaut.config.EmbeddedPostgresLauncher;

@SpringBootApplication
@ConfigurationPropertiesScan
public class OrdinautApplication {

    public static void main(String[] args) {
        if (!EmbeddedPostgresLauncher.prepare(args)) {
            System.exit(EmbeddedPostgresLauncher.EXIT_NO_DATABASE);
        }
        SpringApplication.run(OrdinautApplication.class, args);
    }
}
