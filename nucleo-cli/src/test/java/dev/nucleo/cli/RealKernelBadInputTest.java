package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nucleo.vmm.guest.GuestAssets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input made from the real Debian kernel: rejected before anything boots. */
@Tag("guest")
class RealKernelBadInputTest {
    @TempDir
    Path tmp;

    private GuestAssets guest;

    @BeforeEach
    void guest() {
        guest = CachedGuest.require();
    }

    private Path firstBytes(String name, long count) throws IOException {
        Path cut = tmp.resolve(name);
        try (InputStream in = Files.newInputStream(guest.kernel())) {
            Files.write(cut, in.readNBytes(Math.toIntExact(count)));
        }
        return cut;
    }

    private static CliRun run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "run";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        assertEquals("", run.out(), "nothing may boot: " + run);
        return run;
    }

    @Test
    void first100BytesOfTheImageAreTruncated() throws IOException {
        run("--kernel", firstBytes("Image-100", 100).toString()).expect(65, "kernel", "Image-100", "truncated");
    }

    @Test
    void imageCutInTheMiddleOfItsImageSizeIsTruncated() throws IOException {
        byte[] header = Files.readAllBytes(firstBytes("header", 64));
        long imageSize = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(0x10);
        Path half = firstBytes("Image-half", imageSize / 2);
        run("--kernel", half.toString()).expect(65, "kernel", "truncated", (imageSize / 2) + " bytes");
        run("--firmware", guest.firmware().toString(), "--kernel", half.toString()).expect(65, "truncated");
    }

    @Test
    void thirtyTwoMebibytesAreTooFewForKernelAndInitrd() throws IOException {
        run("--memory", "32M", "--kernel", guest.kernel().toString(), "--initrd", guest.defaultInitrd().toString())
                .expect(64, "--memory 32 MiB is too small for this firmware, kernel and initrd", "at least");
        run("--memory", "32M").expect(64, "--memory 32 MiB is too small", "at least");
    }
}
