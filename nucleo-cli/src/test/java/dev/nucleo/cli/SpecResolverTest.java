package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecResolverTest {
    @TempDir
    Path tmp;

    private final List<String> fetched = new ArrayList<>();
    private Path fw;
    private Path kernel;
    private Path initrd;
    private Path userFile;

    /** Stands in for the cache; records which default files were asked for. */
    private final DefaultGuest defaults = new DefaultGuest() {
        @Override
        public Path firmware() {
            fetched.add("firmware");
            return fw;
        }

        @Override
        public Path kernel() {
            fetched.add("kernel");
            return kernel;
        }

        @Override
        public Path initrd() {
            fetched.add("initrd");
            return initrd;
        }
    };

    @BeforeEach
    void files() throws IOException {
        fw = Files.write(tmp.resolve("fw_jump.bin"), new byte[1]);
        kernel = Files.write(tmp.resolve("vmlinux"), new byte[1]);
        initrd = Files.write(tmp.resolve("initramfs.cpio.gz"), new byte[1]);
        // Given as firmware, kernel or initrd in turn, so it must pass as each: a small Image does.
        userFile = Files.write(tmp.resolve("mine.bin"), KernelImages.plain(4096, 8192));
    }

    private static SpecResolver.GuestOptions options(Path firmware, Path kernel, Path initrd, String cmdline) {
        return new SpecResolver.GuestOptions(Optional.ofNullable(firmware), Optional.ofNullable(kernel),
                Optional.ofNullable(initrd), Optional.ofNullable(cmdline), VmSpec.DEFAULT_MEMORY, 1);
    }

    private VmSpec resolve(SpecResolver.GuestOptions o) throws CliException {
        return new SpecResolver(defaults).resolve(o);
    }

    @Test
    void noGuestFlagsRunTheDefaultGuest() throws CliException {
        VmSpec spec = resolve(options(null, null, null, null));
        assertEquals(new VmSpec(Optional.of(fw), Optional.of(kernel), Optional.of(initrd), "console=ttyS0",
                256L << 20, 1), spec);
    }

    @Test
    void initrdAloneReplacesTheDefaultInitramfs() throws CliException {
        VmSpec spec = resolve(options(null, null, userFile, "console=ttyS0 quiet"));
        assertEquals(Optional.of(userFile), spec.initrd());
        assertEquals(Optional.of(kernel), spec.kernel());
        assertEquals("console=ttyS0 quiet", spec.cmdline());
        assertEquals(List.of("firmware", "kernel"), fetched);
    }

    @Test
    void firmwareAloneIsBareMetal() throws CliException {
        VmSpec spec = resolve(options(userFile, null, null, null));
        assertEquals(Optional.of(userFile), spec.firmware());
        assertEquals(Optional.empty(), spec.kernel());
        assertEquals(Optional.empty(), spec.initrd());
        assertEquals(List.of(), fetched, "bare metal needs nothing from the cache");
    }

    @Test
    void kernelWithoutFirmwareUsesTheCachedFwJump() throws CliException {
        VmSpec spec = resolve(options(null, userFile, null, null));
        assertEquals(Optional.of(fw), spec.firmware());
        assertEquals(Optional.of(userFile), spec.kernel());
        assertEquals(Optional.empty(), spec.initrd(), "the default initramfs belongs to the default kernel");
        assertEquals(List.of("firmware"), fetched);
    }

    @Test
    void missingFilesAreReportedBeforeAnythingIsFetched() {
        CliException e = assertThrows(CliException.class, () -> resolve(options(null, tmp.resolve("nope"), null, null)));
        assertEquals(ExitStatus.MISSING_INPUT, e.status());
        assertTrue(e.getMessage().contains("nope"));
        assertEquals(List.of(), fetched);
        assertEquals(ExitStatus.MISSING_INPUT,
                assertThrows(CliException.class, () -> resolve(options(tmp, null, null, null))).status());
    }

    @Test
    void impossibleCombinationsAreUsageErrors() {
        assertEquals(ExitStatus.USAGE,
                assertThrows(CliException.class, () -> resolve(options(userFile, null, userFile, null))).status());
        assertEquals(ExitStatus.USAGE,
                assertThrows(CliException.class, () -> resolve(options(userFile, null, null, "x"))).status());
        SpecResolver.GuestOptions noCpus = new SpecResolver.GuestOptions(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), VmSpec.DEFAULT_MEMORY, 0);
        assertEquals(ExitStatus.USAGE, assertThrows(CliException.class, () -> resolve(noCpus)).status());
    }
}
