package dev.nucleo.cli;

import java.io.ByteArrayOutputStream;

/**
 * The console's escape key, as in QEMU and screen: Ctrl-A then x quits, Ctrl-A Ctrl-A sends
 * one Ctrl-A, Ctrl-A then h prints help; Ctrl-A followed by anything else sends both keys.
 * Everything else passes through to the guest. The escape may span two reads.
 */
final class EscapeFilter {
    static final byte CTRL_A = 0x01;
    static final String HINT = "console attached; type Ctrl-A x to quit (Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h for help)";

    enum Action { NONE, QUIT, HELP }

    /** Bytes for the guest, and what the user asked Nucleo to do after them. */
    record Result(byte[] toGuest, Action action) {
    }

    private boolean escaped;

    Result feed(byte[] data, int length) {
        ByteArrayOutputStream toGuest = new ByteArrayOutputStream(length);
        Action action = Action.NONE;
        for (int i = 0; i < length; i++) {
            byte b = data[i];
            if (!escaped) {
                if (b == CTRL_A) {
                    escaped = true;
                } else {
                    toGuest.write(b);
                }
                continue;
            }
            escaped = false;
            switch (b) {
                case 'x', 'X' -> {
                    return new Result(toGuest.toByteArray(), Action.QUIT); // drop what follows
                }
                case CTRL_A -> toGuest.write(CTRL_A);
                case 'h', 'H', '?' -> action = Action.HELP;
                default -> {
                    toGuest.write(CTRL_A);
                    toGuest.write(b);
                }
            }
        }
        return new Result(toGuest.toByteArray(), action);
    }
}
