package dev.nucleo.cpu;

import dev.nucleo.machine.PowerControl;
import dev.nucleo.machine.VirtBoard;
import dev.nucleo.machine.VirtMemoryMap;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MMIO dispatch on the real virt board: the board's bus finding the device and calling it (UART
 * line status, CLINT mtime, a PLIC priority write), and the same UART read as a hart's load
 * takes it, through the MMU (M-mode) to the bus. Score: ns per access.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NATIVE_ACCESS, BenchJvm.EXPORT_UNSAFE})
public class MmioBenchmark {
    private static final long UART_LSR = VirtMemoryMap.UART0_BASE + 5;
    private static final long CLINT_MTIME = VirtMemoryMap.CLINT_BASE + 0xbff8;
    private static final long PLIC_PRIORITY_1 = VirtMemoryMap.PLIC_BASE + 4;

    private VirtBoard board;
    private PhysicalBus bus;
    private Mmu mmu;

    @Setup(Level.Trial)
    public void setUp() {
        board = new VirtBoard(1, 1 << 20, OutputStream.nullOutputStream(), new PowerControl() {
            @Override
            public void powerOff() {
            }

            @Override
            public void reset() {
            }

            @Override
            public void fail(int code) {
            }
        });
        bus = board.bus();
        mmu = new Mmu(board.ram().segment(), board.ram().base(), bus);
        mmu.configure(0, Mmu.PRIV_M, Mmu.PRIV_M, false, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        board.close();
    }

    @Benchmark
    public long uartLineStatus() {
        return bus.load(UART_LSR, 1);
    }

    @Benchmark
    public long clintMtime() {
        return bus.load(CLINT_MTIME, 8);
    }

    @Benchmark
    public void plicPriorityWrite() {
        bus.store(PLIC_PRIORITY_1, 4, 1);
    }

    @Benchmark
    public long uartLineStatusThroughMmu() {
        return mmu.load8(UART_LSR);
    }
}
