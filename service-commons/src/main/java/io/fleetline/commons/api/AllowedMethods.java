package io.fleetline.commons.api;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

/**
 * The methods each route accepts, read once from the resource classes, for the {@code Allow}
 * header of a 405 (RESTEasy Reactive throws its 405 without one).
 */
@ApplicationScoped
public class AllowedMethods {

    private static final Pattern PARAM = Pattern.compile("\\{\\s*\\w[\\w.-]*\\s*(?::\\s*((?:[^{}]|\\{[^{}]*})*))?}");

    private final List<Route> routes = new ArrayList<>();

    AllowedMethods(BeanManager beans) {
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Path classPath = bean.getBeanClass().getAnnotation(Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method method : bean.getBeanClass().getMethods()) {
                String verb = verb(method);
                if (verb != null) {
                    Path methodPath = method.getAnnotation(Path.class);
                    String template = classPath.value() + (methodPath == null ? "" : "/" + methodPath.value());
                    routes.add(new Route(compile(template), verb));
                }
            }
        }
    }

    /** The methods accepted at {@code path}, as the value of an {@code Allow} header. */
    public String allowedAt(String path) {
        Set<String> verbs = new TreeSet<>();
        for (Route route : routes) {
            if (route.pattern().matcher(path).matches()) {
                verbs.add(route.verb());
            }
        }
        if (verbs.contains("GET")) {
            verbs.add("HEAD");
        }
        if (!verbs.isEmpty()) {
            verbs.add("OPTIONS");
        }
        return String.join(", ", verbs);
    }

    private static String verb(Method method) {
        for (var annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static Pattern compile(String template) {
        String normalized = ("/" + template).replaceAll("/+", "/");
        if (normalized.length() > 1 && normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        StringBuilder regex = new StringBuilder();
        Matcher matcher = PARAM.matcher(normalized);
        int last = 0;
        while (matcher.find()) {
            regex.append(Pattern.quote(normalized.substring(last, matcher.start())));
            regex.append('(').append(matcher.group(1) == null ? "[^/]+" : matcher.group(1)).append(')');
            last = matcher.end();
        }
        regex.append(Pattern.quote(normalized.substring(last))).append("/?");
        return Pattern.compile(regex.toString());
    }

    private record Route(Pattern pattern, String verb) {
    }
}
