package dev.nucleo.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's Unix socket: one client, both directions, stale sockets replaced, files never. */
class UnixSocketConsoleTest {
    @TempDir
    Path dir;

    @Test
    void oneClientTalksBothWaysAndASecondIsRefused() throws Exception {
        Path path = dir.resolve("console.sock");
        LinkedBlockingQueue<String> input = new LinkedBlockingQueue<>();
        try (UnixSocketConsole console = UnixSocketConsole.listen(path)) {
            console.start(data -> input.add(new String(data, StandardCharsets.US_ASCII)));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                client.write(ByteBuffer.wrap("typed\n".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("typed\n", input.poll(5, TimeUnit.SECONDS));
                console.write("printed\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("printed\n", read(client, 8));

                try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                    assertEquals(-1, second.read(ByteBuffer.allocate(1)), "second client is closed at once");
                }
            }
            // once the first hangs up, a new client is taken
            SocketChannel again = connectWhenAccepted(path, console);
            try (again) {
                console.write("hi\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hi\n", read(again, 3));
            }
        }
        assertFalse(Files.exists(path), "socket file removed on close");
    }

    @Test
    void staleSocketIsReplacedButARegularFileIsNot() throws Exception {
        Path path = dir.resolve("stale.sock");
        UnixSocketConsole.listen(path).close();
        try (SocketChannel stale = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(path)); // leaves a socket file behind
        }
        assertTrue(Files.exists(path));
        UnixSocketConsole.listen(path).close();

        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertThrows(IOException.class, () -> UnixSocketConsole.listen(file));
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void outputWithNoClientIsDropped() throws Exception {
        try (UnixSocketConsole console = UnixSocketConsole.listen(dir.resolve("c.sock"))) {
            console.start(data -> true);
            console.write(new byte[] {1, 2, 3}); // must neither block nor fail
        }
    }

    /** Retries until the console has dropped the previous client and writes reach this one. */
    private static SocketChannel connectWhenAccepted(Path path, UnixSocketConsole console) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path));
            c.configureBlocking(false);
            Thread.sleep(50);
            ByteBuffer probe = ByteBuffer.allocate(1);
            if (c.read(probe) == 0) { // still open: it was accepted
                c.configureBlocking(true);
                return c;
            }
            c.close();
        }
        throw new AssertionError("no second client accepted");
    }

    private static String read(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }
}
