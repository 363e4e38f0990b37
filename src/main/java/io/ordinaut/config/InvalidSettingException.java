package io.ordinaut.config;

/**
 * A setting whose value cannot work, found at start-up — by itself, or against the cluster the node joins (a node
 * id a live node uses, another firing mode than the live nodes'); {@link InvalidSettingFailureAnalyzer} turns it
 * into Spring Boot's "APPLICATION FAILED TO START" report, without a stack trace.
 */
public class InvalidSettingException extends RuntimeException {

    private final String property;
    private final String environmentVariable;

    /** The message is the one line the report shows: name the variable, the property, the value and what to do. */
    public InvalidSettingException(String property, String environmentVariable, String message) {
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
