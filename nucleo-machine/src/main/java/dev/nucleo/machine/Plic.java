package dev.nucleo.machine;

import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.cpu.Interrupts;

import java.util.Arrays;
import java.util.Objects;

/**
 * The platform-level interrupt controller, with the SiFive register layout used by the
 * "virt" board: sources 1..{@value #SOURCES} (0 is reserved), 7 priority levels, and two
 * contexts per hart — context {@code 2h} is hart h's M-mode (drives MEIP), context
 * {@code 2h + 1} its S-mode (drives SEIP).
 *
 * <p>Sources are level-triggered. A source is pending while its line is high and it is not
 * claimed. A claim returns the highest-priority pending source enabled in that context whose
 * priority exceeds the context's threshold (ties go to the lowest id) and clears its pending
 * bit; a completion re-arms the source, which becomes pending again at once if its line is
 * still high. A context's output is high while some source could be claimed by it.
 *
 * <p>Registers (all 32-bit; 8-byte accesses are split into two words, narrower ones are
 * ignored): priority[s] at {@code 4s}, pending bits at {@code 0x1000}, enable bits of context
 * c at {@code 0x2000 + 0x80c}, threshold of context c at {@code 0x200000 + 0x1000c} and its
 * claim/complete register 4 bytes above.
 *
 * <p>Thread-safe: devices raise lines from any thread. {@link InterruptTarget#setLine} is
 * called with the PLIC's lock held (so level changes reach a hart in order) and only when a
 * context's output changes; it must not block or call back into the PLIC.
 */
public final class Plic implements MmioDevice, Snapshottable {
    /** Highest source number; also advertised as riscv,ndev. */
    public static final int SOURCES = VirtMemoryMap.PLIC_SOURCES;
    /** Highest priority / threshold value (3 bits implemented). */
    public static final int MAX_PRIORITY = 7;
    /** Contexts the register layout can address. */
    public static final int MAX_CONTEXTS = 1024;

    static final long PRIORITY_BASE = 0x0;
    static final long PENDING_BASE = 0x1000;
    static final long ENABLE_BASE = 0x2000;
    static final long ENABLE_STRIDE = 0x80;
    static final long CONTEXT_BASE = 0x20_0000;
    static final long CONTEXT_STRIDE = 0x1000;

    private static final int WORDS = (SOURCES + 1 + 31) / 32; // 32-bit words of source bits
    private static final InterruptTarget UNCONNECTED = (bit, level) -> { };

    private final int harts;
    private final int contexts;
    private final Object lock = new Object();
    private final InterruptTarget[] targets;
    private final int[] priority = new int[SOURCES + 1];
    private final boolean[] level = new boolean[SOURCES + 1];
    private final boolean[] claimed = new boolean[SOURCES + 1];
    private final int[] pending = new int[WORDS];
    private final int[][] enable;
    private final int[] threshold;
    /** Each context's output as last driven. */
    private final boolean[] output;

    /** A PLIC for {@code harts} harts (two contexts each) whose outputs are not yet connected. */
    public Plic(int harts) {
        if (harts < 1 || 2L * harts > MAX_CONTEXTS) {
            throw new IllegalArgumentException("PLIC supports 1.." + MAX_CONTEXTS / 2 + " harts, got " + harts);
        }
        this.harts = harts;
        this.contexts = 2 * harts;
        this.targets = new InterruptTarget[harts];
        Arrays.fill(targets, UNCONNECTED);
        this.enable = new int[contexts][WORDS];
        this.threshold = new int[contexts];
        this.output = new boolean[contexts];
    }

    public int harts() {
        return harts;
    }

    /** Connects hart {@code hart}'s MEIP/SEIP inputs and drives their current levels. */
    public void connect(int hart, InterruptTarget target) {
        Objects.requireNonNull(target, "target");
        Objects.checkIndex(hart, harts);
        synchronized (lock) {
            targets[hart] = target;
            target.setLine(Interrupts.MEIP, output[2 * hart]);
            target.setLine(Interrupts.SEIP, output[2 * hart + 1]);
        }
    }

    /** The wire from a device to source {@code source} (1..{@value #SOURCES}). */
    public IrqLine line(int source) {
        if (source < 1 || source > SOURCES) {
            throw new IllegalArgumentException("PLIC source must be 1.." + SOURCES + ", got " + source);
        }
        return high -> setLevel(source, high);
    }

    private void setLevel(int source, boolean high) {
        synchronized (lock) {
            if (level[source] == high) {
                return;
            }
            level[source] = high;
            setPending(source, high && !claimed[source]);
            updateOutputs();
        }
    }

    @Override
    public long read(long off, int size) {
        if (off < 0 || off % size != 0) {
            return 0;
        }
        if (size == 8) {
            return (readWord(off) & 0xffff_ffffL) | ((readWord(off + 4) & 0xffff_ffffL) << 32);
        }
        return size == 4 ? readWord(off) & 0xffff_ffffL : 0;
    }

    @Override
    public void write(long off, int size, long value) {
        if (off < 0 || off % size != 0) {
            return;
        }
        if (size == 8) {
            writeWord(off, (int) value);
            writeWord(off + 4, (int) (value >>> 32));
        } else if (size == 4) {
            writeWord(off, (int) value);
        }
    }

    private int readWord(long off) {
        synchronized (lock) {
            if (off < PENDING_BASE) {
                int source = (int) (off / 4);
                return source <= SOURCES ? priority[source] : 0;
            }
            if (off < ENABLE_BASE) {
                long word = (off - PENDING_BASE) / 4;
                return word < WORDS ? pending[(int) word] : 0;
            }
            if (off < CONTEXT_BASE) {
                long ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
                long word = (off - ENABLE_BASE) % ENABLE_STRIDE / 4;
                return ctx < contexts && word < WORDS ? enable[(int) ctx][(int) word] : 0;
            }
            long ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
            long reg = (off - CONTEXT_BASE) % CONTEXT_STRIDE;
            if (ctx >= contexts) {
                return 0;
            }
            if (reg == 0) {
                return threshold[(int) ctx];
            }
            return reg == 4 ? claim((int) ctx) : 0;
        }
    }

    private void writeWord(long off, int value) {
        synchronized (lock) {
            if (off < PENDING_BASE) {
                int source = (int) (off / 4);
                if (source >= 1 && source <= SOURCES) {
                    priority[source] = value & MAX_PRIORITY;
                    updateOutputs();
                }
                return;
            }
            if (off < ENABLE_BASE) {
                return; // pending bits are read-only
            }
            if (off < CONTEXT_BASE) {
                long ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
                long word = (off - ENABLE_BASE) % ENABLE_STRIDE / 4;
                if (ctx < contexts && word < WORDS) {
                    enable[(int) ctx][(int) word] = value & implementedBits((int) word);
                    updateOutputs();
                }
                return;
            }
            long ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
            long reg = (off - CONTEXT_BASE) % CONTEXT_STRIDE;
            if (ctx >= contexts) {
                return;
            }
            if (reg == 0) {
                threshold[(int) ctx] = value & MAX_PRIORITY;
                updateOutputs();
            } else if (reg == 4) {
                complete((int) ctx, value);
            }
        }
    }

    /** Takes the best claimable source of {@code ctx}, or returns 0 if there is none. */
    private int claim(int ctx) {
        int source = best(ctx);
        if (source != 0) {
            claimed[source] = true;
            setPending(source, false);
            updateOutputs();
        }
        return source;
    }

    private void complete(int ctx, int source) {
        // As specified: an id not enabled for this context is silently ignored.
        if (source < 1 || source > SOURCES || !isSet(enable[ctx], source) || !claimed[source]) {
            return;
        }
        claimed[source] = false;
        setPending(source, level[source]);
        updateOutputs();
    }

    /** Highest-priority pending, enabled source above the threshold of {@code ctx}; 0 if none. */
    private int best(int ctx) {
        int bestSource = 0;
        int bestPriority = threshold[ctx];
        for (int w = 0; w < WORDS; w++) {
            int bits = pending[w] & enable[ctx][w];
            while (bits != 0) {
                int source = w * 32 + Integer.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (priority[source] > bestPriority) { // strict: ties keep the lower id
                    bestPriority = priority[source];
                    bestSource = source;
                }
            }
        }
        return bestSource;
    }

    private void updateOutputs() {
        for (int ctx = 0; ctx < contexts; ctx++) {
            boolean high = best(ctx) != 0;
            if (output[ctx] != high) {
                output[ctx] = high;
                targets[ctx / 2].setLine(ctx % 2 == 0 ? Interrupts.MEIP : Interrupts.SEIP, high);
            }
        }
    }

    private void setPending(int source, boolean on) {
        int bit = 1 << (source & 31);
        if (on) {
            pending[source >>> 5] |= bit;
        } else {
            pending[source >>> 5] &= ~bit;
        }
    }

    private static boolean isSet(int[] bits, int source) {
        return (bits[source >>> 5] & (1 << (source & 31))) != 0;
    }

    /** Source bits that exist in word {@code word}: source 0 and sources above SOURCES are hardwired 0. */
    private static int implementedBits(int word) {
        int bits = -1;
        if (word == 0) {
            bits &= ~1;
        }
        int firstAbove = SOURCES + 1 - word * 32; // bit index of the first missing source
        if (firstAbove < 32) {
            bits &= firstAbove <= 0 ? 0 : (1 << firstAbove) - 1;
        }
        return bits;
    }

    /** Saves priorities, source levels, pending and claimed bits, enables and thresholds. */
    @Override
    public void save(StateWriter out) {
        synchronized (lock) {
            out.putInt(harts).putInts(priority).putBooleans(level).putBooleans(claimed).putInts(pending);
            for (int[] e : enable) {
                out.putInts(e);
            }
            out.putInts(threshold);
        }
    }

    /** Loads saved state and drives each hart's MEIP/SEIP to match it. */
    @Override
    public void load(StateReader in) throws StateException {
        in.getInt(harts, harts, "PLIC hart count");
        int[] newPriority = new int[priority.length];
        boolean[] newLevel = new boolean[level.length];
        boolean[] newClaimed = new boolean[claimed.length];
        int[] newPending = new int[WORDS];
        int[][] newEnable = new int[contexts][WORDS];
        int[] newThreshold = new int[contexts];
        in.getInts(newPriority, "priority");
        in.getBooleans(newLevel, "source levels");
        in.getBooleans(newClaimed, "claimed");
        in.getInts(newPending, "pending");
        for (int[] e : newEnable) {
            in.getInts(e, "enable");
        }
        in.getInts(newThreshold, "threshold");
        in.expectEnd();
        for (int p : newPriority) {
            if (p < 0 || p > MAX_PRIORITY) {
                throw in.bad("priority " + p);
            }
        }
        synchronized (lock) {
            System.arraycopy(newPriority, 0, priority, 0, priority.length);
            System.arraycopy(newLevel, 0, level, 0, level.length);
            System.arraycopy(newClaimed, 0, claimed, 0, claimed.length);
            for (int w = 0; w < WORDS; w++) {
                pending[w] = newPending[w] & implementedBits(w);
            }
            for (int ctx = 0; ctx < contexts; ctx++) {
                for (int w = 0; w < WORDS; w++) {
                    enable[ctx][w] = newEnable[ctx][w] & implementedBits(w);
                }
                threshold[ctx] = newThreshold[ctx] & MAX_PRIORITY;
            }
            updateOutputs();
        }
    }
}
