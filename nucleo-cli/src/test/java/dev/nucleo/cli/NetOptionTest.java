package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nucleo run --net}: every malformed spec is a usage error (64) that says what is wrong. */
class NetOptionTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "run";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        assertEquals("", run.out(), "nothing may boot: " + run);
        return run;
    }

    @Test
    void malformedSpecsAreUsageErrors() {
        run("--net", "bogus").expect(64, "bogus", "stream=listen:PATH");
        run("--net", "stream=dial:/tmp/x").expect(64, "not a network backend");
        run("--net", "stream=listen:").expect(64, "socket path is empty");
        run("--net", "tap=").expect(64, "TAP interface name");
        run("--net", "tap=much-too-long-name0").expect(64, "TAP interface name");
        run("--net", "tap=tap0,mac=52:54:00:12:34").expect(64, "not a MAC address");
        run("--net", "tap=tap0,mac=01:00:5e:00:00:01").expect(64, "multicast");
        run("--net", "tap=tap0,speed=10").expect(64, "unknown net option 'speed=10'");
    }

    @Test
    void aLinkThatCannotBeOpenedIsAUsageErrorNamingIt() throws IOException {
        Path firmware = Files.write(tmp.resolve("fw.bin"), new byte[] {0x6f, 0, 0, 0}); // a loop, never reached
        Path nobody = tmp.resolve("nobody.sock");
        run("--firmware", firmware.toString(), "--net", "stream=connect:" + nobody)
                .expect(64, "--net stream=connect:" + nobody, "cannot connect");
    }
}
