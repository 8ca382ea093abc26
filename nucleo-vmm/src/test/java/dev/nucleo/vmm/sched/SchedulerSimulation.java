package dev.nucleo.vmm.sched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link CpuScheduler} on a fake clock, single-threaded: every hart that holds a
 * slot "runs" (uses CPU time equal to wall time) until its quantum's deadline, then checks in
 * as a real hart would. Harts can be made to sleep (WFI) and wake. Deterministic.
 */
final class SchedulerSimulation {
    long now;
    final CpuScheduler scheduler;
    private final List<HartTurn> harts = new ArrayList<>();
    private final Map<HartTurn, Long> turnStart = new HashMap<>();
    private final Map<HartTurn, Long> used = new HashMap<>();

    SchedulerSimulation(int slots) {
        scheduler = new CpuScheduler(slots, CpuScheduler.DEFAULT_QUANTUM, () -> now, () -> {
            throw new AssertionError("the simulation charges CPU time itself");
        });
    }

    /** A hart of {@code group} that wants the CPU from now on. */
    HartTurn busyHart(CpuGroup group) {
        HartTurn hart = (HartTurn) group.governor(() -> false);
        harts.add(hart);
        used.put(hart, 0L);
        wake(hart);
        return hart;
    }

    void wake(HartTurn hart) {
        scheduler.request(hart);
        noteGrants();
    }

    /** The hart goes to sleep in WFI: it gives up its slot (charged for what it ran). */
    void sleep(HartTurn hart) {
        long ran = hart.state == HartTurn.State.RUNNING ? now - turnStart.remove(hart) : 0;
        used.merge(hart, ran, Long::sum);
        scheduler.release(hart, ran);
        noteGrants();
    }

    /** Runs the machine for {@code duration} of simulated time. */
    void run(Duration duration) {
        long end = now + duration.toNanos();
        while (now < end) {
            HartTurn first = null;
            for (HartTurn hart : turnStart.keySet()) {
                if (first == null || hart.deadline < first.deadline) {
                    first = hart;
                }
            }
            if (first == null) {
                // nobody holds a slot: waiting harts wait for budget; the first to wake looks again
                long wait = Long.MAX_VALUE;
                for (HartTurn hart : harts) {
                    if (hart.state == HartTurn.State.WAITING) {
                        wait = Math.min(wait, scheduler.waitNanos(hart));
                    }
                }
                now = Math.min(end, now + (wait == Long.MAX_VALUE ? end - now : Math.max(1, wait)));
                scheduler.poll();
                noteGrants();
                continue;
            }
            if (first.deadline >= end) {
                break;
            }
            now = Math.max(now, first.deadline);
            long ran = now - turnStart.remove(first);
            used.merge(first, ran, Long::sum);
            scheduler.requeue(first, ran);
            noteGrants();
        }
        now = end;
        for (HartTurn hart : turnStart.keySet()) { // the turns still going count up to the end
            used.merge(hart, end - turnStart.get(hart), Long::sum);
            turnStart.put(hart, end);
        }
    }

    private void noteGrants() {
        for (HartTurn hart : harts) {
            if (hart.state == HartTurn.State.RUNNING) {
                turnStart.putIfAbsent(hart, now);
            } else {
                turnStart.remove(hart);
            }
        }
    }

    /** CPU time the hart has used so far. */
    long used(HartTurn hart) {
        return used.get(hart);
    }
}
