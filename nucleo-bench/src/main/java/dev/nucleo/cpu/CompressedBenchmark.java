package dev.nucleo.cpu;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Expanding 16-bit RVC parcels to their 32-bit form: {@link CompressedExpander#expand} (the
 * decoder proper) and {@link CompressedExpander#lookup} (its precomputed table, which the
 * interpreter uses), over 4096 random compressed parcels. Score: ns per parcel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CompressedBenchmark {
    private static final int PARCELS = 4096;
    private final int[] parcels = new int[PARCELS];

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 0; n < PARCELS; n++) {
            int parcel;
            do {
                parcel = random.nextInt(1 << 16);
            } while ((parcel & 3) == 3);      // 0b11: a 32-bit instruction, not RVC
            parcels[n] = parcel;
        }
    }

    @Benchmark
    @OperationsPerInvocation(PARCELS)
    public int expand() {
        int hash = 0;
        for (int parcel : parcels) {
            hash = hash * 31 + CompressedExpander.expand(parcel);
        }
        return hash;
    }

    @Benchmark
    @OperationsPerInvocation(PARCELS)
    public int lookup() {
        int hash = 0;
        for (int parcel : parcels) {
            hash = hash * 31 + CompressedExpander.lookup(parcel);
        }
        return hash;
    }
}
