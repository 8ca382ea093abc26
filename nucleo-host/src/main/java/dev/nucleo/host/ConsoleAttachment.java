package dev.nucleo.host;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A client attached to a VM's serial console over the daemon's WebSocket: what the guest
 * prints is written to {@code out}; {@link #send} types on the console.
 */
public final class ConsoleAttachment implements AutoCloseable {
    private final WebSocketClient client;
    private final Session session;
    private final Endpoint endpoint;

    private ConsoleAttachment(WebSocketClient client, Session session, Endpoint endpoint) {
        this.client = client;
        this.session = session;
        this.endpoint = endpoint;
    }

    /** Why an attach was refused: the daemon's status and reason. */
    public static final class Refused extends IOException {
        private final int status;

        Refused(int status, String reason) {
            super(reason);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Attaches to VM {@code name}; {@code replay} bytes of past output come first.
     *
     * @throws Refused if the daemon refused (unknown VM, not running, unauthorized)
     */
    public static ConsoleAttachment attach(DaemonClient daemon, String name, long replay, OutputStream out)
            throws IOException {
        // A client of its own: stopping a WebSocketClient stops the HTTP client it runs on.
        WebSocketClient client = new WebSocketClient(DaemonClient.newHttpClient(daemon.socket(), daemon.tlsCert()));
        client.setIdleTimeout(Duration.ofHours(1));
        try {
            client.start();
        } catch (Exception e) {
            throw new IOException("cannot start the WebSocket client: " + e.getMessage(), e);
        }
        String scheme = daemon.base().getScheme().equals("https") ? "wss" : "ws";
        URI uri = URI.create(scheme + "://" + daemon.base().getAuthority() + "/v1/vms/"
                + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                + "/console?replay=" + replay);
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(uri);
        daemon.token().ifPresent(t -> upgrade.setHeader("Authorization", "Bearer " + t));
        Endpoint endpoint = new Endpoint(out);
        try {
            Session session = client.connect(endpoint, upgrade).get(30, TimeUnit.SECONDS);
            return new ConsoleAttachment(client, session, endpoint);
        } catch (ExecutionException e) {
            stopQuietly(client);
            Throwable cause = e.getCause();
            if (cause instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException upgradeFailure
                    && upgradeFailure.getResponseStatusCode() > 0) {
                // Ask again without upgrading to read the daemon's reason.
                DaemonClient.Reply reply = daemon.get(uri.getRawPath() + "?replay=" + replay);
                int status = upgradeFailure.getResponseStatusCode();
                throw new Refused(status, reply.ok() ? "HTTP " + status : daemon.reason(reply));
            }
            throw daemon.unavailable(e);
        } catch (TimeoutException e) {
            stopQuietly(client);
            throw daemon.unavailable(e);
        } catch (InterruptedException e) {
            stopQuietly(client);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Types {@code bytes} on the console. */
    public void send(byte[] bytes) throws IOException {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        session.sendBinary(ByteBuffer.wrap(bytes), Callback.from(() -> sent.complete(null), sent::completeExceptionally));
        try {
            sent.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot type on the console: " + e.getMessage(), e);
        }
    }

    /** Waits until the daemon closes the console (the VM stopped) or {@code timeout} passes. */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return endpoint.closed.await(timeout, unit);
    }

    /** Why the daemon closed the console, once it has. */
    public String closeReason() {
        return endpoint.closeReason;
    }

    @Override
    public void close() {
        session.close();
        stopQuietly(client);
    }

    private static void stopQuietly(WebSocketClient client) {
        try {
            client.stop();
        } catch (Exception ignored) {
            // nothing left to release
        }
    }

    /** Public: Jetty calls its methods reflectively. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final OutputStream out;
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile String closeReason;

        Endpoint(OutputStream out) {
            this.out = out;
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            try {
                out.write(bytes);
                out.flush();
                callback.succeed();
            } catch (IOException e) {
                callback.fail(e);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeReason = reason;
            closed.countDown();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            closeReason = String.valueOf(cause.getMessage());
            closed.countDown();
        }
    }
}
