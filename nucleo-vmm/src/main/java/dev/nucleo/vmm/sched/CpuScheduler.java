package dev.nucleo.vmm.sched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Shares the host's CPU among the harts of every VM that joins it: a fixed number of run
 * slots (the host's cores by default), weighted fair sharing among VMs, and per-VM caps.
 *
 * <p>A hart needs a slot to run guest code. When a slot frees up it goes to the VM with the
 * least virtual runtime (CPU time charged / weight, as in Linux's CFS) that has a hart waiting
 * and budget left, and within that VM to the hart with the least runtime. A turn lasts one
 * quantum of wall time; then the hart is charged the CPU time its thread really used and, if
 * anyone else waits, gives the slot to the next in line. A hart asleep in WFI holds no slot
 * and is charged nothing; when a VM (or a hart) becomes runnable again its runtime is raised
 * to the current minimum, so sleeping earns no burst. A capped VM's turns come out of a
 * {@link CpuBudget}; without budget its harts wait for the refill, even when slots are free.
 *
 * <p>All state is guarded by one lock; the harts' threads do their waiting in
 * {@link HartTurn}.
 */
public final class CpuScheduler {
    public static final Duration DEFAULT_QUANTUM = Duration.ofMillis(4);
    /** A cap of c cores allows c x this much CPU time in any such window (plus one quantum). */
    public static final Duration CAP_PERIOD = Duration.ofMillis(100);
    /** Virtual runtime advances by CPU time x this / weight: the default weight runs at par. */
    static final long WEIGHT_UNIT = 100;
    /** How long a waiting hart sleeps at most before it looks again (a safety net). */
    static final long MAX_WAIT_NANOS = 10_000_000;
    /**
     * A hart this long past its quantum without checking in (paused, or its thread starved by
     * the host) loses its slot; it is charged what it used when it comes back.
     */
    static final long OVERDUE_NANOS = 250_000_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final int slots;
    private final long quantum;
    private final LongSupplier clock;
    private final CpuClock cpuClock;
    private final List<CpuGroup> groups = new ArrayList<>();
    private int busySlots;
    private long minVruntime;

    /** A scheduler with as many slots as the host has cores. */
    public static CpuScheduler forHost() {
        return new CpuScheduler(Runtime.getRuntime().availableProcessors());
    }

    /** A scheduler with {@code slots} harts running at once at most, and the default quantum. */
    public CpuScheduler(int slots) {
        this(slots, DEFAULT_QUANTUM, System::nanoTime, CpuClock.host());
    }

    CpuScheduler(int slots, Duration quantum, LongSupplier clock, CpuClock cpuClock) {
        if (slots < 1) {
            throw new IllegalArgumentException("a CPU scheduler needs at least 1 slot, not " + slots);
        }
        if (quantum.isNegative() || quantum.isZero()) {
            throw new IllegalArgumentException("the quantum must be positive");
        }
        this.slots = slots;
        this.quantum = quantum.toNanos();
        this.clock = clock;
        this.cpuClock = cpuClock;
    }

    public int slots() {
        return slots;
    }

    /**
     * A new member: one VM, whose harts share {@code weight} and the cap {@code limitCores}
     * (0: none). Its harts take part once they get their {@link CpuGroup#governor}.
     */
    public CpuGroup join(String name, int weight, double limitCores) {
        CpuGroup.checkWeight(weight);
        CpuGroup.checkLimit(limitCores);
        lock.lock();
        try {
            CpuGroup group = new CpuGroup(this, name, weight);
            group.budget = budgetFor(limitCores);
            groups.add(group);
            return group;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------ used by CpuGroup and HartTurn

    long now() {
        return clock.getAsLong();
    }

    long threadCpuNanos() {
        return cpuClock.currentThreadCpuNanos();
    }

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    CpuBudget budgetFor(double limitCores) {
        return limitCores == 0 ? null : new CpuBudget(limitCores, CAP_PERIOD.toNanos(), quantum, now());
    }

    void leave(CpuGroup group) {
        lock.lock();
        try {
            if (group.left) {
                return;
            }
            group.left = true;
            groups.remove(group);
            for (HartTurn hart : group.harts) {
                if (hart.state == HartTurn.State.RUNNING) {
                    busySlots--;
                }
                hart.state = HartTurn.State.IDLE;
                Thread waiter = hart.thread;
                if (waiter != null) {
                    LockSupport.unpark(waiter); // a waiting hart runs on, ungoverned
                }
            }
            group.active = 0;
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The hart wants to run: it queues for a slot (and may get one at once). Returns false if
     * its VM has left the scheduler: then it runs ungoverned.
     */
    boolean request(HartTurn hart) {
        lock.lock();
        try {
            if (hart.group.left) {
                return false;
            }
            if (hart.state == HartTurn.State.IDLE) {
                queue(hart);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void queue(HartTurn hart) {
        CpuGroup group = hart.group;
        if (group.active == 0) {
            group.vruntime = Math.max(group.vruntime, minVruntime);
        } else {
            hart.vruntime = Math.max(hart.vruntime, group.minActiveHartVruntime());
        }
        group.active++;
        hart.state = HartTurn.State.WAITING;
        dispatch();
    }

    /** The hart's quantum is over after {@code used} ns of CPU: it queues again behind whoever waits. */
    void requeue(HartTurn hart, long used) {
        lock.lock();
        try {
            if (settleRevoked(hart, used) || hart.state == HartTurn.State.IDLE) {
                if (!hart.group.left) {
                    queue(hart); // its slot was revoked: it queues like a hart waking up
                }
                return;
            }
            if (hart.state != HartTurn.State.RUNNING) {
                return;
            }
            endTurn(hart, used);
            hart.state = HartTurn.State.WAITING;
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /** The hart stops wanting the CPU (WFI, stop) after {@code used} ns of CPU in its turn, if it had one. */
    void release(HartTurn hart, long used) {
        lock.lock();
        try {
            if (settleRevoked(hart, used) || hart.state == HartTurn.State.IDLE) {
                return;
            }
            if (hart.state == HartTurn.State.RUNNING) {
                endTurn(hart, used);
            }
            hart.state = HartTurn.State.IDLE;
            hart.group.active--;
            updateMinVruntime();
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A waiting hart looks again: a budget may have refilled while every slot sat free, or a
     * holder may be overdue.
     */
    void poll() {
        lock.lock();
        try {
            revokeOverdue();
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /** How long a waiting hart may sleep before it must look again. */
    long waitNanos(HartTurn hart) {
        lock.lock();
        try {
            CpuBudget budget = hart.group.budget;
            long untilBudget = budget == null ? 0 : budget.nanosUntilStart(now());
            return untilBudget > 0 ? Math.min(untilBudget, CAP_PERIOD.toNanos()) : MAX_WAIT_NANOS;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- under the lock

    /**
     * If the hart's slot was revoked, charges it the {@code used} ns of CPU of that turn and
     * returns true: it holds no slot and is idle.
     */
    private boolean settleRevoked(HartTurn hart, long used) {
        if (!hart.revoked) {
            return false;
        }
        hart.revoked = false;
        charge(hart, used, 0);
        updateMinVruntime();
        return true;
    }

    private void endTurn(HartTurn hart, long used) {
        charge(hart, used, hart.slice);
        hart.slice = 0;
        busySlots--;
        updateMinVruntime();
    }

    private void charge(HartTurn hart, long used, long slice) {
        used = Math.max(0, used);
        CpuGroup group = hart.group;
        group.vruntime += used * WEIGHT_UNIT / group.weight;
        group.chargedNanos += used;
        hart.vruntime += used;
        if (group.budget != null) {
            group.budget.settle(slice, used, now());
        }
    }

    /** Frees the slots of holders long past their quantum; they count as idle until they check in. */
    private void revokeOverdue() {
        long now = now();
        for (CpuGroup group : groups) {
            for (HartTurn hart : group.harts) {
                if (hart.state == HartTurn.State.RUNNING && now - hart.deadline > OVERDUE_NANOS) {
                    if (group.budget != null) {
                        group.budget.settle(hart.slice, 0, now);
                    }
                    hart.slice = 0;
                    hart.revoked = true;
                    hart.state = HartTurn.State.IDLE;
                    group.active--;
                    busySlots--;
                }
            }
        }
    }

    /** The least virtual runtime among VMs that want the CPU; it never goes back. */
    private void updateMinVruntime() {
        long min = Long.MAX_VALUE;
        for (CpuGroup group : groups) {
            if (group.active > 0) {
                min = Math.min(min, group.vruntime);
            }
        }
        if (min != Long.MAX_VALUE) {
            minVruntime = Math.max(minVruntime, min);
        }
    }

    /** Hands free slots to the best waiting harts. */
    void dispatch() {
        long now = now();
        while (busySlots < slots) {
            HartTurn next = pickNext(now);
            if (next == null) {
                return;
            }
            CpuBudget budget = next.group.budget;
            next.slice = budget == null ? quantum : budget.take(quantum, now);
            next.deadline = now + next.slice;
            next.state = HartTurn.State.RUNNING;
            busySlots++;
            Thread waiter = next.thread;
            if (waiter != null && waiter != Thread.currentThread()) {
                LockSupport.unpark(waiter);
            }
        }
    }

    private HartTurn pickNext(long now) {
        CpuGroup best = null;
        for (CpuGroup group : groups) {
            if ((best == null || group.vruntime < best.vruntime) && group.hasWaitingHart()
                    && (group.budget == null || group.budget.canStart(now))) {
                best = group;
            }
        }
        return best == null ? null : best.bestWaitingHart();
    }

    /** For tests: slots in use now. */
    int busySlots() {
        lock.lock();
        try {
            return busySlots;
        } finally {
            lock.unlock();
        }
    }
}
