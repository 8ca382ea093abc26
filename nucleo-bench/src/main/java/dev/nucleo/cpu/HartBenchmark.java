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
 * A hart running {@link Program} from RAM in M-mode (no translation), with each engine: the
 * interpreter one instruction at a time through {@link Hart#step}, the translator block by
 * block through {@link Hart#stepBlock} with every block compiled on its first execution.
 * Score: guest instructions per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xss16m", BenchJvm.NATIVE_ACCESS, BenchJvm.EXPORT_UNSAFE})
public class HartBenchmark {
    /** Guest instructions per benchmark invocation. */
    static final int INSTRUCTIONS = 14_000;
    private static final long BASE = 0x8000_0000L;

    @Param({"interpreter", "translator"})
    public String engine;

    private GuestRam ram;
    private Hart hart;

    @Setup(Level.Trial)
    public void setUp() {
        ram = new GuestRam(BASE, 1 << 20);
        ram.load(BASE, Program.code());
        hart = new Hart(0, ram.segment(), BASE, EmptyBus.INSTANCE, System::nanoTime);
        hart.setEngine(Engine.parse(engine));
        if (hart.engine() == Engine.TRANSLATOR) {
            hart.compileSynchronously(1);
        }
        hart.setPc(BASE);
        hart.setRegister(Program.SP, BASE + 0x8000);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(INSTRUCTIONS)
    public long run() {
        long retired = 0;
        if (hart.engine() == Engine.INTERPRETER) {
            retired = hart.step(INSTRUCTIONS);
        } else {
            while (retired < INSTRUCTIONS) {
                retired += hart.stepBlock();
            }
        }
        if (retired < INSTRUCTIONS) {
            throw new IllegalStateException("the hart stopped: " + hart.crashReason());
        }
        return hart.register(Program.A0);
    }
}
