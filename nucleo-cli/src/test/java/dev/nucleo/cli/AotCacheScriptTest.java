package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/aot.sh, which gives the launcher and the benches the JVM's AOT cache: one cache per
 * build, used only once it exists, and a failed training or a broken cache never stops a run.
 */
class AotCacheScriptTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "aot.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path jar;
    private Path cache;

    @BeforeEach
    void fakeBuild() throws IOException {
        jar = dir.resolve("build/nucleo-cli-1.jar");
        Files.createDirectories(jar.resolveSibling("lib"));
        Files.writeString(jar, "not a jar: training with it fails at once");
        Files.writeString(jar.resolveSibling("lib/dep.jar"), "dep");
        cache = dir.resolve("cache");
    }

    @Test
    void eachBuildAndOptionSetHasItsOwnCacheFile() throws Exception {
        String first = bash("nucleo_aot_file \"$JAR\"").out();
        assertTrue(first.startsWith(cache.resolve("aot/nucleo-").toString()) && first.endsWith(".aot"), first);
        assertEquals(first, bash("nucleo_aot_file \"$JAR\"").out());

        assertNotEquals(first, bash("NUCLEO_JVM_OPTS=(-Xss16m); nucleo_aot_file \"$JAR\"").out());
        Files.setLastModifiedTime(jar.resolveSibling("lib/dep.jar"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertNotEquals(first, bash("nucleo_aot_file \"$JAR\"").out(), "a rebuilt dependency needs a new cache");
    }

    @Test
    void aCacheIsUsedOnlyOnceItExistsAndUnlessTurnedOff() throws Exception {
        String options = "nucleo_aot_options \"$JAR\"; echo \"${NUCLEO_JVM_OPTS[*]}\"";
        assertEquals("", bash(options).out());

        Path file = Path.of(bash("nucleo_aot_file \"$JAR\"").out());
        Files.createDirectories(file.getParent());
        Files.writeString(file, "a cache");
        assertEquals("-XX:AOTCache=" + file, bash(options).out());
        assertEquals("", bash("NUCLEO_AOT=0; " + options).out());
    }

    @Test
    void aFailedTrainingLeavesNoCacheAndIsNotRetriedForTheSameBuild() throws Exception {
        String train = "nucleo_aot_options \"$JAR\" train; echo \"status $? options '${NUCLEO_JVM_OPTS[*]}'\"";
        Result first = bash(train);
        assertEquals("status 0 options ''", first.out());
        assertTrue(first.err().contains("could not make the AOT cache"), first.err());

        Path file = Path.of(bash("nucleo_aot_file \"$JAR\"").out());
        assertFalse(Files.exists(file));
        assertTrue(Files.exists(Path.of(file + ".failed")));
        try (var left = Files.list(file.getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("training.")
                    && Files.isDirectory(p)), "the training's work directory is removed");
        }

        Result second = bash(train);
        assertEquals("status 0 options ''", second.out());
        assertEquals("", second.err(), "no second training for the same build");
    }

    @Test
    void aTrainingStoppedByASignalIsTriedAgainWithTheTranslator() throws Exception {
        // A java that builds the initramfs, then notes its engine and is killed while it boots.
        Path fakeJdk = dir.resolve("jdk");
        Path java = fakeJdk.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, """
                #!/bin/bash
                for arg in "$@"; do
                  if [ "$arg" = run ]; then echo "engine ${NUCLEO_ENGINE:-unset}" >>"$FAKE_LOG"; kill -TERM $$; fi
                done
                exit 0
                """);
        java.toFile().setExecutable(true);
        String train = "NUCLEO_ENGINE=interpreter JAVA_HOME=" + fakeJdk + " FAKE_LOG=" + dir.resolve("log")
                + " nucleo_aot_options \"$JAR\" train";

        assertTrue(bash(train).err().contains("could not make the AOT cache"));
        assertTrue(bash(train).err().contains("making the JVM's AOT cache"), "not marked as failed");
        assertEquals("engine translator\nengine translator", Files.readString(dir.resolve("log")).strip());
    }

    @Test
    void theJvmRunsOnWithoutABrokenCache() throws Exception {
        Path broken = dir.resolve("broken.aot");
        Files.writeString(broken, "not an AOT cache");
        Process java = new ProcessBuilder(javaHome().resolve("bin/java").toString(), "-XX:AOTCache=" + broken, "-version")
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, java.waitFor(), output);
    }

    private record Result(String out, String err) {
    }

    /** Runs commands in bash with scripts/aot.sh sourced, the fake build in JAR and the cache in NUCLEO_CACHE. */
    private Result bash(String commands) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
                "set -u; NUCLEO_JVM_OPTS=(); . \"$SCRIPT\"; " + commands);
        Map<String, String> env = builder.environment();
        env.remove("NUCLEO_AOT");
        env.put("SCRIPT", SCRIPT.toString());
        env.put("JAR", jar.toString());
        env.put("NUCLEO_CACHE", cache.toString());
        env.put("JAVA_HOME", javaHome().toString());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertEquals(0, process.waitFor(), new String(err, StandardCharsets.UTF_8));
        return new Result(new String(out, StandardCharsets.UTF_8).strip(), new String(err, StandardCharsets.UTF_8).strip());
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }
}
