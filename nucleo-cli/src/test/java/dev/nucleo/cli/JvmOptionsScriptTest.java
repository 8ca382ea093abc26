package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * scripts/jdk.sh's JVM options, which the launcher and the benches run every Nucleo with: this
 * JDK must accept them all, and they must print nothing on stdout, where the CLI's own output
 * (JSON, say) goes. A mistyped compile command stops the JVM before it starts; one without
 * "quiet" before it is echoed on stdout.
 */
class JvmOptionsScriptTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "jdk.sh").toAbsolutePath().normalize();

    @Test
    void theJdkAcceptsTheLaunchersOptionsAndTheyPrintNothingOnStdout() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
                "set -u; . \"$SCRIPT\"; nucleo_jvm_options; "
                        + "echo \"${NUCLEO_JVM_OPTS[*]}\" >&2; \"$JAVA_HOME/bin/java\" \"${NUCLEO_JVM_OPTS[@]}\" -version");
        builder.environment().put("SCRIPT", SCRIPT.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), err);
        assertEquals("", out, "the JVM printed on stdout with the launcher's options");
        assertTrue(err.contains("-XX:CompileCommand=CompileThresholdScaling"), err);
    }
}
