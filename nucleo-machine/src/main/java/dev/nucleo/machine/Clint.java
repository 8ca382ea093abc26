package dev.nucleo.machine;

import dev.nucleo.cpu.Interrupts;
import dev.nucleo.cpu.SupervisorTimer;
import dev.nucleo.cpu.TimeSource;
import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The core-local interruptor (SiFive CLINT layout): per-hart software interrupt bits (msip),
 * per-hart timer compare registers (mtimecmp) and the shared real-time counter (mtime).
 *
 * <p>mtime counts at {@link #TIMEBASE_HZ} from the host's monotonic clock, so guest time runs
 * at wall speed whatever the emulation speed. MTIP of hart h is the level
 * {@code mtime >= mtimecmp[h]} (unsigned): it is re-evaluated whenever mtimecmp or mtime is
 * written, and a compare value in the future is armed on a timer thread that raises MTIP when
 * the moment comes (waking a hart sleeping in WFI).
 *
 * <p>The same timer serves each hart's {@code stimecmp} (Sstc, {@link SupervisorTimer}): the
 * hart keeps the CSR and hands each new value here, and STIP follows {@code mtime >= stimecmp}
 * exactly as MTIP follows mtimecmp. It is not a CLINT register: the hart saves it.
 *
 * <p>Registers: msip[h] at {@code 4h}, mtimecmp[h] at {@code 0x4000 + 8h}, mtime at
 * {@code 0xbff8}. The 64-bit registers accept 8-byte accesses and 4-byte halves; narrower
 * aligned accesses act on the containing 32-bit word; misaligned ones are ignored.
 *
 * <p>Thread-safe. {@link InterruptTarget#setLine} is called with the CLINT's lock held (so
 * level changes reach a hart in order); it must not block or call back into the CLINT.
 */
public final class Clint implements MmioDevice, TimeSource, SupervisorTimer, Snapshottable, AutoCloseable {
    /** mtime ticks per second (advertised to the guest as timebase-frequency). */
    public static final long TIMEBASE_HZ = 10_000_000L;
    /** Largest hart count the register layout can address (mtimecmp runs into mtime after). */
    public static final int MAX_HARTS = 4095;

    static final long MSIP_BASE = 0x0;
    static final long MTIMECMP_BASE = 0x4000;
    static final long MTIME = 0xbff8;

    private static final long NANOS_PER_TICK = 1_000_000_000L / TIMEBASE_HZ;
    /** Compare values further away than this are never reached in practice; don't arm them. */
    private static final long MAX_DELAY_TICKS = Long.MAX_VALUE / NANOS_PER_TICK;
    private static final InterruptTarget UNCONNECTED = (bit, level) -> { };

    private final int harts;
    private final LongSupplier nanoClock;
    private final long startNanos;
    /** mtime = ticks elapsed since creation + offset; changed only when the guest writes mtime. */
    private volatile long offset;
    /** While frozen (the VM is paused) mtime reads this value and does not advance. */
    private volatile boolean frozen;
    private volatile long frozenMtime;

    private final Object lock = new Object();
    private final InterruptTarget[] targets;
    private final boolean[] msip;
    /** Each hart's mtimecmp, driving MTIP. */
    private final Comparator[] machineTimers;
    /** Each hart's stimecmp (Sstc), driving STIP. */
    private final Comparator[] supervisorTimers;
    private final ScheduledThreadPoolExecutor timer;
    private boolean closed;

    /** A CLINT for {@code harts} harts whose interrupt outputs are not yet connected. */
    public Clint(int harts) {
        this(harts, System::nanoTime);
    }

    /** As {@link #Clint(int)}, reading time from {@code nanoClock} (a System.nanoTime-like clock). */
    Clint(int harts, LongSupplier nanoClock) {
        if (harts < 1 || harts > MAX_HARTS) {
            throw new IllegalArgumentException("CLINT supports 1.." + MAX_HARTS + " harts, got " + harts);
        }
        this.harts = harts;
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.startNanos = nanoClock.getAsLong();
        this.targets = new InterruptTarget[harts];
        Arrays.fill(targets, UNCONNECTED);
        this.msip = new boolean[harts];
        this.machineTimers = new Comparator[harts];
        this.supervisorTimers = new Comparator[harts];
        for (int h = 0; h < harts; h++) {
            machineTimers[h] = new Comparator(h, Interrupts.MTIP);
            supervisorTimers[h] = new Comparator(h, Interrupts.STIP);
        }
        this.timer = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("clint-timer").unstarted(r));
        timer.setRemoveOnCancelPolicy(true); // Linux re-arms every tick; don't pile up cancelled tasks
    }

    public int harts() {
        return harts;
    }

    /** Connects hart {@code hart}'s interrupt inputs and drives its current MSIP/MTIP levels. */
    public void connect(int hart, InterruptTarget target) {
        Objects.requireNonNull(target, "target");
        Objects.checkIndex(hart, harts);
        synchronized (lock) {
            targets[hart] = target;
            target.setLine(Interrupts.MSIP, msip[hart]);
            target.setLine(Interrupts.MTIP, machineTimers[hart].level);
            target.setLine(Interrupts.STIP, supervisorTimers[hart].level);
        }
    }

    @Override
    public long mtime() {
        if (frozen) {
            return frozenMtime;
        }
        return (nanoClock.getAsLong() - startNanos) / NANOS_PER_TICK + offset;
    }

    /**
     * Stops guest time (the VM is paused): mtime keeps its current value until {@link #thaw},
     * so no timer interrupt becomes due while the guest cannot run. Idempotent.
     */
    public void freeze() {
        synchronized (lock) {
            if (!frozen) {
                frozenMtime = mtime();
                frozen = true;
            }
        }
    }

    /** Lets guest time run on from where {@link #freeze} stopped it. Idempotent. */
    public void thaw() {
        synchronized (lock) {
            if (frozen) {
                offset = frozenMtime - (nanoClock.getAsLong() - startNanos) / NANOS_PER_TICK;
                frozen = false;
                updateAllTimers(); // timers armed before the pause are due later now
            }
        }
    }

    /** Whether guest time is stopped. */
    public boolean isFrozen() {
        return frozen;
    }

    /** Saves mtime (so time continues from it), msip and mtimecmp of every hart. */
    @Override
    public void save(StateWriter out) {
        synchronized (lock) {
            long[] mtimecmp = new long[harts];
            for (int h = 0; h < harts; h++) {
                mtimecmp[h] = machineTimers[h].compare;
            }
            out.putInt(harts).putLong(mtime()).putBooleans(msip).putLongs(mtimecmp);
        }
    }

    /** Loads saved state; mtime continues from the saved value (frozen if this CLINT is frozen). */
    @Override
    public void load(StateReader in) throws StateException {
        in.getInt(harts, harts, "CLINT hart count");
        long savedMtime = in.getLong();
        boolean[] savedMsip = new boolean[harts];
        long[] savedCmp = new long[harts];
        in.getBooleans(savedMsip, "msip");
        in.getLongs(savedCmp, "mtimecmp");
        in.expectEnd();
        synchronized (lock) {
            if (frozen) {
                frozenMtime = savedMtime;
            }
            offset = savedMtime - (nanoClock.getAsLong() - startNanos) / NANOS_PER_TICK;
            for (int h = 0; h < harts; h++) {
                setMsip(h, savedMsip[h]);
                setCompare(machineTimers[h], savedCmp[h]);
            }
        }
    }

    /** Current mtimecmp of {@code hart}. */
    public long mtimecmp(int hart) {
        Objects.checkIndex(hart, harts);
        synchronized (lock) {
            return machineTimers[hart].compare;
        }
    }

    @Override
    public long read(long off, int size) {
        if (!aligned(off, size)) {
            return 0;
        }
        if (size == 8) {
            if (off == MTIME) {
                return mtime(); // one sample, so both halves agree
            }
            int hart = mtimecmpHart(off);
            if (hart >= 0 && (off - MTIMECMP_BASE) % 8 == 0) {
                return mtimecmp(hart);
            }
            return (readWord(off) & 0xffff_ffffL) | ((long) readWord(off + 4) << 32);
        }
        int word = readWord(off & ~3L);
        long shifted = (word & 0xffff_ffffL) >>> ((off & 3) * 8);
        return size == 4 ? shifted : shifted & ((1L << (size * 8)) - 1);
    }

    @Override
    public void write(long off, int size, long value) {
        if (!aligned(off, size)) {
            return;
        }
        if (size == 8) {
            int hart = mtimecmpHart(off);
            if (hart >= 0 && (off - MTIMECMP_BASE) % 8 == 0) {
                setMtimecmp(hart, value); // whole register at once: no transient half-written value
            } else if (off == MTIME) {
                setMtime(value);
            } else {
                writeWord(off, (int) value);
                writeWord(off + 4, (int) (value >>> 32));
            }
            return;
        }
        if (size == 4) {
            writeWord(off, (int) value);
            return;
        }
        long wordOff = off & ~3L;
        int shift = (int) (off & 3) * 8;
        int mask = (int) (((1L << (size * 8)) - 1) << shift);
        synchronized (lock) { // read-modify-write of the containing word must not interleave
            int merged = (readWord(wordOff) & ~mask) | (((int) value << shift) & mask);
            writeWord(wordOff, merged);
        }
    }

    /** Stops the timer thread. The device answers accesses afterwards but no longer arms timers. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        timer.shutdownNow();
    }

    private int readWord(long off) {
        int hart = msipHart(off);
        if (hart >= 0) {
            synchronized (lock) {
                return msip[hart] ? 1 : 0;
            }
        }
        hart = mtimecmpHart(off);
        if (hart >= 0) {
            long cmp = mtimecmp(hart);
            return (int) (isHighHalf(off) ? cmp >>> 32 : cmp);
        }
        if (off == MTIME) {
            return (int) mtime();
        }
        if (off == MTIME + 4) {
            return (int) (mtime() >>> 32);
        }
        return 0;
    }

    private void writeWord(long off, int value) {
        int hart = msipHart(off);
        if (hart >= 0) {
            setMsip(hart, (value & 1) != 0); // only bit 0 is implemented
            return;
        }
        hart = mtimecmpHart(off);
        if (hart >= 0) {
            synchronized (lock) {
                setMtimecmp(hart, mergeHalf(machineTimers[hart].compare, off, value));
            }
            return;
        }
        if (off == MTIME || off == MTIME + 4) {
            synchronized (lock) {
                setMtime(mergeHalf(mtime(), off, value));
            }
        }
    }

    private void setMsip(int hart, boolean level) {
        synchronized (lock) {
            if (msip[hart] != level) {
                msip[hart] = level;
                targets[hart].setLine(Interrupts.MSIP, level);
            }
        }
    }

    private void setMtimecmp(int hart, long value) {
        setCompare(machineTimers[hart], value);
    }

    private void setMtime(long value) {
        synchronized (lock) {
            if (frozen) {
                frozenMtime = value; // only a paused VM's own device could write it; keep it consistent
            }
            offset = value - (nanoClock.getAsLong() - startNanos) / NANOS_PER_TICK;
            updateAllTimers(); // every hart's comparison changed
        }
    }

    /** Sstc: hart {@code hartId} wrote stimecmp; STIP follows {@code mtime >= stimecmp}. */
    @Override
    public void setSupervisorCompare(int hartId, long stimecmp) {
        Objects.checkIndex(hartId, harts);
        setCompare(supervisorTimers[hartId], stimecmp);
    }

    /** A new compare value: re-evaluates the comparator's line and re-arms it. */
    private void setCompare(Comparator c, long value) {
        synchronized (lock) {
            c.compare = value;
            updateTimer(c);
        }
    }

    private void updateAllTimers() {
        for (int h = 0; h < harts; h++) {
            updateTimer(machineTimers[h]);
            updateTimer(supervisorTimers[h]);
        }
    }

    /** Drives a comparator's interrupt line to its current level and arms it if it lies ahead. */
    private void updateTimer(Comparator c) {
        if (c.armed != null) {
            c.armed.cancel(false);
            c.armed = null;
        }
        long generation = ++c.generation;
        long now = mtime();
        boolean level = Long.compareUnsigned(now, c.compare) >= 0;
        if (c.level != level) {
            c.level = level;
            targets[c.hart].setLine(c.mipBit, level);
        }
        long ticksAhead = c.compare - now; // positive as unsigned when !level
        if (!level && !closed && !frozen && Long.compareUnsigned(ticksAhead, MAX_DELAY_TICKS) <= 0) {
            c.armed = timer.schedule(() -> timerExpired(c, generation),
                    ticksAhead * NANOS_PER_TICK, TimeUnit.NANOSECONDS);
        }
    }

    private void timerExpired(Comparator c, long generation) {
        synchronized (lock) {
            if (c.generation == generation) {
                c.armed = null;
                updateTimer(c); // raises the line, or re-arms for the remainder if woken early
            }
        }
    }

    /** One hart's timer comparator (mtimecmp or stimecmp); guarded by the CLINT's lock. */
    private static final class Comparator {
        final int hart;
        final int mipBit;
        long compare = -1L;         // all-ones: never fires until programmed
        /** The level last driven to the hart. */
        boolean level;
        /** Bumped on every re-arm so a stale timer callback knows to do nothing. */
        long generation;
        ScheduledFuture<?> armed;

        Comparator(int hart, int mipBit) {
            this.hart = hart;
            this.mipBit = mipBit;
        }
    }

    private int msipHart(long off) {
        if (off >= MSIP_BASE && off < MSIP_BASE + 4L * harts) {
            return (int) ((off - MSIP_BASE) / 4);
        }
        return -1;
    }

    private int mtimecmpHart(long off) {
        if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + 8L * harts) {
            return (int) ((off - MTIMECMP_BASE) / 8);
        }
        return -1;
    }

    private static boolean isHighHalf(long off) {
        return (off & 4) != 0; // mtimecmp and mtime are 8-byte aligned
    }

    private static long mergeHalf(long current, long off, int half) {
        return isHighHalf(off)
                ? (current & 0xffff_ffffL) | ((long) half << 32)
                : (current & 0xffff_ffff_0000_0000L) | (half & 0xffff_ffffL);
    }

    private static boolean aligned(long off, int size) {
        return (size == 1 || size == 2 || size == 4 || size == 8) && off >= 0 && off % size == 0;
    }
}
