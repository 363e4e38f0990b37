package io.ordinaut.config;

/**
 * A setting whose value cannot work, found at start-up — by itself, or against the cluster the node joins (a node
 * id a live node uses, another firing mode than the live nodes'); {@link InvalidSettingFailureAnalyzer} turns it
 * into Spring Boot's "APPLICATION FAILED TO START" report, one line without a stack trace.
 */
public class InvalidSettingException extends RuntimeException {

    private final String property;
    private final String environmentVariable;
    private final String value;
    private final String accepted;

    /** The message is the one line the report shows: name the variable, the property, the value and what to do. */
    public InvalidSettingException(String property, String environmentVariable, String message) {
        this(property, environmentVariable, null, null, message);
    }

    private InvalidSettingException(String property, String environmentVariable, String value, String accepted, String message) {
        super(message);
        this.property = property;
        this.environmentVariable = environmentVariable;
        this.value = value;
        this.accepted = accepted;
    }

    /** A value outside what the setting accepts ({@link Setting#invalid}); the report names the variable itself. */
    static InvalidSettingException outside(String property, String value, String accepted) {
        return new InvalidSettingException(property, null, value, accepted, property + " is '" + value + "'; use " + accepted);
    }

    String property() {
        return property;
    }

    /** Null when the report is to find the variable (and the value as given) itself. */
    String environmentVariable() {
        return environmentVariable;
    }

    String value() {
        return value;
    }

    /** Null when the message is the whole line. */
    String accepted() {
        return accepted;
    }
}
