package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AptTest {
    @Test
    void privateSourcesLine() {
        assertEquals("deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
                + " http://mirror.example/debian trixie main", Apt.sourcesLine("http://mirror.example/debian"));
    }

    @Test
    void optionsGiveAptAPrivateRiscvView() {
        Apt apt = new Apt(Path.of("/w"), "http://mirror.example/debian");
        String opts = String.join(" ", apt.options());
        for (String expected : List.of(
                "-o Dir::Etc::sourcelist=/w/sources.list", "-o Dir::Etc::sourceparts=-",
                "-o Dir::State::Lists=/w/lists", "-o APT::Architecture=riscv64",
                "-o APT::Architectures=riscv64", "-o Dir::State::status=/dev/null", "-o Dir::Cache=/w/cache")) {
            assertTrue(opts.contains(expected), expected + " in " + opts);
        }
    }

    @Test
    void versionedKernelFromAptCacheDepends() {
        List<String> out = List.of("linux-image-riscv64", "  Depends: linux-image-6.12.117+deb13-riscv64");
        assertEquals(Optional.of("linux-image-6.12.117+deb13-riscv64"), Apt.parseVersionedKernel(out));
        assertEquals(Optional.empty(), Apt.parseVersionedKernel(List.of("linux-image-riscv64", "  Depends: <foo>")));
    }

    @Test
    void downloadSizeFromPrintUris() {
        List<String> out = List.of(
                "'http://mirror.example/debian/pool/main/b/busybox/busybox-static_1%3a1.37.0-6+b9_riscv64.deb'"
                        + " busybox-static_1%3a1.37.0-6+b9_riscv64.deb 941532 SHA256:abc",
                "'http://mirror.example/debian/pool/main/o/opensbi/opensbi_1.6-1_all.deb' opensbi_1.6-1_all.deb 204072 SHA256:def",
                "Reading package lists...");
        assertEquals(941532 + 204072, Apt.parseDownloadSize(out));
    }

    @Test
    void updateFailuresAreFoundInAptsWarnings() {
        assertEquals(List.of(), Apt.updateFailures(List.of("Get:1 http://m.example/debian trixie InRelease [140 kB]",
                "Fetched 9528 kB in 1s (11.3 MB/s)", "Reading package lists...")));
        assertEquals(2, Apt.updateFailures(List.of("Err:1 http://m.example/debian trixie InRelease",
                "W: Failed to fetch http://m.example/debian/dists/trixie/InRelease  Could not connect",
                "W: Some index files failed to download.")).size());
    }
}
