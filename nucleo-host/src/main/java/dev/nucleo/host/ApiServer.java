package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The daemon's HTTP side: Jetty (core, no servlets) serving the {@link ApiRoutes} on a Unix
 * socket only its owner may use, and optionally on TCP behind a bearer token, with TLS when
 * a keystore is given. The console is a WebSocket on {@code /v1/vms/{name}/console}.
 */
public final class ApiServer implements AutoCloseable {
    /** Followed logs and attached consoles may be quiet for long. */
    private static final Duration IDLE_TIMEOUT = Duration.ofHours(1);
    private static final String CONSOLE = "/v1/vms/{name}/console";

    private final Server server;
    private final UnixDomainServerConnector unix;
    private final ServerConnector tcp;
    private final List<Route> routes;

    private ApiServer(Server server, UnixDomainServerConnector unix, ServerConnector tcp, List<Route> routes) {
        this.server = server;
        this.unix = unix;
        this.tcp = tcp;
        this.routes = routes;
    }

    /** Starts serving {@code host}; fails with a clear message if the socket or the port is taken. */
    public static ApiServer start(VmHost host, DaemonConfig config) throws Exception {
        ObjectMapper json = Json.mapper();
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("api");
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);

        prepareSocket(config.socket());
        UnixDomainServerConnector unix = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
        unix.setUnixDomainPath(config.socket());
        unix.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(unix);

        ServerConnector tcp = null;
        if (config.tcp().isPresent()) {
            tcp = tcpConnector(server, http, config);
            server.addConnector(tcp);
        }

        List<Route> routes = new ApiRoutes(host).routes();
        Handler api = new ApiHandler(routes, json, host.metrics());
        WebSocketUpgradeHandler websocket = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(IDLE_TIMEOUT);
            container.addMapping(new org.eclipse.jetty.http.pathmap.UriTemplatePathSpec(CONSOLE), (request, response, callback) -> {
                String path = request.getHttpURI().getDecodedPath();
                try {
                    String name = new Route("GET", CONSOLE, ex -> { }).match(path).orElseThrow().get("name");
                    ManagedVm vm = host.get(name);
                    if (!vm.state().active()) {
                        throw ApiException.conflict("VM '" + vm.name() + "' is not running (it is " + vm.state().label() + ")");
                    }
                    String replay = org.eclipse.jetty.server.Request.extractQueryParameters(request).getValue("replay");
                    return new ConsoleSocket(vm, replay == null ? 0 : parseReplay(replay));
                } catch (ApiException e) {
                    host.metrics().request("GET", e.status());
                    ApiHandler.sendError(json, response, callback, e.status(), e.getMessage());
                    return null;
                }
            });
        });
        websocket.setHandler(api);
        Handler root = websocket;
        if (tcp != null) {
            root = new TokenCheck(websocket, config.token().orElseThrow(), Set.of(tcp), json, host.metrics());
        }
        server.setHandler(root);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw new IOException("cannot serve the API: " + e.getMessage(), e);
        }
        // Only the owner may talk to the daemon through the socket.
        Files.setPosixFilePermissions(config.socket(), PosixFilePermissions.fromString("rw-------"));
        return new ApiServer(server, unix, tcp, routes);
    }

    private static long parseReplay(String text) throws ApiException {
        try {
            long n = Long.parseLong(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("replay must be a number of bytes (0 or more), not '" + text + "'");
    }

    private static ServerConnector tcpConnector(Server server, HttpConfiguration http, DaemonConfig config) {
        if (config.token().isEmpty()) {
            throw new IllegalArgumentException("serving on TCP needs a bearer token (--token-file)");
        }
        ServerConnector connector;
        if (config.tlsKeystore().isPresent()) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(config.tlsKeystore().get().toString());
            tls.setKeyStorePassword(config.tlsPassword());
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(https));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(config.tcp().get().host());
        connector.setPort(config.tcp().get().port());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        return connector;
    }

    /**
     * The socket's directory is created owner-only; a socket file left by a daemon that died
     * is removed, but one a live daemon answers on is not taken over.
     */
    private static void prepareSocket(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(socket)) {
                throw new IOException(socket + " exists and is not a socket; not replacing it");
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                throw new IOException("another daemon is already listening on " + socket);
            } catch (IOException refused) {
                if (refused.getMessage() != null && refused.getMessage().startsWith("another daemon")) {
                    throw refused;
                }
                Files.delete(socket); // stale
            }
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 0170000) == 0140000;
    }

    public Path socket() {
        return unix.getUnixDomainPath();
    }

    /** The TCP port actually bound, or -1 without TCP. */
    public int tcpPort() {
        return tcp == null ? -1 : tcp.getLocalPort();
    }

    /** Every (method, path template) served, the WebSocket console included. */
    public List<Route> routes() {
        return routes;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
