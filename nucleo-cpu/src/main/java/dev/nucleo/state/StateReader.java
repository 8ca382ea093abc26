package dev.nucleo.state;

import java.nio.ByteBuffer;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * Reads what a {@link StateWriter} wrote. Every read is bounds-checked and every array length
 * is checked against what the component expects, so a damaged snapshot gives a
 * {@link StateException} naming the component, never an out-of-memory or an index error.
 */
public final class StateReader {
    private final String component;
    private final ByteBuffer in;

    public StateReader(String component, byte[] data) {
        this.component = component;
        this.in = ByteBuffer.wrap(data);
    }

    public String component() {
        return component;
    }

    public long getLong() throws StateException {
        need(8);
        return in.getLong();
    }

    public int getInt() throws StateException {
        need(4);
        return in.getInt();
    }

    /** An int that must lie in [min, max]. */
    public int getInt(int min, int max, String what) throws StateException {
        int v = getInt();
        if (v < min || v > max) {
            throw bad(what + " is " + v + ", expected " + min + ".." + max);
        }
        return v;
    }

    public boolean getBoolean() throws StateException {
        need(1);
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw bad("a boolean is " + b);
        }
        return b == 1;
    }

    public String getString() throws StateException {
        need(2);
        int length = Short.toUnsignedInt(in.getShort());
        need(length);
        byte[] utf = new byte[length + 2];
        in.get(in.position() - 2, utf, 0, 2);
        in.get(utf, 2, length);
        try {
            return new DataInputStream(new ByteArrayInputStream(utf)).readUTF();
        } catch (IOException e) {
            throw bad("a string is not valid modified UTF-8");
        }
    }

    /** Reads an array saved with putLongs into {@code into}, which must have the saved length. */
    public void getLongs(long[] into, String what) throws StateException {
        length(into.length, what);
        for (int i = 0; i < into.length; i++) {
            into[i] = getLong();
        }
    }

    public void getInts(int[] into, String what) throws StateException {
        length(into.length, what);
        for (int i = 0; i < into.length; i++) {
            into[i] = getInt();
        }
    }

    public void getBooleans(boolean[] into, String what) throws StateException {
        length(into.length, what);
        for (int i = 0; i < into.length; i++) {
            into[i] = getBoolean();
        }
    }

    /** A byte array of at most {@code max} bytes. */
    public byte[] getBytes(int max, String what) throws StateException {
        int length = getInt(0, max, what + " length");
        need(length);
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    /** Fails unless every byte was read (a component that reads less than was saved is a mismatch). */
    public void expectEnd() throws StateException {
        if (in.hasRemaining()) {
            throw bad(in.remaining() + " unexpected bytes at the end");
        }
    }

    /** An error about this component's saved state. */
    public StateException bad(String problem) {
        return new StateException(component + ": " + problem);
    }

    private void length(int expected, String what) throws StateException {
        int saved = getInt();
        if (saved != expected) {
            throw bad(what + " has " + saved + " entries, this machine has " + expected);
        }
    }

    private void need(int n) throws StateException {
        if (in.remaining() < n) {
            throw bad("truncated (needs " + n + " more bytes, has " + in.remaining() + ")");
        }
    }
}
