package dev.nucleo.vmm.sched;

import dev.nucleo.cpu.RunGovernor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One VM's membership in a {@link CpuScheduler}: its weight and cap, shared by all its harts.
 * Thread-safe; weight and cap may change while the VM runs.
 */
public final class CpuGroup {
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;
    public static final int DEFAULT_WEIGHT = 100;
    /** The smallest cap: below it a hart would barely run between two refills. */
    public static final double MIN_LIMIT = 0.01;

    private final CpuScheduler scheduler;
    private final String name;
    // guarded by the scheduler's lock
    final List<HartTurn> harts = new ArrayList<>();
    int weight;
    CpuBudget budget;       // null: no cap
    long vruntime;
    long chargedNanos;
    int active;             // harts waiting for or holding a slot
    volatile boolean left;

    CpuGroup(CpuScheduler scheduler, String name, int weight) {
        this.scheduler = scheduler;
        this.name = name;
        this.weight = weight;
    }

    public String name() {
        return name;
    }

    /**
     * The governor for one more hart of this VM ({@link dev.nucleo.cpu.Hart#setGovernor});
     * {@code stopRequested} is the hart's {@code stopRequested}, so a hart waiting for its
     * turn leaves as soon as it is asked to stop.
     */
    public RunGovernor governor(BooleanSupplier stopRequested) {
        scheduler.lock();
        try {
            HartTurn hart = new HartTurn(scheduler, this, stopRequested);
            harts.add(hart);
            return hart;
        } finally {
            scheduler.unlock();
        }
    }

    public int weight() {
        scheduler.lock();
        try {
            return weight;
        } finally {
            scheduler.unlock();
        }
    }

    /** The share among busy VMs, relative to the others' weights ({@value #MIN_WEIGHT}..{@value #MAX_WEIGHT}). */
    public void setWeight(int weight) {
        checkWeight(weight);
        scheduler.lock();
        try {
            this.weight = weight;
        } finally {
            scheduler.unlock();
        }
    }

    /** The cap in host cores; 0 when there is none. */
    public double limit() {
        scheduler.lock();
        try {
            return budget == null ? 0 : budget.cores();
        } finally {
            scheduler.unlock();
        }
    }

    /** Caps the VM's harts together at {@code cores} host cores (0: no cap); starts with a full bucket. */
    public void setLimit(double cores) {
        checkLimit(cores);
        scheduler.lock();
        try {
            budget = scheduler.budgetFor(cores);
            scheduler.dispatch();
        } finally {
            scheduler.unlock();
        }
    }

    /** CPU time the scheduler has charged to this VM's turns so far. */
    public long chargedNanos() {
        scheduler.lock();
        try {
            return chargedNanos;
        } finally {
            scheduler.unlock();
        }
    }

    /** Leaves the scheduler: the VM's harts (if any still run) run ungoverned from now on. */
    public void leave() {
        scheduler.leave(this);
    }

    static void checkWeight(int weight) {
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("CPU weight must be between " + MIN_WEIGHT + " and " + MAX_WEIGHT
                    + ", not " + weight);
        }
    }

    static void checkLimit(double cores) {
        if (!(cores == 0 || cores >= MIN_LIMIT) || Double.isInfinite(cores)) {
            throw new IllegalArgumentException("CPU limit must be 0 (none) or at least " + MIN_LIMIT
                    + " cores, not " + cores);
        }
    }

    // ---------------------------------------------------------------- under the scheduler's lock

    boolean hasWaitingHart() {
        for (HartTurn hart : harts) {
            if (hart.state == HartTurn.State.WAITING) {
                return true;
            }
        }
        return false;
    }

    HartTurn bestWaitingHart() {
        HartTurn best = null;
        for (HartTurn hart : harts) {
            if (hart.state == HartTurn.State.WAITING && (best == null || hart.vruntime < best.vruntime)) {
                best = hart;
            }
        }
        return best;
    }

    /** The least runtime among this VM's harts that want the CPU (0 when none does). */
    long minActiveHartVruntime() {
        long min = Long.MAX_VALUE;
        for (HartTurn hart : harts) {
            if (hart.state != HartTurn.State.IDLE) {
                min = Math.min(min, hart.vruntime);
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }
}
