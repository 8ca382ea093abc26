package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestManifestTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsDebianVersions() throws IOException {
        GuestManifest manifest = new GuestManifest(GuestManifest.FORMAT, "6.12.117+deb13-riscv64",
                Map.of("busybox-static", "1:1.37.0-6+b9", "linux-image-6.12.117+deb13-riscv64", "6.12.117-1"),
                "http://m.example/debian");
        manifest.write(tmp);
        assertEquals(Optional.of(manifest), GuestManifest.read(tmp));
        assertTrue(Files.readString(tmp.resolve("manifest.properties")).contains("package.busybox-static=1:1.37.0-6+b9"));
    }

    @Test
    void otherFormatsCountAsAbsent() throws IOException {
        Files.writeString(tmp.resolve("manifest.properties"), "format=0\nkernel.version=x\n");
        assertEquals(Optional.empty(), GuestManifest.read(tmp));
        assertEquals(Optional.empty(), GuestManifest.read(tmp.resolve("nowhere")));
    }
}
