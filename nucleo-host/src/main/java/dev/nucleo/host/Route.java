package dev.nucleo.host;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One API operation: a method and a path template such as {@code /v1/vms/{name}/start}
 * (each {@code {x}} matches one path segment), written as in the OpenAPI document.
 */
public record Route(String method, String template, Handler handler) {

    /** What an operation does with an exchange; throws {@link ApiException} to refuse. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** The template's variables bound to the path's segments, if the path matches. */
    Optional<Map<String, String>> match(String path) {
        List<String> want = segments(template);
        List<String> got = segments(path);
        if (want.size() != got.size()) {
            return Optional.empty();
        }
        Map<String, String> variables = new java.util.HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            String w = want.get(i);
            if (w.startsWith("{") && w.endsWith("}")) {
                if (got.get(i).isEmpty()) {
                    return Optional.empty();
                }
                variables.put(w.substring(1, w.length() - 1), got.get(i));
            } else if (!w.equals(got.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(variables);
    }

    private static List<String> segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return List.of(trimmed.split("/", -1));
    }
}
