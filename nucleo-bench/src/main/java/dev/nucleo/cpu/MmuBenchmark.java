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
 * The MMU's data path on a TLB hit: 64-bit loads and stores to 16 pages of a Sv39 mapping built
 * in guest RAM, in S-mode (every page already in the TLB, accessed and dirty, after the first
 * round); "bare" is the same accesses in M-mode, which translates nothing. Score: ns per access.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NATIVE_ACCESS, BenchJvm.EXPORT_UNSAFE})
public class MmuBenchmark {
    private static final long BASE = 0x8000_0000L;
    private static final long ROOT = BASE + 0x1000;       // level-2 table
    private static final long MIDDLE = BASE + 0x2000;     // level-1 table
    private static final long LEAVES = BASE + 0x3000;     // level-0 table
    private static final long DATA = BASE + 0x10_0000;    // the 16 mapped physical pages
    private static final long VIRTUAL = 0x4000_0000L;     // where they appear in S-mode
    private static final int PAGES = 16;
    private static final int ACCESSES = PAGES * 64;

    @Param({"sv39", "bare"})
    public String mode;

    private GuestRam ram;
    private Mmu mmu;
    private final long[] addresses = new long[ACCESSES];

    @Setup(Level.Trial)
    public void setUp() {
        ram = new GuestRam(BASE, 4 << 20);
        ram.writeLong(ROOT + 8 * vpn(VIRTUAL, 2), pointer(MIDDLE));
        ram.writeLong(MIDDLE + 8 * vpn(VIRTUAL, 1), pointer(LEAVES));
        for (int page = 0; page < PAGES; page++) {
            long leaf = (DATA + page * 4096L) >>> 12 << 10
                    | Mmu.PTE_V | Mmu.PTE_R | Mmu.PTE_W | Mmu.PTE_A | Mmu.PTE_D;
            ram.writeLong(LEAVES + 8 * vpn(VIRTUAL + page * 4096L, 0), leaf);
        }
        mmu = new Mmu(ram.segment(), BASE, EmptyBus.INSTANCE);
        boolean sv39 = mode.equals("sv39");
        long satp = 8L << 60 | ROOT >>> 12;
        mmu.configure(satp, sv39 ? Mmu.PRIV_S : Mmu.PRIV_M, sv39 ? Mmu.PRIV_S : Mmu.PRIV_M, false, false);
        long start = sv39 ? VIRTUAL : DATA;
        // Page by page, 64 spread-out doublewords each, in an order that alternates pages.
        for (int n = 0; n < ACCESSES; n++) {
            addresses[n] = start + (n % PAGES) * 4096L + (n / PAGES) * 64L;
        }
        if (sv39 && mmu.load64(VIRTUAL) != 0) {
            throw new IllegalStateException("the mapping does not lead to the zeroed data pages");
        }
    }

    private static long vpn(long va, int level) {
        return (va >>> (12 + 9 * level)) & 0x1ff;
    }

    private static long pointer(long table) {
        return table >>> 12 << 10 | Mmu.PTE_V;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(ACCESSES)
    public long load64() {
        long sum = 0;
        for (long address : addresses) {
            sum += mmu.load64(address);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(ACCESSES)
    public void store64() {
        for (long address : addresses) {
            mmu.store64(address, address);
        }
    }
}
