package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A client of the daemon's API, over its Unix socket ({@code unix:PATH}) or over TCP
 * ({@code https://HOST:PORT}, or {@code http://} without TLS) with a bearer token.
 */
public final class DaemonClient implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 60;

    private final HttpClient http;
    private final String address;
    private final URI base;
    private final Optional<Path> socket;
    private final Optional<String> token;
    private final Optional<Path> tlsCert;
    private final ObjectMapper json = Json.mapper();

    /** An answer: its status, and its body (JSON, or the console's bytes). */
    public record Reply(int status, byte[] body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private DaemonClient(HttpClient http, String address, URI base, Optional<Path> socket, Optional<String> token,
            Optional<Path> tlsCert) {
        this.tlsCert = tlsCert;
        this.http = http;
        this.address = address;
        this.base = base;
        this.socket = socket;
        this.token = token;
    }

    /**
     * A client for {@code address}: {@code unix:PATH}, {@code https://HOST:PORT} or
     * {@code http://HOST:PORT}.
     *
     * @throws IllegalArgumentException if the address is none of these
     */
    public static DaemonClient connect(String address, Optional<String> token) throws IOException {
        return connect(address, token, Optional.empty());
    }

    /**
     * As {@link #connect(String, Optional)}, trusting the certificate (or CA) in the PEM file
     * {@code tlsCert} for https, instead of the JDK's trusted CAs.
     */
    public static DaemonClient connect(String address, Optional<String> token, Optional<Path> tlsCert)
            throws IOException {
        Optional<Path> socket = Optional.empty();
        URI base;
        if (address.startsWith("unix:")) {
            String path = address.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + address + "': the socket path is empty");
            }
            socket = Optional.of(Path.of(path));
            base = URI.create("http://localhost");
        } else if (address.startsWith("https://") || address.startsWith("http://")) {
            base = URI.create(address.endsWith("/") ? address.substring(0, address.length() - 1) : address);
            if (base.getHost() == null || base.getPort() < 0) {
                throw new IllegalArgumentException("'" + address + "': write https://HOST:PORT");
            }
        } else {
            throw new IllegalArgumentException("'" + address + "' is not a daemon address; use unix:PATH or https://HOST:PORT");
        }
        return new DaemonClient(newHttpClient(socket, tlsCert), address, base, socket, token, tlsCert);
    }

    /** A started HTTP client (its own connection pool), bound to the socket if there is one. */
    static HttpClient newHttpClient(Optional<Path> socket, Optional<Path> tlsCert) throws IOException {
        HttpClient http;
        if (socket.isPresent()) {
            http = new HttpClient(new UnixSocketTransport(socket.get()));
        } else {
            ClientConnector connector = new ClientConnector();
            SslContextFactory.Client tls = new SslContextFactory.Client();
            if (tlsCert.isPresent()) {
                tls.setTrustStore(trustStore(tlsCert.get()));
            }
            connector.setSslContextFactory(tls);
            http = new HttpClient(new HttpClientTransportDynamic(connector));
        }
        http.setFollowRedirects(false);
        try {
            http.start();
        } catch (Exception e) {
            throw new IOException("cannot start the HTTP client: " + e.getMessage(), e);
        }
        return http;
    }

    /** A key store holding the certificates of a PEM file, to trust them. */
    private static java.security.KeyStore trustStore(Path pem) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(pem)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (java.security.cert.Certificate cert
                    : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("cert-" + n++, cert);
            }
            if (n == 0) {
                throw new IOException(pem + " holds no certificate");
            }
            return store;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the certificate " + pem + ": " + e.getMessage(), e);
        }
    }

    Optional<Path> tlsCert() {
        return tlsCert;
    }

    public String address() {
        return address;
    }

    public ObjectMapper json() {
        return json;
    }

    URI base() {
        return base;
    }

    Optional<Path> socket() {
        return socket;
    }

    Optional<String> token() {
        return token;
    }

    public Reply get(String path) throws IOException {
        return send(request("GET", path));
    }

    public Reply delete(String path) throws IOException {
        return send(request("DELETE", path));
    }

    /** POST with {@code body} as JSON (none when null). */
    public Reply post(String path, Object body) throws IOException {
        return send("POST", path, body);
    }

    /** Any method with {@code body} as JSON (none when null): PATCH and PUT. */
    public Reply send(String method, String path, Object body) throws IOException {
        Request request = request(method, path);
        if (body != null) {
            request.body(new BytesRequestContent("application/json", json.writeValueAsBytes(body)));
        }
        return send(request);
    }

    /** Any method, no body (for tests of methods the API does not have). */
    public Reply send(String method, String path) throws IOException {
        return send(request(method, path));
    }

    /** POST with raw bytes as the body (for tests of malformed input). */
    public Reply postRaw(String path, String contentType, byte[] body) throws IOException {
        return send(request("POST", path).body(new BytesRequestContent(contentType, body)));
    }

    /**
     * GETs {@code path} and copies the body to {@code out} as it arrives (a followed log);
     * returns the status, and on an error the error body instead of copying.
     */
    public Reply stream(String path, OutputStream out) throws IOException {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request("GET", path).timeout(0, TimeUnit.SECONDS).idleTimeout(0, TimeUnit.SECONDS).send(listener);
        org.eclipse.jetty.client.Response response;
        try {
            response = listener.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException | ExecutionException e) {
            throw unavailable(e);
        }
        try (InputStream in = listener.getInputStream()) {
            if (response.getStatus() != 200) {
                return new Reply(response.getStatus(), in.readAllBytes());
            }
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
            return new Reply(200, new byte[0]);
        }
    }

    /** Reads a JSON reply's body as {@code type}. */
    public <T> T read(Reply reply, Class<T> type) throws IOException {
        return json.readValue(reply.body(), type);
    }

    /** The reason in an error reply ({@code {"error": ...}}), or its status line. */
    public String reason(Reply reply) {
        try {
            Exchange.ErrorBody error = json.readValue(reply.body(), Exchange.ErrorBody.class);
            if (error.error() != null) {
                return error.error();
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through
        }
        return "HTTP " + reply.status() + (reply.body().length > 0 ? ": " + reply.text().strip() : "");
    }

    Request request(String method, String path) {
        Request request = http.newRequest(base.resolve(path)).method(method).timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        token.ifPresent(t -> request.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + t)));
        return request;
    }

    private Reply send(Request request) throws IOException {
        try {
            ContentResponse response = request.send();
            return new Reply(response.getStatus(), response.getContent());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException | ExecutionException e) {
            throw unavailable(e);
        }
    }

    DaemonUnavailableException unavailable(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String why = switch (cause) {
            case java.nio.file.NoSuchFileException n -> "no such socket";
            case java.net.ConnectException c -> "connection refused";
            case TimeoutException t -> "no answer within " + TIMEOUT_SECONDS + " s";
            default -> String.valueOf(cause.getMessage());
        };
        if (socket.isPresent() && !(cause instanceof TimeoutException)) {
            // The socket's file tells more than the connector's message.
            why = !java.nio.file.Files.exists(socket.get()) ? "no such socket"
                    : !java.nio.file.Files.isWritable(socket.get()) ? "permission denied" : "nobody is listening on it";
        }
        return new DaemonUnavailableException("cannot reach the Nucleo daemon at " + address + ": " + why
                + " (is `nucleo daemon` running? --host or NUCLEO_HOST choose another)", cause);
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // nothing left to release
        }
    }
}
