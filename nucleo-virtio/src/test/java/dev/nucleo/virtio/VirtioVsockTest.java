package dev.nucleo.virtio;

import static dev.nucleo.virtio.VsockHeader.*;
import static dev.nucleo.virtio.VsockTestGuest.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import dev.nucleo.virtio.VsockTestGuest.Packet;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-vsock against real Unix sockets, with the guest's rings written straight into RAM. */
class VirtioVsockTest {
    static final long CID = 7;
    static final int GUEST_PORT = 1234;
    static final int HOST_PORT = 5000;

    @TempDir
    Path dir;
    GuestRam ram;
    VirtioVsock vsock;
    VsockTestGuest guest;
    Path socket;

    @BeforeEach
    void setUp() throws IOException {
        ram = new GuestRam(TestDriver.RAM_BASE, TestDriver.RAM_SIZE);
        socket = dir.resolve("v.sock");
        vsock = VirtioVsock.open(CID, socket);
        guest = new VsockTestGuest(ram, vsock).start();
    }

    @AfterEach
    void tearDown() {
        vsock.close();
        ram.close();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    ServerSocketChannel listen(int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(Path.of(socket + "_" + port)));
        return server;
    }

    static String readLine(SocketChannel ch) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (one.get(0) == '\n') {
                return sb.toString();
            }
            sb.append((char) one.get(0));
        }
    }

    static byte[] readExactly(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new AssertionError("EOF after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.array();
    }

    /** A guest-initiated connection to HOST_PORT, accepted on the host. */
    SocketChannel guestConnects(ServerSocketChannel server) throws IOException {
        guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_REQUEST, 0, 0), new byte[0]);
        SocketChannel accepted = server.accept();
        Packet response = guest.awaitOp(OP_RESPONSE);
        assertEquals(HOST_PORT, response.header().srcPort());
        assertEquals(GUEST_PORT, response.header().dstPort());
        assertEquals(2, response.header().srcCid());
        assertEquals(CID, response.header().dstCid());
        assertEquals(VsockConnections.BUFFER_BYTES, response.header().bufAlloc());
        return accepted;
    }

    @Test
    void configAndIdentity() {
        assertEquals(19, vsock.deviceId());
        assertEquals(3, vsock.queueCount());
        assertEquals(CID, vsock.readConfig(0, 8));
        assertEquals(CID, vsock.readConfig(0, 4));
        assertEquals(0, vsock.readConfig(4, 4));
    }

    @Test
    void guestConnectsSendsReceivesAndCloses() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_RW, 5, 0), ascii("hello"));
            assertArrayEquals(ascii("hello"), readExactly(host, 5));
            Packet credit = guest.await("fwd_cnt 5", p -> p.header().fwdCnt() == 5);
            assertEquals(GUEST_PORT, credit.header().dstPort());

            host.write(ByteBuffer.wrap(ascii("world")));
            Packet data = guest.awaitOp(OP_RW);
            assertArrayEquals(ascii("world"), data.payload());
            assertEquals(5, data.header().len());
            assertEquals(HOST_PORT, data.header().srcPort());

            guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_SHUTDOWN, 0, SHUTDOWN_BOTH), new byte[0]);
            assertEquals(-1, host.read(ByteBuffer.allocate(1)), "host sees the guest's close");
            guest.awaitOp(OP_RST); // the guest waits for this to finish its close
            TestDriver.await(() -> vsock.connectionCount() == 0, "connection gone");
        }
        assertFalse(guest.needsReset());
    }

    @Test
    void headerAndPayloadInSeparateDescriptors() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            guest.sendSplit(header(CID, GUEST_PORT, HOST_PORT, OP_RW, 6, 0), ascii("split!"));
            assertArrayEquals(ascii("split!"), readExactly(host, 6));
        }
    }

    @Test
    void guestConnectToNobodyIsReset() {
        guest.send(header(CID, GUEST_PORT, 4999, OP_REQUEST, 0, 0), new byte[0]);
        Packet rst = guest.awaitOp(OP_RST);
        assertEquals(4999, rst.header().srcPort());
        assertEquals(GUEST_PORT, rst.header().dstPort());
        TestDriver.await(() -> vsock.connectionCount() == 0, "connection gone");
    }

    /** Host client: CONNECT, the guest's REQUEST, its RESPONSE, OK; returns the host port. */
    int hostConnects(SocketChannel client, int guestPort) throws IOException {
        client.write(ByteBuffer.wrap(ascii("CONNECT " + guestPort + "\n")));
        Packet request = guest.awaitOp(OP_REQUEST);
        assertEquals(guestPort, request.header().dstPort());
        assertEquals(CID, request.header().dstCid());
        int hostPort = request.header().srcPort();
        guest.send(new VsockHeader(CID, 2, guestPort, hostPort, 0, TYPE_STREAM, OP_RESPONSE, 0, 1 << 16, 0),
                new byte[0]);
        assertEquals("OK " + Integer.toUnsignedString(hostPort), readLine(client));
        return hostPort;
    }

    @Test
    void hostConnectsToGuestBothWays() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            int hostPort = hostConnects(client, 6000);
            client.write(ByteBuffer.wrap(ascii("ping")));
            Packet ping = guest.awaitOp(OP_RW);
            assertArrayEquals(ascii("ping"), ping.payload());
            assertEquals(hostPort, ping.header().srcPort());
            guest.send(new VsockHeader(CID, 2, 6000, hostPort, 4, TYPE_STREAM, OP_RW, 0, 1 << 16, 4), ascii("pong"));
            assertArrayEquals(ascii("pong"), readExactly(client, 4));

            client.shutdownOutput();
            Packet shutdown = guest.awaitOp(OP_SHUTDOWN);
            assertEquals(SHUTDOWN_SEND, shutdown.header().flags());
        }
    }

    @Test
    void guestRefusingAHostConnectionClosesTheClient() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ascii("CONNECT 6001\n")));
            Packet request = guest.awaitOp(OP_REQUEST);
            guest.send(new VsockHeader(CID, 2, 6001, request.header().srcPort(), 0, TYPE_STREAM, OP_RST, 0, 0, 0),
                    new byte[0]);
            assertEquals(null, readLine(client), "client closed without OK");
        }
        TestDriver.await(() -> vsock.connectionCount() == 0, "connection gone");
    }

    @Test
    void badHandshakeIsClosed() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ascii("HELLO 5\n")));
            assertEquals(null, readLine(client));
        }
        assertEquals(0, vsock.connectionCount());
    }

    @Test
    void hostSendsNoMoreThanTheGuestsCredit() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ascii("CONNECT 6002\n")));
            Packet request = guest.awaitOp(OP_REQUEST);
            int hostPort = request.header().srcPort();
            // The guest grants 3000 bytes.
            guest.send(new VsockHeader(CID, 2, 6002, hostPort, 0, TYPE_STREAM, OP_RESPONSE, 0, 3000, 0), new byte[0]);
            assertEquals("OK " + Integer.toUnsignedString(hostPort), readLine(client));
            byte[] big = new byte[20000];
            Arrays.fill(big, (byte) 'x');
            client.write(ByteBuffer.wrap(big));

            List<Packet> first = packetsUntil(3000);
            assertEquals(3000, rwBytes(first), "the credit's worth");
            List<Packet> after = guest.drainFor(300);
            assertEquals(0, rwBytes(after), "nothing beyond the credit");
            first.addAll(after);
            assertTrue(first.stream().anyMatch(p -> p.header().op() == OP_CREDIT_REQUEST), "asks for credit");

            // The guest consumed it all and grants another 3000.
            guest.send(new VsockHeader(CID, 2, 6002, hostPort, 0, TYPE_STREAM, OP_CREDIT_UPDATE, 0, 3000, 3000),
                    new byte[0]);
            assertEquals(3000, rwBytes(packetsUntil(3000)));
            assertEquals(0, rwBytes(guest.drainFor(300)));
        }
    }

    private static int rwBytes(List<Packet> packets) {
        return packets.stream().filter(p -> p.header().op() == OP_RW).mapToInt(p -> p.payload().length).sum();
    }

    /** Packets received until they hold at least {@code n} data bytes (or 10 s pass). */
    private List<Packet> packetsUntil(int n) {
        List<Packet> got = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (rwBytes(got) < n && System.nanoTime() < deadline) {
            got.addAll(guest.drainFor(20));
        }
        return got;
    }

    @Test
    void guestCreditRequestIsAnswered() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_CREDIT_REQUEST, 0, 0), new byte[0]);
            Packet update = guest.awaitOp(OP_CREDIT_UPDATE);
            assertEquals(VsockConnections.BUFFER_BYTES, update.header().bufAlloc());
        }
    }

    @Test
    void guestSendingBeyondItsCreditIsReset() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            // The host never reads: its socket buffer, then our 64 KiB, fill up.
            byte[] chunk = new byte[VirtioVsock.MAX_PAYLOAD];
            boolean reset = false;
            for (int i = 0; i < 200 && !reset; i++) {
                guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_RW, chunk.length, 0), chunk);
                reset = guest.drainFor(5).stream().anyMatch(p -> p.header().op() == OP_RST);
            }
            assertTrue(reset, "RST once the guest overran its credit");
            assertEquals(0, vsock.connectionCount());
            assertFalse(guest.needsReset(), "only the connection is reset, not the device");
        }
    }

    @Test
    void strayAndMalformedPacketsGetRst() throws IOException {
        // RW with no connection
        guest.send(header(CID, 1, 2, OP_RW, 3, 0), ascii("abc"));
        assertEquals(1, guest.awaitOp(OP_RST).header().dstPort());
        // length beyond the buffer
        guest.send(header(CID, 3, 4, OP_RW, 1000, 0), ascii("abc"));
        assertEquals(3, guest.awaitOp(OP_RST).header().dstPort());
        // unknown op, no connection
        guest.send(header(CID, 5, 6, 99, 0, 0), new byte[0]);
        assertEquals(5, guest.awaitOp(OP_RST).header().dstPort());
        // wrong socket type
        guest.send(new VsockHeader(CID, 2, 8, 9, 0, 2, OP_REQUEST, 0, 0, 0), new byte[0]);
        assertEquals(8, guest.awaitOp(OP_RST).header().dstPort());
        // a RST for nothing gets no answer; a spoofed source CID is dropped silently
        guest.send(header(CID, 10, 11, OP_RST, 0, 0), new byte[0]);
        guest.send(header(99, 12, 13, OP_REQUEST, 0, 0), new byte[0]);
        assertEquals(List.of(), guest.drainFor(200));
        assertEquals(0, vsock.connectionCount());
        assertFalse(guest.needsReset());
    }

    @Test
    void wrongOpOnAnEstablishedConnectionResetsIt() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            guest.send(header(CID, GUEST_PORT, HOST_PORT, OP_RESPONSE, 0, 0), new byte[0]);
            guest.awaitOp(OP_RST);
            assertEquals(-1, host.read(ByteBuffer.allocate(1)), "host socket closed");
            assertEquals(0, vsock.connectionCount());
        }
    }

    @Test
    void dataBeforeTheGuestAcceptsIsReset() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ascii("CONNECT 6003\n")));
            int hostPort = guest.awaitOp(OP_REQUEST).header().srcPort();
            guest.send(new VsockHeader(CID, 2, 6003, hostPort, 1, TYPE_STREAM, OP_RW, 0, 4096, 0), ascii("!"));
            guest.awaitOp(OP_RST);
            assertEquals(null, readLine(client));
        }
    }

    @Test
    void headerShorterThan44BytesNeedsReset() {
        guest.sendRaw(new byte[20]);
        assertTrue(guest.needsReset());
    }

    @Test
    void deviceResetClosesHostSockets() throws IOException {
        try (ServerSocketChannel server = listen(HOST_PORT); SocketChannel host = guestConnects(server)) {
            guest.driver.write(VirtioMmioTransport.REG_STATUS, 0);
            assertEquals(-1, host.read(ByteBuffer.allocate(1)));
            assertEquals(0, vsock.connectionCount());
        }
    }
}
