package dev.nucleo.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a {@code nucleo} command works with: the guest's console on {@code in} and
 * {@code out}, messages on {@code err}. Only the process's own stdin can be a terminal to
 * put in raw mode; streams a caller (a test) hands in never are.
 */
record Stdio(InputStream in, PrintStream out, PrintStream err, boolean terminal) {

    /** The process's standard streams; stdout unbuffered, as guest output must show at once. */
    static Stdio system() {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        return new Stdio(System.in, out, System.err, Tty.isTerminal(Tty.STDIN));
    }
}
