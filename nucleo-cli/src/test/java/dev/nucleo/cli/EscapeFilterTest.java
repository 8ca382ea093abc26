package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EscapeFilterTest {
    private static EscapeFilter.Result feed(EscapeFilter f, byte... bytes) {
        return f.feed(bytes, bytes.length);
    }

    @Test
    void plainBytesAndCtrlCPassThrough() {
        EscapeFilter.Result r = feed(new EscapeFilter(), (byte) 'l', (byte) 's', (byte) 3, (byte) '\r');
        assertArrayEquals(new byte[] {'l', 's', 3, '\r'}, r.toGuest());
        assertEquals(EscapeFilter.Action.NONE, r.action());
    }

    @Test
    void ctrlAXQuitsAfterWhatCameBefore() {
        EscapeFilter.Result r = feed(new EscapeFilter(), (byte) 'a', (byte) 1, (byte) 'x', (byte) 'b');
        assertArrayEquals(new byte[] {'a'}, r.toGuest());
        assertEquals(EscapeFilter.Action.QUIT, r.action());
    }

    @Test
    void escapeMaySpanTwoReads() {
        EscapeFilter f = new EscapeFilter();
        EscapeFilter.Result first = feed(f, (byte) 'a', (byte) 1);
        assertArrayEquals(new byte[] {'a'}, first.toGuest());
        assertEquals(EscapeFilter.Action.NONE, first.action());
        assertEquals(EscapeFilter.Action.QUIT, feed(f, (byte) 'X').action());
    }

    @Test
    void doubleCtrlASendsOne() {
        EscapeFilter.Result r = feed(new EscapeFilter(), (byte) 1, (byte) 1, (byte) 'z');
        assertArrayEquals(new byte[] {1, 'z'}, r.toGuest());
        assertEquals(EscapeFilter.Action.NONE, r.action());
    }

    @Test
    void helpAndUnknownEscapes() {
        assertEquals(EscapeFilter.Action.HELP, feed(new EscapeFilter(), (byte) 1, (byte) 'h').action());
        assertArrayEquals(new byte[] {1, 'q'}, feed(new EscapeFilter(), (byte) 1, (byte) 'q').toGuest());
    }
}
