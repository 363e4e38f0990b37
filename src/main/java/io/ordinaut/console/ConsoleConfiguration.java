package io.ordinaut.console;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.LiteWebJarsResourceResolver;

/**
 * The web console: static files from the jar at {@code /console/}, its libraries (WebJars) at
 * {@code /console/lib/<name>/<file>} with the version resolved from the classpath, and a strict
 * Content-Security-Policy on all of it. The console holds no data of its own: every call it makes goes
 * through the public REST API with the token the user signed in with.
 *
 * <p>The shell is public (the access interceptor lets {@code /console} through without a token):
 * it is the same for everyone, and the token is only ever sent by the browser in an Authorization header.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

    static final String PATH = "/console";

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(PATH + "/lib/**")
                .addResourceLocations("classpath:/META-INF/resources/webjars/")
                .resourceChain(true)
                .addResolver(new LiteWebJarsResourceResolver());
        registry.addResourceHandler(PATH + "/**").addResourceLocations("classpath:/static/console/");
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        // The console routes by the URL's fragment (#/tasks), so the shell has these two addresses only.
        registry.addViewController(PATH).setViewName("forward:" + PATH + "/index.html");
        registry.addViewController(PATH + "/").setViewName("forward:" + PATH + "/index.html");
    }

    @Bean
    FilterRegistrationBean<ContentSecurityPolicyFilter> consoleSecurityHeaders() {
        FilterRegistrationBean<ContentSecurityPolicyFilter> bean = new FilterRegistrationBean<>(new ContentSecurityPolicyFilter());
        bean.addUrlPatterns(PATH, PATH + "/*");
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return bean;
    }
}
