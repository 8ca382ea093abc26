package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AptMirrorTest {
    // Host names here are placeholders in the reserved .example domain.
    @Test
    void deb822TakesTheMainArchiveNotTheSecurityOne() {
        String sources = """
                Types: deb
                # http://snapshot.example/archive/debian/20250520T000000Z
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://mirror.example/debian-security
                Suites: bookworm-security
                Components: main
                """;
        assertEquals(Optional.of("http://mirror.example/debian"), AptMirror.fromDeb822(sources));
    }

    @Test
    void deb822SkipsSourceOnlyDisabledAndSecurityStanzas() {
        String sources = """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: trixie-security
                Components: main

                Types: deb-src
                URIs: http://src.example/debian
                Suites: trixie

                Types: deb
                Enabled: no
                URIs: http://off.example/debian
                Suites: trixie

                Types: deb deb-src
                URIs: https://on.example/debian
                 https://second.example/debian
                Suites: trixie
                """;
        assertEquals(Optional.of("https://on.example/debian"), AptMirror.fromDeb822(sources));
    }

    @Test
    void deb822WithoutAnyUsableStanza() {
        assertEquals(Optional.empty(), AptMirror.fromDeb822("# nothing here\n"));
    }

    @Test
    void oneLineFormatWithOptionsAndComments() {
        String list = """
                # deb http://commented.example/debian bookworm main
                deb-src http://src.example/debian bookworm main
                deb http://security.example/debian-security bookworm-security main
                deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main contrib
                deb http://later.example/debian bookworm main
                """;
        assertEquals(Optional.of("http://mirror.example/debian"), AptMirror.fromOneLine(list));
    }

    @Test
    void oneLineFormatOldStyleSecuritySuite() {
        assertEquals(Optional.of("http://b.example/debian"), AptMirror.fromOneLine(
                "deb http://a.example/security buster/updates main\ndeb http://b.example/debian buster main\n"));
        assertEquals(Optional.empty(), AptMirror.fromOneLine("deb [broken http://x.example/debian trixie main\n"));
    }
}
