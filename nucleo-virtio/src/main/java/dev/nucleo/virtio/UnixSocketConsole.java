package dev.nucleo.virtio;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A console's host side on a listening Unix domain socket: one client at a time receives
 * everything the guest writes and types what the guest reads. A second client while one is
 * connected is closed at once. With no client, guest output is dropped (as on a serial line
 * with nothing plugged in). The socket file is removed on close.
 */
public final class UnixSocketConsole implements ConsoleHost {
    private static final System.Logger LOG = System.getLogger(UnixSocketConsole.class.getName());
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int READ_CHUNK = 4096;

    private final Path path;
    private final ServerSocketChannel server;
    private final Object writeLock = new Object();
    private volatile SocketChannel client;
    private volatile boolean closed;

    private UnixSocketConsole(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Listens at {@code path}. A stale socket file there (left by an earlier run) is replaced;
     * any other existing file is an error, so a typo cannot delete a user's file.
     */
    public static UnixSocketConsole listen(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(path)) {
                throw new IOException(path + " exists and is not a socket");
            }
            Files.delete(path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new UnixSocketConsole(path, server);
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void start(InputSink sink) {
        Thread.ofVirtual().name("console-accept " + path).start(() -> acceptLoop(sink));
    }

    private void acceptLoop(InputSink sink) {
        while (!closed) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "console socket " + path + ": " + e.getMessage());
                return;
            }
            if (client != null || closed) {
                closeQuietly(accepted); // one client at a time
                continue;
            }
            client = accepted;
            Thread.ofVirtual().name("console-client " + path).start(() -> readLoop(accepted, sink));
        }
    }

    /** Client bytes go to the guest until the client hangs up. */
    private void readLoop(SocketChannel channel, InputSink sink) {
        ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
        try {
            while (!closed) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    break;
                }
                if (buffer.position() > 0 && !sink.deliver(Arrays.copyOf(buffer.array(), buffer.position()))) {
                    break;
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dropClient(channel);
        }
    }

    @Override
    public void write(byte[] data) {
        SocketChannel c = client;
        if (c == null) {
            return;
        }
        synchronized (writeLock) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    c.write(buffer);
                }
            } catch (IOException e) {
                dropClient(c);
            }
        }
    }

    private void dropClient(SocketChannel channel) {
        closeQuietly(channel);
        if (client == channel) {
            client = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        SocketChannel c = client;
        if (c != null) {
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not remove " + path, e);
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
