package dev.nucleo.cpu;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Tells HotSpot, once per JVM, to compile warm translated blocks with C1 only: a compiler
 * directive (the same as {@code jcmd PID Compiler.directives_add FILE}) added through the
 * DiagnosticCommand MBean, so the launcher, the daemon and the tests all get it without JVM
 * flags. Warm blocks are many and each runs a few hundred times; C2's compile time would not
 * pay for them, and on a 2-core host it takes the core the hart needs. If HotSpot refuses the
 * directive, blocks are still correct, only compiled more expensively.
 */
final class JitDirectives {
    private static final System.Logger LOG = System.getLogger(JitDirectives.class.getName());
    private static final String DIRECTIVE =
            "[ { match: \"" + BlockCompiler.WARM_CLASS + "*::*\", c2: { Exclude: true } } ]";

    private JitDirectives() {
    }

    /**
     * Adds the directive on the first call (class initialization makes that once per JVM,
     * thread-safe); later calls cost nothing. Returns whether HotSpot took it.
     */
    static boolean install() {
        return Once.ADDED;
    }

    private static final class Once {
        static final boolean ADDED = add();
    }

    private static boolean add() {
        Path file = null;
        try {
            file = Files.createTempFile("nucleo-jit", ".json");
            Files.writeString(file, DIRECTIVE);
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            if (String.valueOf(reply).contains("added")) {
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "HotSpot did not take the compiler directive for warm blocks: " + reply);
            return false;
        } catch (JMException | java.io.IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot add the compiler directive for warm blocks: " + e);
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }
}
