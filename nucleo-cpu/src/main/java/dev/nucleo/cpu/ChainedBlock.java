package dev.nucleo.cpu;

/**
 * The base of every translated block: where the block may go on without returning to the
 * dispatcher. Each of a block's two exits (slot 0: the jump, the taken branch, the end of a
 * straight block, or the last jalr target; slot 1: a branch not taken) remembers the compiled
 * block that followed it, with the MMU's fetch generation at that time. The generated code
 * calls that block directly when it leaves by the same exit to the same pc within the same
 * generation, which the translator advances whenever a remembered block might no longer be
 * the right one (a new mapping or privilege, a store into translated code, fence.i).
 *
 * <p>A direct call is monomorphic at its call site, so HotSpot may inline one block into the
 * next; at most {@link #CHAIN_LIMIT} blocks run chained in one dispatch.
 */
abstract class ChainedBlock implements CompiledBlock {
    /** Blocks one dispatch may run chained, one nested call each. */
    static final int CHAIN_LIMIT = 16;

    private final long fallThrough;
    // Read by the generated code (same package).
    long pc0 = -1;
    long pc1 = -1;
    CompiledBlock next0;
    CompiledBlock next1;
    int generation0;
    int generation1;

    /** fallThrough: the pc after a block ending in a branch (its slot-1 exit), or -1. */
    ChainedBlock(long fallThrough) {
        this.fallThrough = fallThrough;
    }

    /** Remembers that next, compiled, followed this block at pc in this fetch generation. */
    final void link(long pc, CompiledBlock next, int generation) {
        if (pc == fallThrough) {
            next1 = next;
            pc1 = pc;
            generation1 = generation;
        } else {
            next0 = next;
            pc0 = pc;
            generation0 = generation;
        }
    }
}
