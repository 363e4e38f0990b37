package io.ordinaut.support;

/**
 * The failure analysis Spring Boot prints when a node refuses to start: from "APPLICATION FAILED TO START" to its
 * "Action:". Checked alone, not the whole output: nodes in one JVM share Quartz's connection provider, so a live
 * node's Quartz may log the refused node's closed pool, with a stack trace, at the same moment.
 */
public final class StartupFailure {

    private StartupFailure() {
    }

    /** @throws AssertionError when the output holds no failure analysis */
    public static String report(String output) {
        int start = output.indexOf("APPLICATION FAILED TO START");
        if (start < 0) {
            throw new AssertionError("no APPLICATION FAILED TO START in the output:\n" + output);
        }
        int end = output.indexOf("Action:", start);
        return end < 0 ? output.substring(start) : output.substring(start, end);
    }
}
