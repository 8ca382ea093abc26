package dev.nucleo.virtio.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream link: QEMU's framing over a Unix socket pair, and peers that break the framing. */
class StreamNetBackendTest {
    @TempDir
    Path dir;
    final List<AutoCloseable> toClose = new ArrayList<>();
    final BlockingQueue<byte[]> listenerGot = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> connectorGot = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    StreamNetBackend listening(Path path) throws IOException {
        StreamNetBackend b = StreamNetBackend.listen(path);
        toClose.add(b);
        b.start(listenerGot::add);
        return b;
    }

    SocketChannel rawPeer(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(path));
        toClose.add(ch);
        return ch;
    }

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (i * 13 + seed);
        }
        return f;
    }

    static byte[] take(BlockingQueue<byte[]> queue) throws InterruptedException {
        byte[] f = queue.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame arrived");
        }
        return f;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** True once the peer closed its end: a read sees end of stream (or a reset). */
    static boolean closedByPeer(SocketChannel ch) {
        try {
            ch.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocate(1);
            return ch.read(b) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void framesCrossTheLinkBothWaysIntact() throws Exception {
        Path path = dir.resolve("link");
        StreamNetBackend listener = listening(path);
        StreamNetBackend connector = StreamNetBackend.connect(path);
        toClose.add(connector);
        connector.start(connectorGot::add);
        await(listener::connected, "the listener to accept");
        byte[][] frames = {frame(1, 1), frame(60, 2), frame(1514, 3), frame(NetBackend.MAX_FRAME, 4)};
        for (byte[] f : frames) {
            connector.send(f);
            listener.send(f);
        }
        for (byte[] f : frames) {
            assertArrayEquals(f, take(listenerGot));
            assertArrayEquals(f, take(connectorGot));
        }
    }

    @Test
    void wireFormatIsABigEndianLengthBeforeEachFrame() throws Exception {
        Path path = dir.resolve("link");
        StreamNetBackend listener = listening(path);
        SocketChannel peer = rawPeer(path);
        await(listener::connected, "the listener to accept");
        listener.send(frame(300, 5));
        ByteBuffer got = ByteBuffer.allocate(4 + 300);
        while (got.hasRemaining()) {
            peer.read(got);
        }
        assertEquals(300, got.getInt(0));
        assertArrayEquals(frame(300, 5), java.util.Arrays.copyOfRange(got.array(), 4, 304));

        ByteBuffer out = ByteBuffer.allocate(4 + 64).putInt(64).put(frame(64, 6)).flip();
        peer.write(out);
        assertArrayEquals(frame(64, 6), take(listenerGot));
    }

    @Test
    void framesSentBeforeAPeerConnectsAreDropped() throws Exception {
        StreamNetBackend listener = listening(dir.resolve("link"));
        listener.send(frame(60, 1));
        assertEquals(1, listener.droppedNoPeer());
        assertFalse(listener.connected());
    }

    @Test
    void zeroLengthFromThePeerClosesTheLinkAndTheNextPeerIsServed() throws Exception {
        hostileLengthClosesTheLink(0);
    }

    @Test
    void oversizedLengthFromThePeerClosesTheLink() throws Exception {
        hostileLengthClosesTheLink(NetBackend.MAX_FRAME + 1);
    }

    @Test
    void negativeLengthFromThePeerClosesTheLink() throws Exception {
        hostileLengthClosesTheLink(0xffff_ffff);
    }

    private void hostileLengthClosesTheLink(int length) throws Exception {
        Path path = dir.resolve("link");
        StreamNetBackend listener = listening(path);
        SocketChannel bad = rawPeer(path);
        bad.write(ByteBuffer.allocate(8).putInt(length).putInt(0x41414141).flip());
        assertTrue(closedByPeer(bad), "the backend hung up on the peer");
        await(() -> !listener.connected(), "the link to go down");
        assertNull(listenerGot.poll(50, TimeUnit.MILLISECONDS), "nothing delivered");

        SocketChannel good = rawPeer(path);
        good.write(ByteBuffer.allocate(4 + 42).putInt(42).put(frame(42, 9)).flip());
        assertArrayEquals(frame(42, 9), take(listenerGot), "a new peer is accepted and served");
    }

    @Test
    void aPeerThatHangsUpInsideAFrameIsSurvived() throws Exception {
        Path path = dir.resolve("link");
        StreamNetBackend listener = listening(path);
        SocketChannel peer = rawPeer(path);
        peer.write(ByteBuffer.allocate(4 + 10).putInt(100).put(new byte[10]).flip());
        peer.close();
        await(() -> !listener.connected(), "the link to go down");
        listener.send(frame(60, 1)); // no peer: dropped, no exception
        SocketChannel next = rawPeer(path);
        next.write(ByteBuffer.allocate(4 + 20).putInt(20).put(frame(20, 2)).flip());
        assertArrayEquals(frame(20, 2), take(listenerGot));
    }

    @Test
    void aStaleSocketFileIsReplacedButOtherFilesAreNot() throws Exception {
        Path path = dir.resolve("link");
        StreamNetBackend.listen(path).close(); // close removes its socket file
        assertFalse(Files.exists(path));
        try (var stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(path));
        } // the channel is closed but its file stays, as after a crash
        assertTrue(Files.exists(path));
        listening(path);

        Path regular = Files.writeString(dir.resolve("notes.txt"), "keep me");
        IOException e = assertThrows(IOException.class, () -> StreamNetBackend.listen(regular));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(regular));
    }

    @Test
    void connectingToNobodyIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> StreamNetBackend.connect(dir.resolve("nobody")));
        assertTrue(e.getMessage().contains("cannot connect to"), e.getMessage());
    }

    @Test
    void macAddressesParseStrictly() {
        assertEquals("52:54:00:ab:cd:ef", MacAddress.parse("52:54:00:AB:CD:EF").toString());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:ab:cd"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:ab:cd:eg"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52-54-00-ab-cd-ef"));
        IllegalArgumentException multicast = assertThrows(IllegalArgumentException.class,
                () -> MacAddress.parse("01:00:5e:00:00:01"));
        assertTrue(multicast.getMessage().contains("multicast"));
    }
}
