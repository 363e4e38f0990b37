package io.ordinaut.web;

import java.util.List;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.JsonSyntax;

/**
 * The application's JSON mapper (request bodies, stored payloads), built like Spring Boot's but on a
 * parser with tight limits, so a hostile body fails fast while parsing — as a 400 — instead of costing
 * memory, stack or time later: no nesting deeper than {@value #MAX_DEPTH}, no number longer than
 * {@value #MAX_NUMBER_LENGTH} characters, no key longer than {@value #MAX_NAME_LENGTH}, and no object that
 * names a key twice (which one would win is a guess a caller should not have to make).
 */
@Configuration(proxyBeanMethods = false)
class JsonConfiguration {

    // The limits live beside the words that name them (JsonSyntax), which the inbound stream's payloads use too.
    static final int MAX_DEPTH = JsonSyntax.MAX_DEPTH;
    static final int MAX_NUMBER_LENGTH = JsonSyntax.MAX_NUMBER_LENGTH;
    static final int MAX_NAME_LENGTH = JsonSyntax.MAX_NAME_LENGTH;
    static final int MAX_STRING_LENGTH = JsonSyntax.MAX_STRING_LENGTH;

    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    JsonMapper.Builder jsonMapperBuilder(List<JsonMapperBuilderCustomizer> customizers) {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .build();
        JsonMapper.Builder builder = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits).build());
        customizers.forEach(customizer -> customizer.customize(builder));
        return builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }
}
