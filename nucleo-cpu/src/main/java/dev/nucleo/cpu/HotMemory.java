package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;

import jdk.internal.misc.Unsafe;

/**
 * The memory path of hot blocks: the MMU's fast-TLB test and the RAM access, else the MMU
 * call (which alone may trap). Hot blocks pass RAM's address, the TLB's arrays and the MMU as
 * constants, so C2, inlining one of these per access, compiles the same code as if it were
 * written out in the block.
 *
 * <p>Why not in the block's own code: C2 compiles a branch its profile never saw taken as a
 * trap back to the interpreter. A block's own test saw only hits while it was profiled, for a
 * few milliseconds; the first miss, a page the guest had not touched yet, then threw the
 * block's compiled code away. Here the test is shared by every hot access, whose profile has
 * seen misses, so C2 compiles the MMU call as a call.
 *
 * <p>Why {@link Unsafe} rather than the RAM's {@link MemorySegment}: C2 parses a few hundred
 * nodes for each segment access (var handle, bounds, session and alignment checks) before it
 * folds them for the constant segment, and stops inlining into a method once it has parsed
 * about 18,000; a hot region's later accesses were left as calls. An Unsafe access is one
 * node. It is safe here because every address is RAM's base plus a fast-TLB page offset, which
 * the MMU records only for whole pages inside RAM, plus the access's offset in that page (the
 * tag test has already checked that the access does not cross it); and because the VM frees
 * RAM only after its harts have stopped ({@code Vm.close}). Needs the JVM option
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, which the launcher, the jar's
 * manifest and the build give.
 */
final class HotMemory {
    private static final Unsafe UNSAFE = unsafe();

    private HotMemory() {
    }

    /** Unsafe, or a clear error naming the JVM option that gives it. */
    static Unsafe unsafe() {
        try {
            return Unsafe.getUnsafe();
        } catch (IllegalAccessError e) {
            throw new IllegalStateException("the MMU and the translator's hot blocks need the JVM option "
                    + "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED (./nucleo and the jar's manifest give it)", e);
        }
    }

    /**
     * The native address of guest RAM, which the MMU's fast paths use and hot blocks take as a
     * constant; fails at once (when the hart is made, not in its first access) if Unsafe is out
     * of reach or RAM is not native memory.
     */
    static long ramAddress(MemorySegment ram) {
        if (!ram.isNative()) {
            throw new IllegalArgumentException("guest RAM must be native memory: the MMU and hot blocks reach it by address");
        }
        return ram.address();
    }

    /**
     * The fast-TLB slot of va's page, if it maps the page of an access of size bytes in context
     * (also the cold interpreter's test, {@link ColdCode}).
     */
    static boolean hit(long[] tags, long va, int size, long context) {
        return tags[(int) (va >>> 12) & Mmu.TLB_MASK] == ((va + size - 1) >>> 12 | context);
    }

    /** Where in RAM va is, by its fast-TLB slot (which {@link #hit} has just matched). */
    static long offset(long[] offsets, long va) {
        return offsets[(int) (va >>> 12) & Mmu.TLB_MASK] + (va & 0xfff);
    }

    static long load8(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 1, context) ? UNSAFE.getByte(null, ramAddress + offset(offsets, va)) : mmu.load8(va);
    }

    static long load16(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 2, context)
                ? UNSAFE.getShortUnaligned(null, ramAddress + offset(offsets, va)) : mmu.load16(va);
    }

    static long load32(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 4, context)
                ? UNSAFE.getIntUnaligned(null, ramAddress + offset(offsets, va)) : mmu.load32(va);
    }

    static long load64(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 8, context)
                ? UNSAFE.getLongUnaligned(null, ramAddress + offset(offsets, va)) : mmu.load64(va);
    }

    static void store8(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 1, context)) {
            UNSAFE.putByte(null, ramAddress + offset(offsets, va), (byte) value);
        } else {
            mmu.store8(va, value);
        }
    }

    static void store16(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 2, context)) {
            UNSAFE.putShortUnaligned(null, ramAddress + offset(offsets, va), (short) value);
        } else {
            mmu.store16(va, value);
        }
    }

    static void store32(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 4, context)) {
            UNSAFE.putIntUnaligned(null, ramAddress + offset(offsets, va), (int) value);
        } else {
            mmu.store32(va, value);
        }
    }

    static void store64(long ramAddress, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 8, context)) {
            UNSAFE.putLongUnaligned(null, ramAddress + offset(offsets, va), value);
        } else {
            mmu.store64(va, value);
        }
    }
}
