package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Uart16550Test {
    private static final int THR = 0;
    private static final int IER = 1;
    private static final int IIR = 2;
    private static final int FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicBoolean irq = new AtomicBoolean();
    private final Uart16550 uart = new Uart16550(out, irq::set);

    private int in(int reg) {
        return (int) uart.read(reg, 1);
    }

    private void out(int reg, int value) {
        uart.write(reg, 1, value);
    }

    @Test
    void transmitsEveryByteAtOnce() {
        AtomicInteger flushes = new AtomicInteger();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Uart16550 u = new Uart16550(new OutputStream() {
            @Override
            public void write(int b) {
                sink.write(b);
            }

            @Override
            public void flush() {
                flushes.incrementAndGet();
            }
        }, level -> { });
        for (byte b : "hi\n".getBytes()) {
            assertTrue((u.read(LSR, 1) & 0x60) == 0x60, "THRE and TEMT: ready to send");
            u.write(THR, 1, b);
        }
        assertEquals("hi\n", sink.toString());
        assertEquals(3, flushes.get(), "flushed promptly, byte by byte");
    }

    @Test
    void resetStateLooksLikeAnIdle16550() {
        assertEquals(0x01, in(IIR), "no interrupt, FIFOs off");
        assertEquals(0x60, in(LSR));
        assertEquals(0xb0, in(MSR), "CTS, DSR, DCD");
        assertFalse(irq.get());
        out(FCR, 0x07);
        assertEquals(0xc1, in(IIR), "FIFO enabled reports 0xC0");
    }

    @Test
    void divisorLatchAndScratchRegisters() {
        out(LCR, 0x83);
        out(THR, 0x01); // DLL
        out(IER, 0x02); // DLM
        assertEquals(0x01, in(0));
        assertEquals(0x02, in(1));
        out(LCR, 0x03);
        assertEquals(0, in(IER), "IER untouched by DLM writes");
        assertEquals(0, out.size(), "DLL writes are not output");
        out(SCR, 0x5a);
        assertEquals(0x5a, in(SCR));
        assertEquals(0x03, in(LCR));
    }

    /** The probe in Linux's serial8250_do_startup that decides whether THRE interrupts work. */
    @Test
    void thrEmptyInterruptBehavesAsLinuxExpects() {
        out(FCR, 0x07);
        out(IER, 0x02);
        assertTrue(irq.get(), "enabling THRI with THR empty interrupts at once");
        int iir1 = in(IIR);
        assertEquals(0xc2, iir1);
        assertFalse(irq.get(), "reading IIR with THRE as cause clears it");
        out(IER, 0);
        out(IER, 0x02);
        int iir = in(IIR);
        assertEquals(0xc2, iir, "re-enabling re-asserts THRE, so no UART_BUG_THRE");

        assertEquals(0xc1, in(IIR));
        out(THR, 'x');
        assertTrue(irq.get(), "the byte went out at once: THRE again");
        assertEquals(0xc2, in(IIR));
        out(THR, 'y');
        out(IER, 0); // the driver stops TX when its buffer is empty
        assertFalse(irq.get());
        assertEquals("xy", out.toString());
    }

    @Test
    void receivedDataRaisesAnInterruptUntilDrained() throws Exception {
        out(FCR, 0x07);
        out(IER, 0x01);
        assertFalse(irq.get());
        uart.receive("ok".getBytes());
        assertTrue(irq.get());
        assertEquals(0xc4, in(IIR));
        assertEquals(0x61, in(LSR));
        assertEquals('o', in(THR));
        assertTrue(irq.get());
        assertEquals('k', in(THR));
        assertFalse(irq.get());
        assertEquals(0x60, in(LSR));
        assertEquals(0, in(THR), "empty FIFO reads 0");
    }

    @Test
    void receiveDataHasPriorityOverThre() throws Exception {
        out(IER, 0x03);
        uart.receive('a');
        assertEquals(0x04, in(IIR));
        assertEquals(0x04, in(IIR), "reading IIR does not clear RDA");
        in(THR);
        assertEquals(0x02, in(IIR), "THRE still pending underneath");
        assertEquals(0x01, in(IIR));
    }

    @Test
    void fullFifoBlocksTheHostUntilTheGuestReads() throws Exception {
        byte[] data = new byte[Uart16550.RX_CAPACITY + 100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Thread host = Thread.ofPlatform().start(() -> {
            try {
                uart.receive(data);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (uart.pendingInput() < Uart16550.RX_CAPACITY && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(20);
        assertTrue(host.isAlive(), "host thread waits instead of dropping input");
        assertEquals(Uart16550.RX_CAPACITY, uart.pendingInput());
        for (int i = 0; i < data.length; i++) {
            while ((in(LSR) & 1) == 0) {
                assertTrue(System.nanoTime() < deadline, "input stalled at byte " + i);
                Thread.onSpinWait();
            }
            assertEquals(data[i] & 0xff, in(THR), "byte " + i);
        }
        host.join(5000);
        assertFalse(host.isAlive());
    }

    @Test
    void closeReleasesABlockedHostThread() throws Exception {
        Thread host = Thread.ofPlatform().start(() -> {
            try {
                uart.receive(new byte[Uart16550.RX_CAPACITY + 1]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (uart.pendingInput() < Uart16550.RX_CAPACITY) {
            Thread.sleep(1);
        }
        uart.close();
        host.join(5000);
        assertFalse(host.isAlive());
    }

    @Test
    void fifoResetDiscardsReceivedBytes() throws Exception {
        uart.receive("abc".getBytes());
        out(FCR, 0x03);
        assertEquals(0, uart.pendingInput());
        assertEquals(0x60, in(LSR));
    }

    @Test
    void loopbackFeedsTheReceiverAndMirrorsModemLines() {
        out(MCR, 0x10 | 0x0b); // loop, DTR, RTS, OUT2
        out(THR, 'z');
        assertEquals(0, out.size(), "nothing reaches the host in loopback");
        assertEquals(0x61, in(LSR));
        assertEquals('z', in(THR));
        assertEquals(0xb0, in(MSR) & 0xf0, "CTS<-RTS, DSR<-DTR, DCD<-OUT2");
        out(MCR, 0x10);
        assertEquals(0, in(MSR) & 0xf0);
    }

    @Test
    void overrunInLoopbackIsReportedAsLineStatus() {
        out(MCR, 0x10);
        out(IER, 0x04);
        for (int i = 0; i <= Uart16550.RX_CAPACITY; i++) {
            out(THR, i);
        }
        assertTrue(irq.get());
        assertEquals(0x06, in(IIR));
        assertEquals(0x63, in(LSR), "DR | OE | THRE | TEMT");
        assertEquals(0x61, in(LSR), "OE clears on read");
        assertFalse(irq.get());
    }

    @Test
    void hostileAccessesAreHarmless() {
        assertEquals(0, uart.read(8, 1));
        assertEquals(0, uart.read(0xff, 1));
        uart.write(0x80, 1, 'q');
        uart.write(LSR, 1, 0);
        assertEquals(0x60, in(LSR));
        uart.write(THR, 4, 0x1234_5641); // wider access: the low byte counts
        assertEquals("A", out.toString());
    }

    @Test
    void brokenOutputDoesNotStopTheGuest() {
        Uart16550 u = new Uart16550(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("terminal gone");
            }
        }, level -> { });
        u.write(THR, 1, 'a');
        u.write(THR, 1, 'b');
        assertEquals(0x60, u.read(LSR, 1));
    }
}
