package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock kernel on two virtio-blk disks: it reads what the host put on the first, writes
 * and syncs a pattern that is in the host file after power-off, and cannot write the
 * read-only second one.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class VirtioBlkBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final int DISK_BYTES = 8 << 20;
    private static final int PREFILLED_AT = 4096;      // the guest reads 4 KiB here
    private static final int WRITTEN_AT = 16 * 4096;   // the guest writes the pattern here
    private static final int PATTERN_BYTES = 64 << 10;

    private static final String SCRIPT = """
            echo "vda-size $(cat /sys/block/vda/size)"
            echo "vdb-ro $(cat /sys/block/vdb/ro)"
            echo "prefilled $(dd if=/dev/vda bs=4096 skip=1 count=1 2>/dev/null | md5sum)"
            dd if=/etc/pattern of=/dev/vda bs=4096 seek=16 conv=fsync 2>/dev/null
            echo "write-status $?"
            sync
            echo 3 > /proc/sys/vm/drop_caches
            echo "readback $(dd if=/dev/vda bs=4096 skip=16 count=16 2>/dev/null | md5sum)"
            if dd if=/etc/pattern of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; then
                echo "ro-write accepted"
            else
                echo "ro-write refused"
            fi
            echo "disk-test-done"
            """;

    @TempDir
    Path dir;

    @Test
    void guestReadsWritesAndCannotWriteReadOnlyDisk() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        Random random = new Random(42);
        byte[] disk = new byte[DISK_BYTES];
        random.nextBytes(disk);
        Path rw = Files.write(dir.resolve("rw.img"), disk);
        byte[] roBytes = new byte[1 << 20];
        random.nextBytes(roBytes);
        Path ro = Files.write(dir.resolve("ro.img"), roBytes);
        byte[] pattern = new byte[PATTERN_BYTES];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) ("nucleo-virtio-blk ".charAt(i % 18) ^ (i >> 12));
        }
        Path initrd = dir.resolve("initrd.cpio.gz");
        guest.initramfs().withFile("/etc/pattern", pattern, 0644).withInitScript(SCRIPT).writeTo(initrd);

        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1)
                .withDisks(List.of(new DiskSpec(rw, false), new DiskSpec(ro, true)));
        ConsoleTranscript console = new ConsoleTranscript();
        VmExit result;
        try (Vm vm = Vm.create(spec, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            console.await("disk-test-done", at, SCRIPT_TIMEOUT);
            result = exit.get(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        String text = console.text();
        assertEquals(new VmExit.PowerOff(), result, text);
        assertEquals(String.valueOf(DISK_BYTES / 512), field(text, "vda-size"), "capacity seen by the guest");
        assertEquals("1", field(text, "vdb-ro"), "second disk is read-only in the guest");
        assertEquals(md5(disk, PREFILLED_AT, 4096), field(text, "prefilled"), "guest read the host's bytes");
        assertEquals("0", field(text, "write-status"), text);
        assertEquals(md5(pattern, 0, pattern.length), field(text, "readback"), "guest read back its write");
        assertEquals("refused", field(text, "ro-write"));

        byte[] after = Files.readAllBytes(rw);
        byte[] expected = disk.clone();
        System.arraycopy(pattern, 0, expected, WRITTEN_AT, pattern.length);
        assertArrayEquals(expected, after, "host file holds the guest's write and nothing else changed");
        assertArrayEquals(roBytes, Files.readAllBytes(ro), "read-only disk untouched");
    }

    /** The first word after "name " on a line of its own in the transcript. */
    private static String field(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" line in the console output:\n" + text);
        }
        return m.group(1);
    }

    private static String md5(byte[] data, int from, int length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(data, from, length);
        return HexFormat.of().formatHex(md.digest());
    }
}
