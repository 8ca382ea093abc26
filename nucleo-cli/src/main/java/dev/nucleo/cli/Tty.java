package dev.nucleo.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a standard stream is a terminal, asked of libc's isatty through the FFM API. */
final class Tty {
    static final int STDIN = 0;

    private Tty() {
    }

    static boolean isTerminal(int fd) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(
                    linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable unavailable) {
            // No native access (or no libc): the JDK's own view, which needs stdin and stdout on a tty.
            var console = System.console();
            return console != null && console.isTerminal();
        }
    }
}
