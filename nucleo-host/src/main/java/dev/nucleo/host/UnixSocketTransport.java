package dev.nucleo.host;

import java.nio.file.Path;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.io.Transport;

/**
 * An HTTP client transport that sends every request to one Unix socket, whatever the URI's
 * host says. The WebSocket client builds its upgrade request itself, with no way to choose
 * its transport per request, so the choice is made here, where the request's origin is.
 */
final class UnixSocketTransport extends HttpClientTransportDynamic {
    private final Transport unix;

    UnixSocketTransport(Path socket) {
        this.unix = new Transport.TCPUnix(socket);
    }

    @Override
    public Origin newOrigin(Request request) {
        request.transport(unix);
        return super.newOrigin(request);
    }
}
