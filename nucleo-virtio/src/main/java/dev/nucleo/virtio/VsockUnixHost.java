package dev.nucleo.virtio;

import dev.nucleo.virtio.VsockConnection.State;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host end of vsock on Unix stream sockets, in Firecracker's convention:
 * <ul>
 * <li>a guest connecting to (CID 2, port P) reaches whoever listens on {@code PATH_P};
 * <li>a host program connects to {@code PATH}, writes {@code CONNECT <port>\n}, gets
 * {@code OK <hostport>\n} once the guest accepted, and then the stream is the guest's.
 * </ul>
 * Every blocking call (accept, connect, read, write) runs on a virtual thread of its own:
 * an accept loop, one handshake per host client, a reader and a writer per connection.
 */
final class VsockUnixHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VsockUnixHost.class.getName());

    /** The longest handshake line we read ("CONNECT 4294967295\n" is 19 bytes). */
    static final int MAX_LINE = 32;
    static final long GUEST_ANSWER_SECONDS = 10;
    static final int MAX_HANDSHAKES = 32;
    private static final int CHUNK = 16 << 10;
    private static final Pattern CONNECT = Pattern.compile("CONNECT (\\d{1,10})");

    private final Path socket;
    private final ServerSocketChannel server;
    private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
    private VsockConnections connections;
    private BooleanSupplier guestReady;

    /** Binds {@code socket} (a stale socket file there is replaced; any other file is an error). */
    VsockUnixHost(Path socket) throws IOException {
        this.socket = socket;
        if (Files.exists(socket) && Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
            Files.delete(socket);
        }
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    Path socket() {
        return socket;
    }

    /** Starts accepting host clients for {@code connections} once {@code guestReady} says so. */
    void start(VsockConnections connections, BooleanSupplier guestReady) {
        this.connections = connections;
        this.guestReady = guestReady;
        Thread.ofVirtual().name("vsock accept " + socket.getFileName()).start(this::acceptLoop);
    }

    /** Connects a guest-initiated connection to {@code PATH_port}, on a thread of its own. */
    void connect(VsockConnection c) {
        Path target = Path.of(socket + "_" + Integer.toUnsignedString(c.key.hostPort()));
        Thread.ofVirtual().name("vsock connect " + target.getFileName()).start(() -> {
            SocketChannel channel;
            try {
                channel = SocketChannel.open(UnixDomainSocketAddress.of(target));
            } catch (IOException | RuntimeException e) {
                connections.abortFromHost(c); // nobody listens: the guest gets RST (ECONNRESET)
                return;
            }
            if (connections.hostConnected(c, channel)) {
                startPumps(c, channel);
            } else {
                closeQuietly(channel);
            }
        });
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "vsock: accept on " + socket + " failed", e);
                return;
            }
            if (!handshakes.tryAcquire()) {
                closeQuietly(client); // too many clients that have not said what they want
                continue;
            }
            Thread.ofVirtual().name("vsock client").start(() -> {
                try {
                    handshake(client);
                } finally {
                    handshakes.release();
                }
            });
        }
    }

    private void handshake(SocketChannel client) {
        try {
            Matcher m = CONNECT.matcher(readLine(client));
            long port = m.matches() ? Long.parseLong(m.group(1)) : -1;
            if (port < 0 || port > 0xffff_ffffL || !guestReady.getAsBoolean()) {
                closeQuietly(client);
                return;
            }
            Optional<VsockConnection> opened = connections.openFromHost((int) port, client);
            if (opened.isEmpty()) {
                closeQuietly(client);
                return;
            }
            VsockConnection c = opened.get();
            boolean accepted;
            try {
                accepted = c.guestAnswer.get(GUEST_ANSWER_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                accepted = false;
            }
            if (!accepted) {
                connections.abortFromHost(c); // closes the client; RST if the guest still knows it
                return;
            }
            String ok = "OK " + Integer.toUnsignedString(c.key.hostPort()) + "\n";
            writeFully(client, ByteBuffer.wrap(ok.getBytes(StandardCharsets.US_ASCII)));
            startPumps(c, client);
        } catch (IOException e) {
            closeQuietly(client);
        } catch (InterruptedException e) {
            closeQuietly(client);
            Thread.currentThread().interrupt();
        }
    }

    /** One line, byte by byte so that no stream data after it is consumed. */
    private static String readLine(SocketChannel client) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() <= MAX_LINE) {
            one.clear();
            if (client.read(one) < 0) {
                return "";
            }
            char ch = (char) (one.get(0) & 0xff);
            if (ch == '\n') {
                return line.toString().strip();
            }
            line.append(ch);
        }
        return ""; // too long: not a handshake
    }

    private void startPumps(VsockConnection c, SocketChannel channel) {
        String name = Integer.toUnsignedString(c.key.guestPort()) + ":" + Integer.toUnsignedString(c.key.hostPort());
        Thread.ofVirtual().name("vsock to-guest " + name).start(() -> pumpToGuest(c, channel));
        Thread.ofVirtual().name("vsock to-host " + name).start(() -> pumpToHost(c, channel));
    }

    /** Host socket to guest: reads only as much as the connection can buffer. */
    private void pumpToGuest(VsockConnection c, SocketChannel channel) {
        ReentrantLock lock = connections.lock;
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        try {
            while (true) {
                int room;
                lock.lock();
                try {
                    while (c.isOpen() && c.toGuest.free() == 0) {
                        c.changed.await();
                    }
                    if (!c.isOpen()) {
                        return;
                    }
                    room = Math.min(CHUNK, c.toGuest.free()); // only this thread fills it: it stays free
                } finally {
                    lock.unlock();
                }
                buffer.clear().limit(room);
                int n = channel.read(buffer);
                lock.lock();
                try {
                    if (!c.isOpen()) {
                        return;
                    }
                    if (n < 0) {
                        c.hostEof = true;
                    } else if ((c.guestShutdown & VsockHeader.SHUTDOWN_RCV) == 0) {
                        c.toGuest.put(buffer.array(), 0, n);
                    }
                } finally {
                    lock.unlock();
                }
                connections.kickDevice();
                if (n < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            connections.abortFromHost(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Guest to host socket: writes what the guest sent, then returns the credit. */
    private void pumpToHost(VsockConnection c, SocketChannel channel) {
        ReentrantLock lock = connections.lock;
        boolean outputShut = false;
        try {
            while (true) {
                byte[] data;
                boolean finished = false;
                lock.lock();
                try {
                    while (c.isOpen() && c.toHost.isEmpty()
                            && !(c.guestShutdown == VsockHeader.SHUTDOWN_BOTH)
                            && !((c.guestShutdown & VsockHeader.SHUTDOWN_SEND) != 0 && !outputShut)) {
                        c.changed.await();
                    }
                    if (!c.isOpen()) {
                        return;
                    }
                    data = c.toHost.take(CHUNK);
                    if (data.length == 0) {
                        finished = c.guestShutdown == VsockHeader.SHUTDOWN_BOTH;
                    }
                } finally {
                    lock.unlock();
                }
                if (data.length > 0) {
                    writeFully(channel, ByteBuffer.wrap(data));
                    forwarded(c, data.length);
                    continue;
                }
                if (finished) {
                    // The guest closed and everything it sent is out: end it (the guest waits for our RST).
                    connections.abortFromHost(c);
                    return;
                }
                outputShut = true; // the guest will send no more: pass the half-close on
                try {
                    channel.shutdownOutput();
                } catch (IOException e) {
                    // the host side is gone already; the guest learns when it next writes
                }
            }
        } catch (IOException e) {
            connections.abortFromHost(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code n} more bytes reached the host: tell the guest when its credit matters. */
    private void forwarded(VsockConnection c, int n) {
        boolean tell;
        connections.lock.lock();
        try {
            c.fwdCnt += n;
            // The guest's credit grows with every write to the host; tell it (one packet per chunk).
            tell = c.state == State.ESTABLISHED;
            if (tell) {
                c.creditUpdateWanted = true;
            }
        } finally {
            connections.lock.unlock();
        }
        if (tell) {
            connections.kickDevice();
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Stops accepting and removes the socket file; the connections are closed by their owner. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "vsock: cannot remove " + socket + ": " + e.getMessage());
        }
    }
}
