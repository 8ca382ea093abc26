package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The memory path of hot blocks: the MMU's fast-TLB test and the RAM access, else the MMU
 * call (which alone may trap). Hot blocks pass RAM, the TLB's arrays and the MMU as
 * constants, so C2, inlining one of these per access, compiles the same code as if it were
 * written out in the block.
 *
 * <p>Why not in the block's own code: C2 compiles a branch its profile never saw taken as a
 * trap back to the interpreter. A block's own test saw only hits while it was profiled, for a
 * few milliseconds; the first miss, a page the guest had not touched yet, then threw the
 * block's compiled code away. Here the test is shared by every hot access, whose profile has
 * seen misses, so C2 compiles the MMU call as a call.
 *
 * <p>One method per size, alike but for the layout: {@code MemorySegment.get} and {@code set}
 * are typed by layout, and each block calls the one its access needs.
 */
final class HotMemory {
    private HotMemory() {
    }

    /** The fast-TLB slot of va's page, if it maps the page of an access of size bytes in context. */
    private static boolean hit(long[] tags, long va, int size, long context) {
        return tags[(int) (va >>> 12) & Mmu.TLB_MASK] == ((va + size - 1) >>> 12 | context);
    }

    private static long offset(long[] offsets, long va) {
        return offsets[(int) (va >>> 12) & Mmu.TLB_MASK] + (va & 0xfff);
    }

    static long load8(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 1, context) ? ram.get(ValueLayout.JAVA_BYTE, offset(offsets, va)) : mmu.load8(va);
    }

    static long load16(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 2, context)
                ? ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset(offsets, va)) : mmu.load16(va);
    }

    static long load32(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 4, context)
                ? ram.get(ValueLayout.JAVA_INT_UNALIGNED, offset(offsets, va)) : mmu.load32(va);
    }

    static long load64(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long context) {
        return hit(tags, va, 8, context)
                ? ram.get(ValueLayout.JAVA_LONG_UNALIGNED, offset(offsets, va)) : mmu.load64(va);
    }

    static void store8(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 1, context)) {
            ram.set(ValueLayout.JAVA_BYTE, offset(offsets, va), (byte) value);
        } else {
            mmu.store8(va, value);
        }
    }

    static void store16(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 2, context)) {
            ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset(offsets, va), (short) value);
        } else {
            mmu.store16(va, value);
        }
    }

    static void store32(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 4, context)) {
            ram.set(ValueLayout.JAVA_INT_UNALIGNED, offset(offsets, va), (int) value);
        } else {
            mmu.store32(va, value);
        }
    }

    static void store64(MemorySegment ram, long[] tags, long[] offsets, Mmu mmu, long va, long value, long context) {
        if (hit(tags, va, 8, context)) {
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(offsets, va), value);
        } else {
            mmu.store64(va, value);
        }
    }
}
