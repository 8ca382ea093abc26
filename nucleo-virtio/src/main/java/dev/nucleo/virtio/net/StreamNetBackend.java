package dev.nucleo.virtio.net;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An Ethernet link over a Unix domain stream socket, framed as QEMU's {@code -netdev stream}
 * frames it ({@link StreamFraming}), so Nucleo and QEMU VMs can share one link.
 *
 * <p>The listening side binds at once and accepts its peer in the background (the VM boots
 * meanwhile; frames sent before a peer is there are dropped), and accepts the next peer when
 * one leaves. The connecting side connects when it is created. A peer that sends an
 * impossible length is disconnected with a logged error.
 */
public final class StreamNetBackend implements NetBackend {
    private static final System.Logger LOG = System.getLogger(StreamNetBackend.class.getName());
    /** The file type bits of st_mode, and the value for a socket. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final ServerSocketChannel server; // null when connecting
    private final Object writeLock = new Object();
    private final AtomicLong droppedNoPeer = new AtomicLong();
    private volatile SocketChannel peer;
    private volatile boolean closed;
    private Thread receiveThread;

    private StreamNetBackend(Path path, ServerSocketChannel server, SocketChannel peer) {
        this.path = path;
        this.server = server;
        this.peer = peer;
    }

    /** Binds a listening socket at {@code path} (replacing a stale socket file there). */
    public static StreamNetBackend listen(Path path) throws IOException {
        removeStaleSocket(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        return new StreamNetBackend(path, server, null);
    }

    /** Connects to a peer listening at {@code path}. */
    public static StreamNetBackend connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to " + path + ": " + e.getMessage()
                    + " (is the listening side running?)", e);
        }
        return new StreamNetBackend(path, null, channel);
    }

    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("cannot listen on " + path + ": it exists and is not a socket");
        }
        Files.delete(path); // left by an earlier run; binding needs the name free
    }

    @Override
    public synchronized void start(Consumer<byte[]> receiver) {
        if (receiveThread != null) {
            throw new IllegalStateException("already started");
        }
        receiveThread = Thread.ofVirtual().name("net " + describe()).start(() -> {
            if (server != null) {
                acceptLoop(receiver);
            } else {
                pump(peer, receiver);
            }
        });
    }

    private void acceptLoop(Consumer<byte[]> receiver) {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "net " + describe() + ": accept failed: " + e.getMessage());
                }
                return;
            }
            peer = channel;
            if (closed) {
                closeQuietly(channel);
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "net {0}: peer connected", describe());
            pump(channel, receiver);
        }
    }

    /** Reads frames from {@code channel} until it ends, then drops the link. */
    private void pump(SocketChannel channel, Consumer<byte[]> receiver) {
        try {
            byte[] frame;
            while ((frame = StreamFraming.read(channel)) != null) {
                receiver.accept(frame);
            }
            LOG.log(System.Logger.Level.DEBUG, "net {0}: peer disconnected", describe());
        } catch (StreamFraming.MalformedFrameException e) {
            LOG.log(System.Logger.Level.ERROR, "net " + describe() + ": " + e.getMessage() + "; closing the link");
        } catch (ClosedChannelException e) {
            // closed by us
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.WARNING, "net " + describe() + ": link failed: " + e.getMessage());
            }
        } finally {
            dropPeer(channel);
        }
    }

    private void dropPeer(SocketChannel channel) {
        if (peer == channel) {
            peer = null;
        }
        closeQuietly(channel);
    }

    @Override
    public void send(byte[] frame) {
        SocketChannel channel = peer;
        if (channel == null) {
            droppedNoPeer.incrementAndGet();
            return;
        }
        synchronized (writeLock) {
            try {
                StreamFraming.write(channel, frame);
            } catch (IOException e) {
                // The peer went away mid-write; the reader sees it too. The frame is lost, as on a cable.
                droppedNoPeer.incrementAndGet();
                dropPeer(channel);
            }
        }
    }

    /** Whether a peer is connected now. */
    public boolean connected() {
        return peer != null;
    }

    /** Frames sent while no peer was connected. */
    public long droppedNoPeer() {
        return droppedNoPeer.get();
    }

    @Override
    public String describe() {
        return "stream=" + (server != null ? "listen:" : "connect:") + path;
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            closeQuietly(server);
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove socket " + path + ": " + e.getMessage());
            }
        }
        SocketChannel channel = peer;
        if (channel != null) {
            closeQuietly(channel);
        }
        Thread t;
        synchronized (this) {
            t = receiveThread;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing more to release
        }
    }
}
