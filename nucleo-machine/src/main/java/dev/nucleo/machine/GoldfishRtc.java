package dev.nucleo.machine;

import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Goldfish real-time clock: host wall-clock time in nanoseconds since the Unix epoch, plus
 * one alarm that raises an interrupt.
 *
 * <p>Registers (32-bit): TIME_LOW {@code 0x00} (reading it latches the high half for
 * TIME_HIGH), TIME_HIGH {@code 0x04}, ALARM_LOW {@code 0x08} (writing it arms the alarm at
 * ALARM_HIGH:ALARM_LOW), ALARM_HIGH {@code 0x0c}, IRQ_ENABLED {@code 0x10}, CLEAR_ALARM
 * {@code 0x14}, ALARM_STATUS {@code 0x18} (1 while armed), CLEAR_INTERRUPT {@code 0x1c}.
 * Writing TIME_HIGH then TIME_LOW sets the guest's clock (an offset from the host's; the host
 * clock itself is never touched). When the alarm time is reached the alarm disarms and the
 * interrupt becomes pending; the IRQ line is high while an interrupt is pending and enabled.
 * Thread-safe.
 */
public final class GoldfishRtc implements MmioDevice, Snapshottable, AutoCloseable {
    static final int TIME_LOW = 0x00;
    static final int TIME_HIGH = 0x04;
    static final int ALARM_LOW = 0x08;
    static final int ALARM_HIGH = 0x0c;
    static final int IRQ_ENABLED = 0x10;
    static final int CLEAR_ALARM = 0x14;
    static final int ALARM_STATUS = 0x18;
    static final int CLEAR_INTERRUPT = 0x1c;

    /** About 146 years; the scheduler needs delays it can add to System.nanoTime(). */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE / 2;

    private final LongSupplier hostNanos;
    private final IrqLine irq;
    private final Object lock = new Object();
    private final ScheduledThreadPoolExecutor timer;

    /** Guest time = host time + offset; set when the guest writes the time. */
    private long offset;
    private int timeHighLatch;
    private int timeHighWrite;
    private long alarm;
    private boolean alarmArmed;
    private boolean irqEnabled;
    private boolean irqPending;
    private boolean irqLevel;
    private ScheduledFuture<?> armedTask;
    private long alarmGeneration;
    private boolean closed;

    /** An RTC showing the host's wall-clock time. */
    public GoldfishRtc(IrqLine irq) {
        this(irq, Clock.systemUTC());
    }

    /** An RTC reading time from {@code clock} (injectable for tests). */
    public GoldfishRtc(IrqLine irq, Clock clock) {
        this(irq, epochNanos(Objects.requireNonNull(clock, "clock")));
    }

    /** An RTC reading nanoseconds since the epoch from {@code hostNanos}. */
    public GoldfishRtc(IrqLine irq, LongSupplier hostNanos) {
        this.irq = Objects.requireNonNull(irq, "irq");
        this.hostNanos = Objects.requireNonNull(hostNanos, "hostNanos");
        this.timer = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("goldfish-rtc-alarm").unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
    }

    private static LongSupplier epochNanos(Clock clock) {
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /** The guest's current time in nanoseconds since the epoch. */
    public long now() {
        synchronized (lock) {
            return hostNanos.getAsLong() + offset;
        }
    }

    @Override
    public long read(long off, int size) {
        if (size != 4 || off % 4 != 0) {
            return 0; // the registers are 32-bit; Linux uses readl
        }
        synchronized (lock) {
            return switch ((int) Math.min(off, Integer.MAX_VALUE)) {
                case TIME_LOW -> {
                    long now = now();
                    timeHighLatch = (int) (now >>> 32);
                    yield now & 0xffff_ffffL;
                }
                case TIME_HIGH -> timeHighLatch & 0xffff_ffffL;
                case ALARM_LOW -> alarm & 0xffff_ffffL;
                case ALARM_HIGH -> alarm >>> 32;
                case IRQ_ENABLED -> irqEnabled ? 1 : 0;
                case ALARM_STATUS -> alarmArmed ? 1 : 0;
                default -> 0;
            };
        }
    }

    @Override
    public void write(long off, int size, long value) {
        if (size != 4 || off % 4 != 0) {
            return;
        }
        int v = (int) value;
        synchronized (lock) {
            switch ((int) Math.min(off, Integer.MAX_VALUE)) {
                case TIME_LOW -> offset = (((long) timeHighWrite << 32) | (v & 0xffff_ffffL)) - hostNanos.getAsLong();
                case TIME_HIGH -> timeHighWrite = v;
                case ALARM_LOW -> {
                    alarm = (alarm & 0xffff_ffff_0000_0000L) | (v & 0xffff_ffffL);
                    alarmArmed = true;
                    checkAlarm();
                }
                case ALARM_HIGH -> alarm = (alarm & 0xffff_ffffL) | ((long) v << 32);
                case IRQ_ENABLED -> irqEnabled = (v & 1) != 0;
                case CLEAR_ALARM -> disarm();
                case CLEAR_INTERRUPT -> irqPending = false;
                default -> { }
            }
            updateIrq();
        }
    }

    /**
     * Fires the alarm if its time has come, otherwise (re)arms the timer for it. Runs on every
     * alarm write and when the timer expires; tests with a fake clock call it after moving time.
     */
    void checkAlarm() {
        synchronized (lock) {
            cancelTimer();
            if (!alarmArmed) {
                return;
            }
            long now = now();
            if (Long.compareUnsigned(now, alarm) >= 0) {
                alarmArmed = false;
                irqPending = true;
                updateIrq();
                return;
            }
            // Alarms centuries away are never reached; also keeps the delay a positive long.
            long remaining = alarm - now;
            if (Long.compareUnsigned(remaining, MAX_DELAY_NANOS) <= 0 && !closed) {
                long generation = alarmGeneration;
                armedTask = timer.schedule(() -> timerExpired(generation), remaining, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Stops the alarm thread. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            cancelTimer();
        }
        timer.shutdownNow();
    }

    private void timerExpired(long generation) {
        synchronized (lock) {
            if (generation == alarmGeneration) {
                checkAlarm(); // re-reads the clock: fires, or re-arms if the host clock moved back
            }
        }
    }

    private void disarm() {
        alarmArmed = false;
        cancelTimer();
    }

    private void cancelTimer() {
        alarmGeneration++;
        if (armedTask != null) {
            armedTask.cancel(false);
            armedTask = null;
        }
    }

    private void updateIrq() {
        boolean high = irqPending && irqEnabled;
        if (high != irqLevel) {
            irqLevel = high;
            irq.set(high);
        }
    }

    /**
     * Saves the guest's offset from host wall-clock time, the alarm and the interrupt state.
     * The RTC shows wall-clock time, so a restored guest sees the real date, as on real hardware
     * that was switched off (guest uptime, from the CLINT, continues from the snapshot instead).
     */
    @Override
    public void save(StateWriter out) {
        synchronized (lock) {
            out.putLong(offset).putInt(timeHighLatch).putInt(timeHighWrite).putLong(alarm);
            out.putBoolean(alarmArmed).putBoolean(irqEnabled).putBoolean(irqPending);
        }
    }

    @Override
    public void load(StateReader in) throws StateException {
        long newOffset = in.getLong();
        int latch = in.getInt();
        int highWrite = in.getInt();
        long newAlarm = in.getLong();
        boolean armed = in.getBoolean();
        boolean enabled = in.getBoolean();
        boolean pending = in.getBoolean();
        in.expectEnd();
        synchronized (lock) {
            offset = newOffset;
            timeHighLatch = latch;
            timeHighWrite = highWrite;
            alarm = newAlarm;
            irqEnabled = enabled;
            irqPending = pending;
            disarm();
            if (armed) {
                alarmArmed = true;
                checkAlarm();
            }
            updateIrq();
        }
    }
}
