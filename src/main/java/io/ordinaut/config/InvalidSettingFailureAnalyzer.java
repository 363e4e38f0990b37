package io.ordinaut.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Reports a bad {@code ordinaut.*} setting as one line naming the variable, the property, the value as given and
 * what is accepted — an {@link InvalidSettingException}, or a value Spring could not convert to the setting's type
 * (a number, a duration, true or false) — instead of Spring's several-line bind report. Registered in
 * META-INF/spring.factories, ahead of Spring's own analyzers.
 */
class InvalidSettingFailureAnalyzer implements FailureAnalyzer, Ordered {

    /** application.yaml reads the documented variables as {@code ${ORDINAUT_ROLES:…}}. */
    private static final Pattern VARIABLE = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    /** Null when the node failed before its context existed. */
    private final Environment environment;

    InvalidSettingFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        InvalidSettingException invalid = cause(failure, InvalidSettingException.class);
        if (invalid != null) {
            if (invalid.accepted() == null) {
                return analysis(invalid.getMessage(), invalid.environmentVariable(), invalid.property(), invalid);
            }
            return outside(invalid.property(), invalid.value(), invalid.accepted(), invalid);
        }
        BindException bind = cause(failure, BindException.class);
        ConfigurationProperty property = bind == null ? null : bind.getProperty();
        if (property != null && property.getName().toString().startsWith("ordinaut.")
                && cause(bind, ConversionFailedException.class) != null) {
            return outside(property.getName().toString(), String.valueOf(property.getValue()), accepted(bind.getTarget().getType().resolve()), bind);
        }
        return null; // not a setting of ours, or a failure of another kind: Spring's report says more
    }

    private FailureAnalysis outside(String property, String value, String accepted, Throwable cause) {
        String variable = variable(property);
        return analysis(variable + " (" + property + ") is '" + given(property, value) + "'; use " + accepted, variable, property, cause);
    }

    private static FailureAnalysis analysis(String line, String variable, String property, Throwable cause) {
        return new FailureAnalysis(line, "Set " + variable + " (" + property + ") to an accepted value, or unset it for the default,"
                + " and start the node again (docs/operations.md, Settings).", cause);
    }

    /** What the type takes, for a value that is none. */
    private static String accepted(Class<?> type) {
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
            return "a whole number";
        }
        if (type == java.time.Duration.class) {
            return "a duration such as 500ms, 30s, 5m, 2h or 7d";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a " + (type == null ? "value" : type.getSimpleName()) + " (docs/operations.md, Settings)";
    }

    /**
     * The variable documented for the property — the one application.yaml reads it from — else the one Spring's
     * relaxed binding takes it from (ordinaut.executor.lease-seconds: ORDINAUT_EXECUTOR_LEASE_SECONDS).
     */
    private String variable(String property) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
                ConfigurationProperty candidate = source.getConfigurationProperty(name);
                Matcher placeholder = VARIABLE.matcher(candidate != null && candidate.getValue() instanceof String s ? s : "");
                if (placeholder.find()) {
                    return placeholder.group(1);
                }
            }
        }
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The value as the operator wrote it (30s, not PT30S), credentials in a URL masked; else the one the check saw. */
    private String given(String property, String seen) {
        String raw = null;
        try {
            raw = environment == null ? null : environment.getProperty(property);
        } catch (RuntimeException e) {
            // an unresolvable placeholder: show what the check saw
        }
        return Setting.masked(raw != null ? raw : seen);
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
