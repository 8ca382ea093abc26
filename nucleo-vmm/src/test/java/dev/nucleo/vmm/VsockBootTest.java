package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The stock kernel's AF_VSOCK over our virtio-vsock, both ways: a guest program connects to a
 * host Unix socket server (CID 2, port 5000 -> {@code v.sock_5000}), and a host client
 * reaches a guest server through {@code v.sock} with {@code CONNECT 6000}. The guest program
 * is a small C file compiled at test time with the riscv64 Linux cross compiler.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class VsockBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final String CC = "riscv64-linux-gnu-gcc";
    private static final long CID = 42;

    private static final String SCRIPT = """
            /bin/vsock-probe serve 6000 &
            /bin/vsock-probe connect 2 5000 hello-from-guest
            wait
            echo "vsock-test-done"
            """;

    @TempDir
    Path dir;

    @Test
    void hostAndGuestTalkBothWays() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        Path probe = compileProbe();
        Path initrd = dir.resolve("initrd.cpio.gz");
        guest.initramfs().withFile("/bin/vsock-probe", Files.readAllBytes(probe), 0755)
                .withInitScript(SCRIPT).writeTo(initrd);

        Path socket = dir.resolve("v.sock");
        CompletableFuture<String> hostServer;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(Path.of(socket + "_5000")));
            // Not the common pool: with few cores it has one thread, which vm::run needs.
            hostServer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    hostServer.complete(serveOnce(server));
                } catch (RuntimeException e) {
                    hostServer.completeExceptionally(e);
                }
            });

            VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                    "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1)
                    .withDevices(List.of(new VsockSpec(CID, socket)));
            ConsoleTranscript console = new ConsoleTranscript();
            VmExit result;
            String hostClientGot;
            try (Vm vm = Vm.create(spec, console)) {
                CompletableFuture<VmExit> exit = Background.run(vm);
                int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
                console.await("vsock-listening 6000", at, SCRIPT_TIMEOUT);
                hostClientGot = connectToGuest(socket, 6000, "hello-from-host");
                console.await("vsock-test-done", at, SCRIPT_TIMEOUT);
                result = exit.get(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            String text = console.text();
            assertEquals(new VmExit.PowerOff(), result, text);
            assertEquals("hello-from-guest", hostServer.get(10, TimeUnit.SECONDS), "host server read the guest");
            assertEquals("host got: hello-from-guest", bracketed(text, "vsock-reply"), text);
            assertEquals("hello-from-host", bracketed(text, "vsock-served"), text);
            assertEquals("guest got: hello-from-host", hostClientGot, text);
        }
    }

    /** Host server on socket_5000: reads until the guest half-closes, answers, closes. */
    private static String serveOnce(ServerSocketChannel server) {
        try (SocketChannel ch = server.accept()) {
            String got = new String(readToEof(ch), StandardCharsets.US_ASCII);
            ch.write(ByteBuffer.wrap(("host got: " + got).getBytes(StandardCharsets.US_ASCII)));
            return got;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Host client: CONNECT, OK, message, half-close, the guest's whole answer. */
    private static String connectToGuest(Path socket, int port, String message) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder line = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (ch.read(one.clear()) > 0 && one.get(0) != '\n') {
                line.append((char) one.get(0));
            }
            if (!line.toString().matches("OK \\d+")) {
                throw new AssertionError("handshake answer: \"" + line + "\"");
            }
            ch.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            return new String(readToEof(ch), StandardCharsets.US_ASCII);
        }
    }

    private static byte[] readToEof(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
            // keep reading
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    /** Compiles vsock-probe.c statically for the guest; skips (fails in CI) without the compiler. */
    private Path compileProbe() throws IOException, InterruptedException {
        Path source = dir.resolve("vsock-probe.c");
        try (InputStream in = VsockBootTest.class.getResourceAsStream("vsock-probe.c")) {
            Files.copy(in, source);
        }
        Path out = dir.resolve("vsock-probe");
        Process cc;
        try {
            cc = new ProcessBuilder(CC, "-static", "-O2", "-o", out.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(CC + " is missing; CI must run scripts/install-test-tools", e);
            }
            Assumptions.abort(CC + " not installed (scripts/install-test-tools installs it)");
            throw e;
        }
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cc.waitFor(120, TimeUnit.SECONDS) || cc.exitValue() != 0) {
            throw new AssertionError("compiling vsock-probe failed:\n" + log);
        }
        return out;
    }

    /** The text between brackets after "name [" on the console. */
    private static String bracketed(String text, String name) {
        Matcher m = Pattern.compile(Pattern.quote(name) + " \\[([^\\]]*)\\]").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + " [...]\" in the console output:\n" + text);
        }
        return m.group(1);
    }
}
