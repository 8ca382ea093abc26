package dev.nucleo.machine;

import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An NS16550A UART with byte-wide registers at offsets 0..7 (register shift 0).
 *
 * <p>Transmit is instantaneous: each byte written to THR goes straight to the host
 * {@link OutputStream} (flushed at once, so console output appears immediately), and the
 * transmitter is empty again right away. Receive goes through a {@value #RX_CAPACITY}-byte
 * FIFO fed by {@link #receive(byte[])} from a host thread, which blocks while the FIFO is full
 * rather than losing input.
 *
 * <p>Interrupts, in 16550 priority order: receiver line status (overrun, IER bit 2), received
 * data available (IER bit 0, whenever the FIFO is non-empty), transmitter holding register empty
 * (IER bit 1). The THRE interrupt follows the 16550 rules Linux's 8250 driver relies on: it is
 * raised when THRI is enabled while THR is empty and whenever a written byte has gone out, and
 * cleared by reading IIR while it is the reported cause or by writing THR. Modem status never
 * changes except in loopback mode, where THR feeds the receiver and MSR mirrors MCR.
 */
public final class Uart16550 implements MmioDevice, Snapshottable, AutoCloseable {
    /** Receive FIFO capacity in bytes. */
    public static final int RX_CAPACITY = 4096;

    private static final System.Logger LOG = System.getLogger(Uart16550.class.getName());

    // Register offsets.
    static final int RBR_THR_DLL = 0;
    static final int IER_DLM = 1;
    static final int IIR_FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    // IER bits.
    static final int IER_RDI = 0x01;
    static final int IER_THRI = 0x02;
    static final int IER_RLSI = 0x04;
    static final int IER_MSI = 0x08;

    // IIR values.
    static final int IIR_NO_INT = 0x01;
    static final int IIR_THRI = 0x02;
    static final int IIR_RDI = 0x04;
    static final int IIR_RLSI = 0x06;
    static final int IIR_FIFO_ENABLED = 0xc0;

    // FCR bits.
    static final int FCR_ENABLE_FIFO = 0x01;
    static final int FCR_CLEAR_RCVR = 0x02;

    // LCR, MCR, LSR, MSR bits.
    static final int LCR_DLAB = 0x80;
    static final int MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01;
    static final int LSR_OE = 0x02;
    static final int LSR_THRE = 0x20;
    static final int LSR_TEMT = 0x40;
    static final int MSR_CTS = 0x10;
    static final int MSR_DSR = 0x20;
    static final int MSR_DCD = 0x80;

    private final OutputStream out;
    private final IrqLine irq;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();

    private final byte[] rx = new byte[RX_CAPACITY];
    private int rxHead;
    private int rxCount;

    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll = 12; // 9600 baud at 1.8432 MHz, a customary reset value
    private int dlm;
    private boolean fifoEnabled;
    private boolean overrun;
    /** The THRE interrupt condition (separate from LSR.THRE, which is always set for us). */
    private boolean thrEmptyInterrupt;
    private boolean irqLevel;
    private boolean outputFailed;
    private boolean closed;

    /**
     * @param out bytes the guest transmits; written and flushed on the transmitting hart's thread
     * @param irq the UART's interrupt wire (PLIC source {@link VirtMemoryMap#UART0_IRQ})
     */
    public Uart16550(OutputStream out, IrqLine irq) {
        this.out = Objects.requireNonNull(out, "out");
        this.irq = Objects.requireNonNull(irq, "irq");
    }

    /**
     * Queues bytes typed on the host for the guest. Blocks while the receive FIFO is full until
     * the guest reads. Returns early (dropping the rest) only if the UART is closed.
     */
    public void receive(byte[] data) throws InterruptedException {
        receive(data, 0, data.length);
    }

    /** As {@link #receive(byte[])} for {@code data[from, from + length)}. */
    public void receive(byte[] data, int from, int length) throws InterruptedException {
        Objects.checkFromIndexSize(from, length, data.length);
        lock.lockInterruptibly();
        try {
            for (int i = 0; i < length; i++) {
                while (rxCount == RX_CAPACITY && !closed) {
                    notFull.await();
                }
                if (closed) {
                    return;
                }
                push(data[from + i]);
                updateIrq(); // per byte: the guest may be draining while we wait
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues one byte (the low 8 bits of {@code b}); see {@link #receive(byte[])}. */
    public void receive(int b) throws InterruptedException {
        receive(new byte[] {(byte) b});
    }

    /** Number of received bytes the guest has not read yet. */
    public int pendingInput() {
        lock.lock();
        try {
            return rxCount;
        } finally {
            lock.unlock();
        }
    }

    /** Releases any host thread blocked in {@link #receive}; later input is discarded. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long read(long offset, int size) {
        if (offset < 0 || offset > SCR) {
            return 0;
        }
        lock.lock();
        try {
            int value = readRegister((int) offset);
            updateIrq();
            return value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset < 0 || offset > SCR) {
            return;
        }
        lock.lock();
        try {
            writeRegister((int) offset, (int) value & 0xff);
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    private int readRegister(int reg) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch (reg) {
            case RBR_THR_DLL -> dlab ? dll : pop();
            case IER_DLM -> dlab ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            default -> 0;
        };
    }

    private void writeRegister(int reg, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR_THR_DLL -> {
                if (dlab) {
                    dll = value;
                } else {
                    transmit(value);
                }
            }
            case IER_DLM -> {
                if (dlab) {
                    dlm = value;
                } else {
                    writeIer(value);
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> mcr = value & 0x1f;
            case SCR -> scr = value;
            default -> { } // LSR and MSR are read-only
        }
    }

    private void writeIer(int value) {
        int enabledNow = value & ~ier;
        ier = value & 0x0f;
        if ((ier & IER_THRI) == 0) {
            thrEmptyInterrupt = false;
        } else if ((enabledNow & IER_THRI) != 0) {
            thrEmptyInterrupt = true; // THR is always empty: enabling THRI interrupts at once
        }
    }

    private void writeFcr(int value) {
        fifoEnabled = (value & FCR_ENABLE_FIFO) != 0;
        if ((value & FCR_CLEAR_RCVR) != 0) {
            rxHead = 0;
            rxCount = 0;
            notFull.signalAll();
        }
        // Clearing the transmit FIFO and trigger levels have nothing to act on: TX is immediate,
        // and the receive interrupt fires as soon as one byte is there.
    }

    private int readIir() {
        int cause = currentInterrupt();
        if (cause == IIR_THRI) {
            thrEmptyInterrupt = false; // reading IIR acknowledges THRE when it is the cause
        }
        return cause | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
    }

    private int readLsr() {
        int lsr = LSR_THRE | LSR_TEMT | (rxCount > 0 ? LSR_DR : 0) | (overrun ? LSR_OE : 0);
        overrun = false; // error bits clear on read
        return lsr;
    }

    private int readMsr() {
        if ((mcr & MCR_LOOP) != 0) {
            // Loopback wiring: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
            return ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
        }
        return MSR_DCD | MSR_DSR | MSR_CTS; // a host terminal is always "connected"
    }

    /** The highest-priority pending interrupt as an IIR cause, or IIR_NO_INT. */
    private int currentInterrupt() {
        if ((ier & IER_RLSI) != 0 && overrun) {
            return IIR_RLSI;
        }
        if ((ier & IER_RDI) != 0 && rxCount > 0) {
            return IIR_RDI;
        }
        if ((ier & IER_THRI) != 0 && thrEmptyInterrupt) {
            return IIR_THRI;
        }
        return IIR_NO_INT;
    }

    private void transmit(int b) {
        if ((mcr & MCR_LOOP) != 0) {
            if (rxCount == RX_CAPACITY) {
                overrun = true; // a real receiver overruns; nothing to block on here
            } else {
                push((byte) b);
            }
        } else {
            emit(b);
        }
        // The byte left at once, so THR is empty again: a new THRE interrupt (if enabled).
        thrEmptyInterrupt = (ier & IER_THRI) != 0;
    }

    private void emit(int b) {
        if (outputFailed) {
            return;
        }
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            outputFailed = true; // the guest keeps running; its console output goes nowhere
            LOG.log(System.Logger.Level.WARNING, "UART output failed; further output is discarded", e);
        }
    }

    private void push(byte b) {
        rx[(rxHead + rxCount) % RX_CAPACITY] = b;
        rxCount++;
    }

    private int pop() {
        if (rxCount == 0) {
            return 0;
        }
        int b = rx[rxHead] & 0xff;
        rxHead = (rxHead + 1) % RX_CAPACITY;
        rxCount--;
        notFull.signalAll();
        return b;
    }

    private void updateIrq() {
        boolean high = currentInterrupt() != IIR_NO_INT;
        if (high != irqLevel) {
            irqLevel = high;
            irq.set(high);
        }
    }

    /** Saves the registers and the received bytes the guest has not read yet. */
    @Override
    public void save(StateWriter out) {
        lock.lock();
        try {
            byte[] pending = new byte[rxCount];
            for (int i = 0; i < rxCount; i++) {
                pending[i] = rx[(rxHead + i) % RX_CAPACITY];
            }
            out.putInt(ier).putInt(lcr).putInt(mcr).putInt(scr).putInt(dll).putInt(dlm);
            out.putBoolean(fifoEnabled).putBoolean(overrun).putBoolean(thrEmptyInterrupt).putBytes(pending);
        } finally {
            lock.unlock();
        }
    }

    /** Loads saved state and drives the interrupt line to match it. */
    @Override
    public void load(StateReader in) throws StateException {
        int newIer = in.getInt(0, 0x0f, "IER");
        int newLcr = in.getInt(0, 0xff, "LCR");
        int newMcr = in.getInt(0, 0x1f, "MCR");
        int newScr = in.getInt(0, 0xff, "SCR");
        int newDll = in.getInt(0, 0xff, "DLL");
        int newDlm = in.getInt(0, 0xff, "DLM");
        boolean newFifo = in.getBoolean();
        boolean newOverrun = in.getBoolean();
        boolean newThre = in.getBoolean();
        byte[] pending = in.getBytes(RX_CAPACITY, "receive FIFO");
        in.expectEnd();
        lock.lock();
        try {
            ier = newIer;
            lcr = newLcr;
            mcr = newMcr;
            scr = newScr;
            dll = newDll;
            dlm = newDlm;
            fifoEnabled = newFifo;
            overrun = newOverrun;
            thrEmptyInterrupt = newThre;
            System.arraycopy(pending, 0, rx, 0, pending.length);
            rxHead = 0;
            rxCount = pending.length;
            updateIrq();
        } finally {
            lock.unlock();
        }
    }
}
