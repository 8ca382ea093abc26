package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Dispatches requests to the {@link Route}s; every refusal is a JSON error with the reason,
 * and an unexpected exception is a 500 with a one-line reason (logged in full), never a
 * stack trace to the client. Handlers may block (a followed log does): Jetty runs this on
 * its thread pool.
 */
final class ApiHandler extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

    private final List<Route> routes;
    private final ObjectMapper json;
    private final HostMetrics metrics;

    ApiHandler(List<Route> routes, ObjectMapper json, HostMetrics metrics) {
        this.routes = routes;
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        String method = request.getMethod();
        Exchange exchange = null;
        try {
            List<Route> onPath = routes.stream().filter(r -> r.match(path).isPresent()).toList();
            if (onPath.isEmpty()) {
                throw ApiException.notFound("no such API path: " + path);
            }
            Optional<Route> route = onPath.stream().filter(r -> r.method().equals(method)).findFirst();
            if (route.isEmpty()) {
                String allowed = onPath.stream().map(Route::method).collect(Collectors.joining(", "));
                response.getHeaders().put(HttpHeader.ALLOW, allowed);
                throw new ApiException(405, method + " is not allowed on " + path + " (allowed: " + allowed + ")");
            }
            Map<String, String> variables = route.get().match(path).orElseThrow();
            exchange = new Exchange(request, response, callback, variables, json);
            route.get().handler().handle(exchange);
            metrics.request(method, response.getStatus());
        } catch (ApiException e) {
            fail(request, response, callback, exchange, e.status(), e.getMessage());
        } catch (Exception | StackOverflowError e) {
            LOG.log(System.Logger.Level.ERROR, method + " " + path + " failed", e);
            fail(request, response, callback, exchange, 500, "internal error in the daemon: " + e);
        }
        return true;
    }

    private void fail(Request request, Response response, Callback callback, Exchange exchange, int status,
            String reason) {
        metrics.request(request.getMethod(), status);
        if (exchange != null && exchange.answered()) {
            callback.failed(new IllegalStateException(reason)); // too late for an error body
            return;
        }
        sendError(json, response, callback, status, reason);
    }

    static void sendError(ObjectMapper json, Response response, Callback callback, int status, String reason) {
        byte[] body = Exchange.errorBody(json, status, reason);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }
}
