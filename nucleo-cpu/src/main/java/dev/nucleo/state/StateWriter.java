package dev.nucleo.state;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds one component's saved state: big-endian primitives, arrays with their length first,
 * strings as modified UTF-8 (as {@link DataOutputStream} writes them). {@link StateReader}
 * reads the same sequence back.
 */
public final class StateWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    public StateWriter putLong(long v) {
        return write(() -> out.writeLong(v));
    }

    public StateWriter putInt(int v) {
        return write(() -> out.writeInt(v));
    }

    public StateWriter putBoolean(boolean v) {
        return write(() -> out.writeBoolean(v));
    }

    public StateWriter putString(String v) {
        return write(() -> out.writeUTF(v));
    }

    public StateWriter putLongs(long[] v) {
        putInt(v.length);
        for (long e : v) {
            putLong(e);
        }
        return this;
    }

    public StateWriter putInts(int[] v) {
        putInt(v.length);
        for (int e : v) {
            putInt(e);
        }
        return this;
    }

    public StateWriter putBooleans(boolean[] v) {
        putInt(v.length);
        for (boolean e : v) {
            putBoolean(e);
        }
        return this;
    }

    public StateWriter putBytes(byte[] v) {
        putInt(v.length);
        return write(() -> out.write(v));
    }

    /** Everything written so far. */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private interface Action {
        void run() throws IOException;
    }

    private StateWriter write(Action action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return this;
    }
}
