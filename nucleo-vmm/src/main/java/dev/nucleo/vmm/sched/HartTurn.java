package dev.nucleo.vmm.sched;

import dev.nucleo.cpu.RunGovernor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One hart's place in a {@link CpuScheduler}: the {@link RunGovernor} its run loop calls.
 * Holding a slot, a checkpoint costs a counter increment, and a clock read every
 * {@value #CHECK_EVERY} blocks; the scheduler is entered only when the quantum is over.
 */
final class HartTurn implements RunGovernor {
    enum State { IDLE, WAITING, RUNNING }

    private static final int CHECK_EVERY = 8;

    private final CpuScheduler scheduler;
    final CpuGroup group;
    private final BooleanSupplier stopRequested;
    // guarded by the scheduler's lock; state is read by the hart's own thread while it waits
    volatile State state = State.IDLE;
    volatile long deadline;
    volatile Thread thread;
    volatile boolean revoked;   // its slot was taken away; its CPU time for that turn is still due
    long vruntime;
    long slice;
    // the hart's own thread only
    private boolean holding;
    private long turnStartCpu;
    private int blocks;

    HartTurn(CpuScheduler scheduler, CpuGroup group, BooleanSupplier stopRequested) {
        this.scheduler = scheduler;
        this.group = group;
        this.stopRequested = stopRequested;
    }

    @Override
    public boolean checkpoint() {
        if (group.left) {
            holding = false;
            return true; // the VM left the scheduler: ungoverned from now on
        }
        if (holding) {
            if (++blocks < CHECK_EVERY) {
                return true;
            }
            blocks = 0;
            if (scheduler.now() - deadline < 0 && state == State.RUNNING && !revoked) {
                return true;
            }
            holding = false;
            scheduler.requeue(this, scheduler.threadCpuNanos() - turnStartCpu);
        } else {
            thread = Thread.currentThread();
            if (!scheduler.request(this)) {
                return true;
            }
        }
        return awaitTurn();
    }

    @Override
    public void idle() {
        if (holding) {
            holding = false;
            scheduler.release(this, scheduler.threadCpuNanos() - turnStartCpu);
        }
    }

    private boolean awaitTurn() {
        while (true) {
            State now = state;
            if (now == State.RUNNING) {
                holding = true;
                blocks = 0;
                turnStartCpu = scheduler.threadCpuNanos();
                return true;
            }
            if (now == State.IDLE) {
                if (group.left) {
                    return true; // the VM left the scheduler while this hart waited
                }
                scheduler.requeue(this, 0); // granted, but revoked before this thread even woke
                continue;
            }
            if (stopRequested.getAsBoolean()) {
                scheduler.release(this, 0); // gives back a slot granted meanwhile, unused
                return false;
            }
            LockSupport.parkNanos(this, scheduler.waitNanos(this));
            if (state == State.WAITING) {
                scheduler.poll();
            }
        }
    }
}
