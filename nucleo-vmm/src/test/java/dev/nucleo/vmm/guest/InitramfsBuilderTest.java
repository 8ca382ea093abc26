package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsBuilderTest {
    @TempDir
    Path tmp;

    private Map<String, CpioReader.Member> members(InitramfsBuilder builder) throws IOException {
        return CpioReader.readGzip(builder.build()).stream()
                .collect(Collectors.toMap(CpioReader.Member::name, Function.identity()));
    }

    private Path fakeBusybox() throws IOException {
        return Files.write(tmp.resolve("busybox"), new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
    }

    @Test
    void basicTreeHasDirectoriesDevicesAndInit() throws IOException {
        Map<String, CpioReader.Member> m = members(new InitramfsBuilder());
        for (String dir : List.of("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "lib", "lib/modules")) {
            assertEquals(CpioWriter.S_IFDIR, m.get(dir).type(), dir);
        }
        assertEquals(01777, m.get("tmp").permissions());

        CpioReader.Member console = m.get("dev/console");
        assertEquals(CpioWriter.S_IFCHR, console.type());
        assertEquals(5, console.rdevMajor());
        assertEquals(1, console.rdevMinor());
        CpioReader.Member devNull = m.get("dev/null");
        assertEquals(CpioWriter.S_IFCHR, devNull.type());
        assertEquals(1, devNull.rdevMajor());
        assertEquals(3, devNull.rdevMinor());

        CpioReader.Member init = m.get("init");
        assertEquals(CpioWriter.S_IFREG, init.type());
        assertEquals(0755, init.permissions());
        assertTrue(init.text().startsWith("#!/bin/sh\n"));
        assertTrue(init.text().contains("mount -t devtmpfs devtmpfs /dev"));
        assertTrue(init.text().contains("echo \"" + InitramfsBuilder.READY_BANNER + "\""));
        assertTrue(init.text().contains("setsid cttyhack sh"));
        assertTrue(init.text().contains("poweroff -f"));
    }

    @Test
    void busyboxAndAppletLinks() throws IOException {
        Path busybox = fakeBusybox();
        Map<String, CpioReader.Member> m = members(new InitramfsBuilder().withBusybox(busybox));
        CpioReader.Member bin = m.get("bin/busybox");
        assertEquals(0755, bin.permissions());
        assertArrayEquals(Files.readAllBytes(busybox), bin.data());
        for (String applet : List.of("sh", "poweroff", "insmod", "mount", "sha256sum", "cttyhack", "setsid")) {
            CpioReader.Member link = m.get("bin/" + applet);
            assertNotNull(link, applet);
            assertEquals(CpioWriter.S_IFLNK, link.type());
            assertEquals("busybox", link.text());
        }
    }

    @Test
    void modulesGoUnderLibModulesWithTheirLoadOrder() throws IOException {
        Path a = Files.write(tmp.resolve("jbd2.ko"), new byte[] {1});
        Path b = Files.write(tmp.resolve("ext4.ko"), new byte[] {2, 2});
        Map<String, CpioReader.Member> m = members(new InitramfsBuilder().withModules(List.of(a, b)));
        assertArrayEquals(new byte[] {2, 2}, m.get("lib/modules/ext4.ko").data());
        assertEquals("jbd2.ko\next4.ko\n", m.get("lib/modules/load.order").text());
        assertThrows(IllegalArgumentException.class,
                () -> new InitramfsBuilder().withModules(List.of(tmp.resolve("x.ko.xz"))));
    }

    @Test
    void initScriptAndExtraFiles() throws IOException {
        Map<String, CpioReader.Member> m = members(new InitramfsBuilder()
                .withInitScript("echo hello")
                .withFile("/data/deep/blob.bin", new byte[] {9, 8, 7}, 0600)
                .withSymlink("/data/link", "deep/blob.bin"));
        CpioReader.Member script = m.get("etc/nucleo/init.sh");
        assertEquals("#!/bin/sh\necho hello\n", script.text());
        assertEquals(0755, script.permissions());
        assertEquals(CpioWriter.S_IFDIR, m.get("data").type());
        assertEquals(CpioWriter.S_IFDIR, m.get("data/deep").type());
        assertEquals(0600, m.get("data/deep/blob.bin").permissions());
        assertEquals("deep/blob.bin", m.get("data/link").text());
        assertTrue(m.get("init").text().contains("sh " + InitramfsBuilder.INIT_SCRIPT_PATH));
    }

    @Test
    void laterMembersReplaceEarlierOnes() throws IOException {
        Map<String, CpioReader.Member> m = members(new InitramfsBuilder()
                .withFile("/init", "#!/bin/sh\nexec sh\n".getBytes(StandardCharsets.UTF_8), 0755));
        assertEquals("#!/bin/sh\nexec sh\n", m.get("init").text());
    }

    @Test
    void everyMemberComesAfterItsParentAndInodesAreUnique() throws IOException {
        List<CpioReader.Member> list = CpioReader.readGzip(new InitramfsBuilder()
                .withBusybox(fakeBusybox()).withFile("/a/b/c/d", new byte[0], 0644).build());
        Set<String> seen = new HashSet<>();
        Set<Integer> inodes = new HashSet<>();
        for (CpioReader.Member member : list) {
            int slash = member.name().lastIndexOf('/');
            if (slash > 0) {
                assertTrue(seen.contains(member.name().substring(0, slash)), member.name());
            }
            assertTrue(seen.add(member.name()), "duplicate " + member.name());
            assertTrue(inodes.add(member.inode()), "duplicate inode for " + member.name());
            assertEquals(0, member.mtime());
        }
    }

    @Test
    void sameInputsGiveSameBytes() throws IOException {
        Path busybox = fakeBusybox();
        assertArrayEquals(new InitramfsBuilder().withBusybox(busybox).build(),
                new InitramfsBuilder().withBusybox(busybox).build());
    }

    @Test
    void writeIfChangedRebuildsOnlyWhenInputsChange() throws IOException {
        Path target = tmp.resolve("cache/initramfs.cpio.gz");
        Path busybox = fakeBusybox();
        assertTrue(new InitramfsBuilder().withBusybox(busybox).writeIfChanged(target));
        assertFalse(new InitramfsBuilder().withBusybox(busybox).writeIfChanged(target));
        Files.write(busybox, new byte[] {42});
        assertTrue(new InitramfsBuilder().withBusybox(busybox).writeIfChanged(target));
        assertArrayEquals(new byte[] {42}, CpioReader.readGzip(Files.readAllBytes(target)).stream()
                .filter(mm -> mm.name().equals("bin/busybox")).findFirst().orElseThrow().data());
        Files.delete(target);
        assertTrue(new InitramfsBuilder().withBusybox(busybox).writeIfChanged(target));
        try (var files = Files.list(target.getParent())) {
            assertEquals(Set.of("initramfs.cpio.gz", "initramfs.cpio.gz.sha256"),
                    files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "no temp files left");
        }
    }

    @Test
    void rejectsPathsThatEscapeTheArchive() {
        for (String bad : List.of("", "/", "a/../b", "./a", "a//b", "..")) {
            assertThrows(IllegalArgumentException.class,
                    () -> new InitramfsBuilder().withFile(bad, new byte[0], 0644), bad);
        }
        assertEquals("a/b", InitramfsBuilder.archiveName("/a/b"));
        assertEquals("a/b", InitramfsBuilder.archiveName("a/b/"));
    }

    /** The system's cpio must read what we write; newc device nodes need no root to list. */
    @Test
    void cpioToolListsTheArchive() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cpio")), "cpio is not installed");
        Path archive = tmp.resolve("initramfs.cpio");
        Files.write(archive, new InitramfsBuilder().withBusybox(fakeBusybox())
                .withFile("/etc/hello", "hi\n".getBytes(StandardCharsets.UTF_8), 0644).buildCpio());
        Process p = new ProcessBuilder("cpio", "-itv", "--quiet")
                .redirectInput(archive.toFile()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("crw") && l.endsWith(" dev/console")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("lrwxrwxrwx") && l.endsWith(" bin/sh -> busybox")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" init")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("drwxrwxrwt") && l.endsWith(" tmp")), listing);

        Path out = Files.createDirectory(tmp.resolve("out"));
        Process extract = new ProcessBuilder("cpio", "-id", "--quiet", "--no-absolute-filenames", "etc/hello")
                .directory(out.toFile()).redirectInput(archive.toFile()).redirectErrorStream(true).start();
        String messages = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, extract.waitFor(), messages);
        assertEquals("hi\n", Files.readString(out.resolve("etc/hello")));
    }
}
