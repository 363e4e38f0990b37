package io.ordinaut.config;

/**
 * A setting whose value cannot work, found at start-up; {@link InvalidSettingFailureAnalyzer} turns it into
 * Spring Boot's "APPLICATION FAILED TO START" report, without a stack trace.
 */
class InvalidSettingException extends RuntimeException {

    private final String property;
    private final String environmentVariable;

    InvalidSettingException(String property, String environmentVariable, String message) {
        super(message);
        this.property = property;
        this.environmentVariable = environmentVariable;
    }

    String property() {
        return property;
    }

    String environmentVariable() {
        return environmentVariable;
    }
}
