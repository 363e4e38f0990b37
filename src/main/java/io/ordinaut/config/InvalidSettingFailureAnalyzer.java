package io.ordinaut.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports an {@link InvalidSettingException} as one line naming the setting; registered in META-INF/spring.factories. */
class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set " + cause.environmentVariable() + " (" + cause.property() + ") to an accepted value, or unset it for the default,"
                        + " and start the node again (docs/operations.md, Settings).", cause);
    }
}
