package io.ordinaut.audit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers the audit interceptor ahead of access control, so refused calls are audited too; the same interceptor
 * hears of the calls no route answered (the web layer's {@code UnroutedCallFilter}).
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration implements WebMvcConfigurer {

    private final AuditInterceptor interceptor;

    AuditConfiguration(AuditInterceptor interceptor) {
        this.interceptor = interceptor;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(interceptor).order(-10);
    }
}
