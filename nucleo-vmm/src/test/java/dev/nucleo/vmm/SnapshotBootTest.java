package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.Clint;
import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * One boot of the stock kernel to its shell, a marker file written in the guest's tmpfs, then
 * pause, snapshot and stop; every test restores that snapshot (the restored console must
 * answer), runs clones of it side by side, pauses one, or damages a copy of it.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String MARKER = "snapshot-marker-7f3a";

    private Path dir;
    private Path snapshot;

    @BeforeAll
    void bootAndSnapshot(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()),
                Optional.of(guest.defaultInitrd()), "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1);
        ConsoleTranscript console = new ConsoleTranscript();
        snapshot = dir.resolve("booted");
        try (Vm vm = Vm.create(spec, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            at = console.await("# ", at, COMMAND_TIMEOUT);
            type(vm, "echo " + MARKER + " > /tmp/marker; echo written-$((2 * 3))\n");
            at = console.await("written-6", at, COMMAND_TIMEOUT);
            console.await("# ", at, COMMAND_TIMEOUT);
            vm.pause();
            vm.snapshot(snapshot);
            vm.stop();
            assertEquals(new VmExit.Stopped(), exit.get(30, TimeUnit.SECONDS));
        }
    }

    @AfterAll
    void noSnapshotLeftHalfWritten() throws IOException {
        if (dir == null) {
            return; // skipped: no guest
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".partial-")));
        }
    }

    @Test
    void restoredVmAnswersWhereTheSnapshotLeftOffAndPowersOff() throws Exception {
        ConsoleTranscript console = new ConsoleTranscript();
        long start = System.nanoTime();
        try (Vm vm = Vm.restore(snapshot, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            type(vm, "cat /tmp/marker; echo answer-$((6*7))\n");
            int at = console.await("answer-42", 0, COMMAND_TIMEOUT);
            long answered = System.nanoTime() - start;
            assertTrue(console.text().contains(MARKER + "\r\n") || console.text().contains(MARKER + "\n"),
                    console.text());
            System.out.printf("restore() to the console answering: %d ms%n", answered / 1_000_000);
            type(vm, "poweroff -f\n");
            assertEquals(new VmExit.PowerOff(), exit.get(60, TimeUnit.SECONDS), console.text());
        }
    }

    @Test
    void pausedVmRetiresNothingAndItsTimeStandsStill() throws Exception {
        ConsoleTranscript console = new ConsoleTranscript();
        try (Vm vm = Vm.restore(snapshot, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            type(vm, "echo before-$((1+1))\n");
            int at = console.await("before-2", 0, COMMAND_TIMEOUT);
            console.await("# ", at, COMMAND_TIMEOUT);     // the shell now waits for input, in WFI

            vm.pause();
            vm.pause();                                    // idempotent
            assertTrue(vm.isPaused());
            long instret = vm.hart(0).instructionsRetired();
            long time = vm.guestTime();
            Thread.sleep(1000);
            assertEquals(instret, vm.hart(0).instructionsRetired(), "a paused hart retires nothing");
            assertEquals(time, vm.guestTime(), "guest time stands still while paused");
            vm.resume();
            vm.resume();                                   // idempotent
            assertFalse(vm.isPaused());
            long jump = vm.guestTime() - time;
            assertTrue(jump >= 0 && jump < Clint.TIMEBASE_HZ / 2, "guest time jumped by " + jump + " ticks");

            type(vm, "echo after-$((2+2))\n");
            at = console.await("after-4", at, COMMAND_TIMEOUT);

            vm.pause();                                    // stop() must end a paused VM
            vm.stop();
            assertEquals(new VmExit.Stopped(), exit.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void twoClonesRunSideBySideWithoutSeeingEachOthersWrites() throws Exception {
        Path memory = snapshot.resolve(SnapshotFile.MEMORY);
        long before = crc(memory);
        ConsoleTranscript consoleA = new ConsoleTranscript();
        ConsoleTranscript consoleB = new ConsoleTranscript();
        try (Vm a = Vm.restore(snapshot, consoleA); Vm b = Vm.restore(snapshot, consoleB)) {
            CompletableFuture<VmExit> exitA = Background.run(a);
            CompletableFuture<VmExit> exitB = Background.run(b);
            consoleA.endWhenDone(exitA);
            consoleB.endWhenDone(exitB);
            type(a, "echo clone-a > /tmp/marker; dd if=/dev/urandom of=/tmp/noise bs=1k count=2048 2>/dev/null;"
                    + " echo a-done-$((3*3))\n");
            consoleA.await("a-done-9", 0, COMMAND_TIMEOUT);
            type(b, "cat /tmp/marker; ls /tmp/noise; echo b-done-$((4*4))\n");
            consoleB.await("b-done-16", 0, COMMAND_TIMEOUT);
            type(a, "cat /tmp/marker; echo a-again-$((5*5))\n");
            consoleA.await("a-again-25", 0, COMMAND_TIMEOUT);
            assertTrue(consoleB.text().contains(MARKER), "clone B still has the snapshot's marker: " + consoleB.text());
            assertTrue(consoleB.text().contains("No such file"), "clone B has no /tmp/noise: " + consoleB.text());
            assertTrue(consoleA.text().contains("clone-a\r\n") || consoleA.text().contains("clone-a\n"),
                    consoleA.text());
            type(a, "poweroff -f\n");
            type(b, "poweroff -f\n");
            assertEquals(new VmExit.PowerOff(), exitA.get(60, TimeUnit.SECONDS));
            assertEquals(new VmExit.PowerOff(), exitB.get(60, TimeUnit.SECONDS));
        }
        assertEquals(before, crc(memory), "the snapshot's memory file is unchanged");
        try (Vm c = Vm.restore(snapshot, new ConsoleTranscript())) {
            // and it still restores after the clones ran
            assertFalse(c.isPaused());
        }
    }

    @Test
    void damagedSnapshotsAreRefusedWithAClearMessage() throws Exception {
        Path flippedMemory = copyOf("flipped-memory");
        flipByte(flippedMemory.resolve(SnapshotFile.MEMORY), firstDataOffset(flippedMemory.resolve(SnapshotFile.MEMORY)) + 100);
        assertRefused(flippedMemory, "corrupt");

        Path flippedMeta = copyOf("flipped-metadata");
        Path meta = flippedMeta.resolve(SnapshotFile.METADATA);
        flipByte(meta, Files.size(meta) / 2);
        assertRefused(flippedMeta, "corrupt");

        Path truncatedMemory = copyOf("truncated-memory");
        try (FileChannel ch = FileChannel.open(truncatedMemory.resolve(SnapshotFile.MEMORY), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4096);
        }
        assertRefused(truncatedMemory, "truncated");

        Path truncatedMeta = copyOf("truncated-metadata");
        Path meta2 = truncatedMeta.resolve(SnapshotFile.METADATA);
        try (FileChannel ch = FileChannel.open(meta2, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        assertRefused(truncatedMeta, "truncated");

        Path wrongVersion = copyOf("wrong-version");
        Path meta3 = wrongVersion.resolve(SnapshotFile.METADATA);
        int versionAt = 2 + SnapshotFile.FORMAT.length();   // after the UTF length and name
        try (FileChannel ch = FileChannel.open(meta3, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, 99), versionAt);
        }
        assertRefused(wrongVersion, "version 99");

        assertRefused(dir.resolve("no-such-snapshot"), "missing");

        VmSpec other = Vm.snapshotSpec(snapshot);
        VmSpec bigger = new VmSpec(other.firmware(), other.kernel(), other.initrd(), other.cmdline(),
                other.memoryBytes() * 2, other.cpus());
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> Vm.restore(snapshot, bigger, new ConsoleTranscript()));
        assertTrue(e.getMessage().contains("RAM"), e.getMessage());
        VmSpec withRng = other.withDevices(List.of(new RngSpec()));
        e = assertThrows(SnapshotException.class, () -> Vm.restore(snapshot, withRng, new ConsoleTranscript()));
        assertTrue(e.getMessage().contains("devices"), e.getMessage());
    }

    private void assertRefused(Path snapshotDir, String expected) {
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> Vm.restore(snapshotDir, new ConsoleTranscript()).close());
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should say " + expected);
        assertEquals(VmConfigException.Kind.BAD_IMAGE, e.kind());
    }

    /** A copy of the snapshot that keeps the memory file sparse (only its data is copied). */
    private Path copyOf(String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.createDirectory(copy);
        Files.copy(snapshot.resolve(SnapshotFile.METADATA), copy.resolve(SnapshotFile.METADATA));
        Path from = snapshot.resolve(SnapshotFile.MEMORY);
        long size = Files.size(from);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(copy.resolve(SnapshotFile.MEMORY), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            for (FileExtents.Extent e : FileExtents.of(from, size)) {
                long at = e.start();
                while (at < e.end()) {
                    at += in.transferTo(at, e.end() - at, out.position(at));
                }
            }
        }
        try (var raf = new java.io.RandomAccessFile(copy.resolve(SnapshotFile.MEMORY).toFile(), "rw")) {
            raf.setLength(size);
        }
        return copy;
    }

    private static long firstDataOffset(Path file) throws IOException {
        return FileExtents.of(file, Files.size(file)).getFirst().start();
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            b.rewind();
            ch.write(b, offset);
        }
    }

    private static long crc(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    private static void type(Vm vm, String line) {
        vm.sendConsoleInput(line.getBytes(StandardCharsets.US_ASCII));
    }
}
