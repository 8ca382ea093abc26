package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Requests that come over TCP must carry {@code Authorization: Bearer <token>}; the Unix
 * socket is protected by its file permissions instead. The token is compared in constant
 * time so its bytes cannot be guessed from response times.
 */
final class TokenCheck extends Handler.Wrapper {
    private static final String BEARER = "Bearer ";

    private final byte[] token;
    private final Set<Connector> guarded;
    private final ObjectMapper json;
    private final HostMetrics metrics;

    TokenCheck(Handler next, byte[] token, Set<Connector> guarded, ObjectMapper json, HostMetrics metrics) {
        super(next);
        this.token = token.clone();
        this.guarded = guarded;
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (guarded.contains(request.getConnectionMetaData().getConnector())) {
            String refusal = refusal(request.getHeaders().get(HttpHeader.AUTHORIZATION));
            if (refusal != null) {
                metrics.request(request.getMethod(), 401);
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"nucleo\"");
                ApiHandler.sendError(json, response, callback, 401, refusal);
                return true;
            }
        }
        return super.handle(request, response, callback);
    }

    private String refusal(String header) {
        if (header == null) {
            return "authentication required: send 'Authorization: Bearer <token>' (the daemon's --token-file)";
        }
        if (!header.startsWith(BEARER)) {
            return "the Authorization header must be 'Bearer <token>'";
        }
        byte[] given = header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            return "wrong bearer token";
        }
        return null;
    }
}
