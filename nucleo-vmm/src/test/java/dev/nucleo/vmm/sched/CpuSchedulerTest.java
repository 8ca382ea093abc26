package dev.nucleo.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The scheduler's policy on a fake clock (deterministic), and its waiting on real threads. */
class CpuSchedulerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void busyVmsShareOneSlotByWeight() {
        SchedulerSimulation sim = new SchedulerSimulation(1);
        HartTurn heavy = sim.busyHart(sim.scheduler.join("heavy", 200, 0));
        HartTurn light = sim.busyHart(sim.scheduler.join("light", 100, 0));
        sim.run(Duration.ofSeconds(3));

        assertEquals(3 * SECOND, sim.used(heavy) + sim.used(light), "the slot never sat idle");
        assertEquals(2.0, (double) sim.used(heavy) / sim.used(light), 0.02);
    }

    @Test
    void weightIsSharedAmongAVmsHartsNotGivenToEach() {
        SchedulerSimulation sim = new SchedulerSimulation(2);
        CpuGroup twoHarts = sim.scheduler.join("two", 100, 0);
        HartTurn a = sim.busyHart(twoHarts);
        HartTurn b = sim.busyHart(twoHarts);
        HartTurn c = sim.busyHart(sim.scheduler.join("one", 100, 0));
        CpuGroup threeHarts = sim.scheduler.join("three", 100, 0);
        HartTurn d = sim.busyHart(threeHarts);
        HartTurn e = sim.busyHart(threeHarts);
        HartTurn f = sim.busyHart(threeHarts);
        sim.run(Duration.ofSeconds(3));

        long two = sim.used(a) + sim.used(b);
        long three = sim.used(d) + sim.used(e) + sim.used(f);
        assertEquals(6 * SECOND, two + sim.used(c) + three, "both slots always busy");
        assertEquals(1.0, (double) two / sim.used(c), 0.02, "VMs share equally, whatever their hart count");
        assertEquals(1.0, (double) three / sim.used(c), 0.02);
        assertEquals(1.0, (double) sim.used(a) / sim.used(b), 0.05, "harts of one VM share its part equally");
    }

    @Test
    void capHoldsEvenWhenSlotsAreFree() {
        SchedulerSimulation sim = new SchedulerSimulation(2);
        HartTurn capped = sim.busyHart(sim.scheduler.join("capped", 100, 0.25));
        sim.run(Duration.ofSeconds(4));

        double cores = (double) sim.used(capped) / (4 * SECOND);
        double burst = 0.25 * CpuScheduler.CAP_PERIOD.toNanos() / (4.0 * SECOND); // it starts full
        assertTrue(cores <= 0.25 + burst + 1e-9, "used " + cores + " cores");
        assertTrue(cores >= 0.25 * 0.95, "used " + cores + " cores: the cap should not starve it either");
    }

    @Test
    void capCoversAllHartsOfTheVmTogether() {
        SchedulerSimulation sim = new SchedulerSimulation(4);
        CpuGroup group = sim.scheduler.join("capped", 100, 1.5);
        HartTurn[] harts = {sim.busyHart(group), sim.busyHart(group), sim.busyHart(group), sim.busyHart(group)};
        sim.run(Duration.ofSeconds(4));

        long total = 0;
        for (HartTurn hart : harts) {
            total += sim.used(hart);
        }
        double cores = (double) total / (4 * SECOND);
        assertEquals(1.5, cores, 0.05, "used " + cores + " cores");
    }

    @Test
    void cappedVmLeavesTheRestToOthers() {
        SchedulerSimulation sim = new SchedulerSimulation(1);
        HartTurn capped = sim.busyHart(sim.scheduler.join("capped", 1000, 0.25));
        HartTurn other = sim.busyHart(sim.scheduler.join("other", 100, 0));
        sim.run(Duration.ofSeconds(4));

        assertEquals(0.25, (double) sim.used(capped) / (4 * SECOND), 0.01);
        assertEquals(4 * SECOND, sim.used(capped) + sim.used(other), "the slot never sat idle");
    }

    @Test
    void wakingFromALongSleepEarnsNoBurst() {
        SchedulerSimulation sim = new SchedulerSimulation(1);
        HartTurn sleeper = sim.busyHart(sim.scheduler.join("sleeper", 100, 0));
        HartTurn busy = sim.busyHart(sim.scheduler.join("busy", 100, 0));
        sim.run(Duration.ofSeconds(1));
        sim.sleep(sleeper);
        sim.run(Duration.ofSeconds(5));
        long sleeperBefore = sim.used(sleeper);
        long busyBefore = sim.used(busy);

        sim.wake(sleeper);
        sim.run(Duration.ofMillis(400));
        long sleeperRan = sim.used(sleeper) - sleeperBefore;
        long busyRan = sim.used(busy) - busyBefore;
        assertEquals(1.0, (double) sleeperRan / busyRan, 0.1, "after waking it shares the slot, no catch-up");
    }

    @Test
    void weightAndCapChangeWhileRunning() {
        SchedulerSimulation sim = new SchedulerSimulation(1);
        CpuGroup group = sim.scheduler.join("changing", 100, 0);
        HartTurn changing = sim.busyHart(group);
        HartTurn other = sim.busyHart(sim.scheduler.join("other", 100, 0));
        sim.run(Duration.ofSeconds(1));
        group.setWeight(300);
        long before = sim.used(changing);
        long otherBefore = sim.used(other);
        sim.run(Duration.ofSeconds(2));
        assertEquals(3.0, (double) (sim.used(changing) - before) / (sim.used(other) - otherBefore), 0.1);

        group.setLimit(0.1);
        before = sim.used(changing);
        sim.run(Duration.ofSeconds(2));
        assertEquals(0.1, (double) (sim.used(changing) - before) / (2 * SECOND), 0.02);
        assertEquals(0.1, group.limit());
        assertEquals(300, group.weight());
    }

    @Test
    void aVmThatLeavesFreesItsSlot() {
        SchedulerSimulation sim = new SchedulerSimulation(1);
        CpuGroup leaving = sim.scheduler.join("leaving", 100, 0);
        HartTurn gone = sim.busyHart(leaving);
        HartTurn stays = sim.busyHart(sim.scheduler.join("stays", 100, 0));
        sim.run(Duration.ofSeconds(1));
        leaving.leave();
        long before = sim.used(stays);
        sim.run(Duration.ofSeconds(1));
        assertEquals(SECOND, sim.used(stays) - before, 2 * CpuScheduler.DEFAULT_QUANTUM.toNanos());
        assertEquals(HartTurn.State.IDLE, gone.state);
    }

    @Test
    void badWeightsAndCapsAreRefused() {
        CpuScheduler scheduler = new CpuScheduler(1);
        assertThrows(IllegalArgumentException.class, () -> scheduler.join("x", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> scheduler.join("x", 10_001, 0));
        assertThrows(IllegalArgumentException.class, () -> scheduler.join("x", 100, -1));
        assertThrows(IllegalArgumentException.class, () -> scheduler.join("x", 100, 0.001));
        assertThrows(IllegalArgumentException.class, () -> scheduler.join("x", 100, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CpuScheduler(0));
    }

    /** Real threads: a hart waiting for the only slot leaves at once when it is asked to stop. */
    @Test
    void aWaitingHartLeavesPromptlyOnStop() throws Exception {
        // a quantum so long that the holder is never overdue, so the slot stays taken
        CpuScheduler scheduler = new CpuScheduler(1, Duration.ofHours(1), System::nanoTime, CpuClock.host());
        AtomicBoolean holderStop = new AtomicBoolean();
        AtomicBoolean waiterStop = new AtomicBoolean();
        var holder = scheduler.join("holder", 100, 0).governor(holderStop::get);
        var waiter = scheduler.join("waiter", 100, 0).governor(waiterStop::get);
        CompletableFuture<Void> holding = new CompletableFuture<>();
        Thread holderThread = Thread.ofPlatform().start(() -> {
            assertTrue(holder.checkpoint());
            holding.complete(null);
            // holds its slot and never checks in, like a hart stuck in a long block
            while (!holderStop.get()) {
                LockSupport.parkNanos(1_000_000);
            }
            holder.idle();
        });
        holding.get(5, TimeUnit.SECONDS);
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread waiterThread = Thread.ofPlatform().start(() -> waited.complete(waiter.checkpoint()));
        Thread.sleep(100);
        assertFalse(waited.isDone(), "the only slot is taken");

        long asked = System.nanoTime();
        waiterStop.set(true);
        LockSupport.unpark(waiterThread); // what Hart.requestStop does
        assertFalse(waited.get(5, TimeUnit.SECONDS), "checkpoint says: stop");
        assertTrue(System.nanoTime() - asked < 500_000_000L, "left within half a second");
        assertEquals(1, scheduler.busySlots(), "the waiter took no slot with it");

        holderStop.set(true);
        holderThread.join(5_000);
        assertEquals(0, scheduler.busySlots());
    }

    /** Real threads: a hart that stops checking in (paused, starved) loses its slot, and gets one back later. */
    @Test
    void aHolderThatStopsCheckingInLosesItsSlot() throws Exception {
        CpuScheduler scheduler = new CpuScheduler(1);
        AtomicBoolean stop = new AtomicBoolean();
        var holder = scheduler.join("holder", 100, 0).governor(stop::get);
        var waiter = scheduler.join("waiter", 100, 0).governor(stop::get);
        CompletableFuture<Void> holding = new CompletableFuture<>();
        CompletableFuture<Boolean> back = new CompletableFuture<>();
        CompletableFuture<Void> waiterDone = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            holder.checkpoint();
            holding.complete(null);
            LockSupport.parkNanos(1_500_000_000L); // "paused" without a word to the scheduler
            waiterDone.join();
            boolean ran = false;
            for (int i = 0; i < 100; i++) { // enough blocks to reach a clock check
                ran = holder.checkpoint();
            }
            back.complete(ran);
            holder.idle();
        });
        holding.get(5, TimeUnit.SECONDS);
        long start = System.nanoTime();
        CompletableFuture<Boolean> got = CompletableFuture.supplyAsync(waiter::checkpoint,
                task -> Thread.ofPlatform().start(task));
        assertTrue(got.get(5, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 1.4, "the waiter got the slot after " + seconds + " s, not when the holder woke");
        waiter.idle();
        waiterDone.complete(null);
        assertTrue(back.get(10, TimeUnit.SECONDS), "the holder runs again once it checks in");
        TestWaits.until(() -> scheduler.busySlots() == 0);
    }

    /** Real threads: a slot handed over at the end of a quantum wakes the waiting thread. */
    @Test
    void theSlotPassesBetweenRealThreads() throws Exception {
        CpuScheduler scheduler = new CpuScheduler(1);
        AtomicBoolean stop = new AtomicBoolean();
        var first = scheduler.join("first", 100, 0).governor(stop::get);
        var second = scheduler.join("second", 100, 0).governor(stop::get);
        long[] turns = new long[2];
        Runnable[] loops = {() -> spin(first, stop, turns, 0), () -> spin(second, stop, turns, 1)};
        Thread a = Thread.ofPlatform().start(loops[0]);
        Thread b = Thread.ofPlatform().start(loops[1]);
        Thread.sleep(500);
        stop.set(true);
        a.join(5_000);
        b.join(5_000);
        assertFalse(a.isAlive() || b.isAlive());
        assertTrue(turns[0] > 0 && turns[1] > 0, "both ran: " + turns[0] + ", " + turns[1]);
        assertEquals(0, scheduler.busySlots());
    }

    private static void spin(dev.nucleo.cpu.RunGovernor governor, AtomicBoolean stop, long[] turns, int me) {
        long spins = 0;
        while (!stop.get()) {
            if (governor.checkpoint()) {
                spins++;
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }
        governor.idle();
        turns[me] = spins;
    }
}
