package dev.nucleo.cpu;

/**
 * The base of every translated block: where the block may go on without returning to the
 * dispatcher. Each of a block's two exits (slot 0: the jump, the taken branch, the end of a
 * straight block, or the last jalr target; slot 1: a branch not taken) remembers the compiled
 * block that followed it, with the MMU's fetch generation at that time. The generated code
 * calls that block directly when it leaves by the same exit to the same pc within the same
 * generation, which the translator advances whenever a remembered block might no longer be
 * the right one (a new mapping or privilege, a store into translated code, fence.i). The
 * checks live here, called from each exit; the call to the next block stays in the generated
 * code.
 *
 * <p>A direct call is monomorphic at its call site, so HotSpot may inline one block into the
 * next; at most {@link #CHAIN_LIMIT} blocks run chained in one dispatch.
 *
 * <p>A warm block (see {@link BlockCompiler}) also counts its runs and asks the translator to
 * compile it again as a hot block when the count runs out.
 */
abstract class ChainedBlock implements CompiledBlock {
    /** Blocks one dispatch may run chained, one nested call each (0: no chaining). */
    static final int CHAIN_LIMIT = Integer.getInteger("nucleo.translator.chain", 16);

    private final long fallThrough;
    private long pc0 = -1;
    private long pc1 = -1;
    private CompiledBlock next0;
    private CompiledBlock next1;
    private int generation0;
    private int generation1;

    /** The block this is the code of (set once, right after construction). */
    Block source;
    /** Runs a warm block has left before it asks to be compiled hot (hot blocks do not count). */
    int runsToPromotion;

    /** fallThrough: the pc after a block ending in a branch (its slot-1 exit), or -1. */
    ChainedBlock(long fallThrough) {
        this.fallThrough = fallThrough;
    }

    /**
     * The block to call after leaving by exit 0 to target, or null: then the hart returns to
     * the dispatcher, which learns that this block ran last.
     */
    final CompiledBlock successor0(Hart hart, long target) {
        CompiledBlock next = next0;
        if (next != null && pc0 == target && generation0 == hart.mmu.fetchGeneration() && hart.chainBudget-- > 0) {
            return next;
        }
        hart.lastBlock = this;
        return null;
    }

    /** The same for exit 1, a branch not taken. */
    final CompiledBlock successor1(Hart hart, long target) {
        CompiledBlock next = next1;
        if (next != null && pc1 == target && generation1 == hart.mmu.fetchGeneration() && hart.chainBudget-- > 0) {
            return next;
        }
        hart.lastBlock = this;
        return null;
    }

    /** Called first thing by a warm block's run: the run that uses up the count promotes it. */
    final void countRun(Hart hart) {
        if (--runsToPromotion == 0) {
            hart.promote(this);
        }
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
