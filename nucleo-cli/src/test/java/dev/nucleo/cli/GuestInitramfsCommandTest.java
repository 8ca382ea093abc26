package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nucleo guest initramfs} against a fake default guest in a temporary cache (tiny
 * stand-ins for the firmware, kernel, busybox and one module); nothing boots or fetches.
 */
class GuestInitramfsCommandTest {
    private static final String KVER = "6.0.0-test";
    private static final byte[] BUSYBOX = "fake busybox".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MODULE = "fake module".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    private GuestCache cache;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private byte[] stdin = new byte[0];

    @BeforeEach
    void fakeGuest() throws IOException {
        cache = new GuestCache(tmp.resolve("cache"));
        Path guest = Files.createDirectories(cache.guestDir());
        Files.writeString(guest.resolve("fw_jump.bin"), "fw");
        Files.writeString(guest.resolve("vmlinux"), "kernel");
        Files.write(guest.resolve("busybox"), BUSYBOX);
        Path modules = Files.createDirectories(guest.resolve("modules").resolve(KVER));
        Files.createDirectories(modules.resolve("kernel/drivers/virtio"));
        Files.write(modules.resolve("kernel/drivers/virtio/virtio_mmio.ko"), MODULE);
        Files.writeString(modules.resolve("nucleo.load"), "kernel/drivers/virtio/virtio_mmio.ko\n");
        Files.writeString(guest.resolve("manifest.properties"), "format=1\nkernel.version=" + KVER + "\n");
    }

    private int execute(String... args) {
        PrintStream err = new PrintStream(errBytes, true);
        CommandLine cli = Main.commandLine(err);
        GuestInitramfsCommand command =
                cli.getSubcommands().get("guest").getSubcommands().get("initramfs").getCommand();
        command.cache = cache;
        command.err = err;
        command.stdin = new ByteArrayInputStream(stdin);
        return cli.execute(args);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void withNoOptionsItIsTheDefaultInitramfs() throws IOException {
        Path out = tmp.resolve("rd.gz");
        assertEquals(0, execute("guest", "initramfs", "-o", out.toString()), err());
        assertEquals("", err());
        Map<String, Entry> archive = read(out);
        assertArrayEquals(BUSYBOX, archive.get("bin/busybox").data());
        assertEquals(0755, archive.get("bin/busybox").permissions());
        assertArrayEquals(MODULE, archive.get("lib/modules/virtio_mmio.ko").data());
        assertTrue(archive.get("init").text().contains(InitramfsBuilder.READY_BANNER));
        assertFalse(archive.containsKey(InitramfsBuilder.INIT_SCRIPT_PATH.substring(1)));
    }

    @Test
    void addsTheInitScriptAndFiles() throws IOException {
        Path script = write("bench.sh", "echo marker\npoweroff -f\n");
        Path payload = write("payload.bin", "payload");
        Path tool = write("tool", "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
        Path out = tmp.resolve("rd.gz");

        assertEquals(0, execute("guest", "initramfs", "--init-script", script.toString(),
                "--file", payload + ":/root/data/payload:0600", "--file", tool + ":/usr/bin/tool",
                "--output", out.toString()), err());

        Map<String, Entry> archive = read(out);
        Entry init = archive.get(InitramfsBuilder.INIT_SCRIPT_PATH.substring(1));
        assertEquals("#!/bin/sh\necho marker\npoweroff -f\n", init.text());
        assertEquals("payload", archive.get("root/data/payload").text());
        assertEquals(0600, archive.get("root/data/payload").permissions());
        assertEquals(0040000, archive.get("root/data").mode() & 0170000, "parent directory comes first");
        assertEquals(0750, archive.get("usr/bin/tool").permissions(), "the host file's mode by default");
        assertArrayEquals(BUSYBOX, archive.get("bin/busybox").data());
    }

    @Test
    void readsTheInitScriptFromStdinAndReplacesTheOutput() throws IOException {
        Path out = write("rd.gz", "old contents");
        stdin = "echo from stdin".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, execute("guest", "initramfs", "--init-script", "-", "-o", out.toString()), err());
        assertEquals("#!/bin/sh\necho from stdin\n",
                read(out).get(InitramfsBuilder.INIT_SCRIPT_PATH.substring(1)).text());
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "no temporary file is left beside the output (cache, rd.gz)");
        }
    }

    @Test
    void fileSpecsSplitFromTheRight() {
        var spec = GuestInitramfsCommand.FileSpec.parse("/host/a:b/c:/guest/c:755");
        assertEquals(Path.of("/host/a:b/c"), spec.host());
        assertEquals("/guest/c", spec.guest());
        assertEquals(0755, spec.mode());
        assertEquals(-1, GuestInitramfsCommand.FileSpec.parse("x:/y").mode());
        assertEquals("/etc/dir", GuestInitramfsCommand.FileSpec.parse("x:/etc/dir/").guest());
        for (String bad : new String[] {"x", "x:y", ":/y", "x:/y:999", "x:/y:rw", "x:/", "x:/a/../b", "x:/a//b",
                "x:/y:"}) {
            assertThrows(CommandLine.TypeConversionException.class,
                    () -> GuestInitramfsCommand.FileSpec.parse(bad), bad);
        }
    }

    @Test
    void usageErrorsExitWith64() throws IOException {
        Path payload = write("payload", "p");
        Path out = tmp.resolve("rd.gz");
        for (String[] args : new String[][] {
                {"guest", "initramfs"},
                {"guest", "initramfs", "-o"},
                {"guest", "initramfs", "--file", payload + ":relative", "-o", out.toString()},
                {"guest", "initramfs", "--file", payload + ":/a:9", "-o", out.toString()},
                {"guest", "initramfs", "--bogus", "-o", out.toString()},
                {"guest", "initramfs", "-o", out.toString(), "extra"}}) {
            errBytes.reset();
            assertEquals(64, execute(args), String.join(" ", args) + ": " + err());
            assertTrue(err().startsWith("nucleo: "), err());
            assertFalse(err().contains("\tat "), err());
        }
        assertTrue(err().contains("extra"), err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingInputsExitWith66AndWriteNothing() throws IOException {
        Path out = tmp.resolve("rd.gz");
        assertEquals(66, execute("guest", "initramfs", "--init-script", tmp.resolve("nope.sh").toString(),
                "-o", out.toString()));
        assertEquals("nucleo: cannot read the init script " + tmp.resolve("nope.sh") + ": no such file",
                err().strip());

        errBytes.reset();
        assertEquals(66, execute("guest", "initramfs", "--file", tmp.resolve("gone") + ":/gone", "-o", out.toString()));
        assertTrue(err().contains("gone") && err().contains("no such file"), err());

        errBytes.reset();
        assertEquals(66, execute("guest", "initramfs", "--file", tmp + ":/dir", "-o", out.toString()));
        assertTrue(err().contains("is a directory"), err());
        assertFalse(Files.exists(out));
    }

    @Test
    void anUnwritableOutputExitsWith73() {
        Path out = tmp.resolve("no-such-dir").resolve("rd.gz");
        assertEquals(73, execute("guest", "initramfs", "-o", out.toString()));
        assertTrue(err().startsWith("nucleo: cannot write " + out), err());
        assertEquals(1, err().strip().lines().count(), err());

        errBytes.reset();
        assertEquals(73, execute("guest", "initramfs", "-o", tmp.toString()));
        assertTrue(err().contains("is a directory"), err());
    }

    @Test
    void helpShowsTheOptionsAndStatuses() {
        CommandLine cli = Main.commandLine(System.err);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("guest", "initramfs", "--help"));
        for (String expected : new String[] {"--init-script=FILE", "--file=HOSTPATH:GUESTPATH[:MODE]",
                "-o, --output=OUT", InitramfsBuilder.READY_BANNER, "Exit status:", "66", "73"}) {
            assertTrue(out.toString().contains(expected), expected + " in:\n" + out);
        }
    }

    private record Entry(int mode, byte[] data) {
        int permissions() {
            return mode & 07777;
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** The members of a gzip'd newc archive by name (enough of newc for these checks). */
    private static Map<String, Entry> read(Path file) throws IOException {
        byte[] cpio;
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            cpio = in.readAllBytes();
        }
        Map<String, Entry> members = new LinkedHashMap<>();
        int pos = 0;
        while (true) {
            assertEquals("070701", ascii(cpio, pos, 6), "newc magic at " + pos);
            int mode = hex(cpio, pos + 6 + 8);
            int size = hex(cpio, pos + 6 + 6 * 8);
            int nameSize = hex(cpio, pos + 6 + 11 * 8);
            String name = ascii(cpio, pos + 110, nameSize - 1);
            int data = align4(pos + 110 + nameSize);
            if (name.equals("TRAILER!!!")) {
                return members;
            }
            members.put(name, new Entry(mode, Arrays.copyOfRange(cpio, data, data + size)));
            pos = align4(data + size);
        }
    }

    private static String ascii(byte[] b, int pos, int len) {
        return new String(b, pos, len, StandardCharsets.US_ASCII);
    }

    private static int hex(byte[] b, int pos) {
        return Integer.parseInt(ascii(b, pos, 8), 16);
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
