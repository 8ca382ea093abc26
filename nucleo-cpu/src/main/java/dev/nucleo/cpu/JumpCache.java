package dev.nucleo.cpu;

/**
 * A hart's compiled blocks by pc, as the dispatcher last found them (direct-mapped, each with
 * the MMU fetch generation it was found in). An exit whose two remembered targets both miss
 * (a function's return to a third caller, say) finds its block here instead of returning to
 * the dispatcher: an entry of the current generation is exactly what a look-up would find,
 * for the same reason a link of that generation is ({@link ChainedBlock}).
 */
final class JumpCache {
    /** Whether harts have one ({@code -Dnucleo.translator.noJumpCache=true}: no). */
    static final boolean ENABLED = !Boolean.getBoolean("nucleo.translator.noJumpCache");
    private static final int BITS = 10;
    private static final int MASK = (1 << BITS) - 1;

    private final long[] pcs = new long[1 << BITS];
    private final int[] generations = new int[1 << BITS];
    private final ChainedBlock[] blocks = new ChainedBlock[1 << BITS];

    /** Remembers that compiled is the block at pc in this fetch generation. */
    void put(long pc, int generation, ChainedBlock compiled) {
        int i = slot(pc);
        pcs[i] = pc;
        generations[i] = generation;
        blocks[i] = compiled;
    }

    /** The block at pc in this generation, or null. */
    ChainedBlock get(long pc, int generation) {
        int i = slot(pc);
        ChainedBlock block = blocks[i];
        return block != null && pcs[i] == pc && generations[i] == generation ? block : null;
    }

    private static int slot(long pc) {
        return (int) (pc >>> 1) & MASK;
    }
}
