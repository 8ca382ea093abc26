package dev.nucleo.cpu;

import dev.nucleo.machine.GuestRam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The translator's block-to-block cost: a hart in M-mode running {@link Program#blockRing}, a
 * ring of 3-instruction blocks that each branch to the next, every block compiled on its
 * first execution, driven through {@link Hart#stepBlock} like the run loop does. {@code
 * chained} runs with chaining (the default), {@code unchained} with
 * {@code -Dnucleo.translator.chain=0}, where every block returns to the dispatcher.
 * Score: guest instructions per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChainBenchmark {
    private static final long BASE = 0x8000_0000L;
    private static final int INSTRUCTIONS = 30_000;

    /** Blocks in the ring: a few fit any cache; hundreds behave more like guest code. */
    @Param({"8", "256"})
    public int blocks;

    private GuestRam ram;
    private Hart hart;

    @Setup(Level.Trial)
    public void setUp() {
        ram = new GuestRam(BASE, 1 << 20);
        ram.load(BASE, Program.blockRing(blocks));
        hart = new Hart(0, ram.segment(), BASE, EmptyBus.INSTANCE, System::nanoTime);
        hart.setEngine(Engine.TRANSLATOR);
        hart.compileSynchronously(1);
        hart.setPc(BASE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(INSTRUCTIONS)
    @Fork(value = 1, jvmArgsAppend = {"-Xss16m", BenchJvm.NATIVE_ACCESS, BenchJvm.EXPORT_UNSAFE})
    public long chained() {
        return runRing();
    }

    @Benchmark
    @OperationsPerInvocation(INSTRUCTIONS)
    @Fork(value = 1, jvmArgsAppend = {"-Xss16m", BenchJvm.NATIVE_ACCESS, BenchJvm.EXPORT_UNSAFE, "-Dnucleo.translator.chain=0"})
    public long unchained() {
        return runRing();
    }

    private long runRing() {
        long retired = 0;
        while (retired < INSTRUCTIONS) {
            long step = hart.stepBlock();
            if (step == 0) {
                throw new IllegalStateException("the hart stopped: " + hart.crashReason());
            }
            retired += step;
        }
        return hart.register(Program.A0);
    }
}
