package dev.nucleo.cpu;

import java.util.List;

/**
 * The base of every translated block: where the block may go on without returning to the
 * dispatcher. Each of a block's exits (numbered by the compiler: a taken branch in the middle
 * of the block, and at its end the jump, the two ways of a branch, or a jalr) remembers the
 * compiled block that followed it last, at which pc, in which MMU fetch generation, and the
 * one before that if it was at another pc (a function's return goes back to one caller, then
 * another). The generated code calls such a block directly when it leaves by the same exit to
 * the same pc within the same generation, which the translator advances whenever a remembered
 * block might no longer be the right one (a new mapping, a store into translated code,
 * fence.i). Every exit calls {@link #goTo}, which checks and makes the call; at most
 * {@link #CHAIN_LIMIT} blocks run chained in one dispatch.
 *
 * <p>A warm block (see {@link BlockCompiler}) also counts its runs and asks the translator to
 * compile it again as a hot block when the count runs out.
 */
abstract class ChainedBlock {
    /** Blocks one dispatch may run chained, one nested call each (0: no chaining). */
    static final int CHAIN_LIMIT = Integer.getInteger("nucleo.translator.chain", 16);

    // Per exit: the pc it went to, the block found there and the fetch generation it was found in.
    private final long[] exitPc;
    private final ChainedBlock[] exitNext;
    private final int[] exitGeneration;
    // The target an exit went to before its last one (made once an exit has gone to two pcs:
    // a jalr, mostly a function's return to its callers).
    private long[] otherPc;
    private ChainedBlock[] otherNext;
    private int[] otherGeneration;

    /** The block this is the code of (set once, right after construction). */
    Block source;
    /** A hot region's other blocks, whose code this also holds (see {@link BlockCompiler#compileHot(List)}). */
    List<Block> inlined = List.of();
    /** Runs a warm block has left before it asks to be compiled hot (hot blocks do not count). */
    int runsToPromotion;
    /** Set on a class's prototype while {@link BlockCompiler#warmUp} calls it: its runs return at once. */
    boolean warmUpOnly;

    ChainedBlock(int exits) {
        exitPc = new long[exits];
        exitNext = new ChainedBlock[exits];
        exitGeneration = new int[exits];
    }

    /**
     * Executes the whole block on the hart (and the blocks it chains to) and leaves hart.pc at
     * the next instruction; a trap escapes as {@link Trap} with the hart's state precise. A
     * class, not an interface, so that the dispatcher's call (which sees thousands of block
     * classes) is a vtable call rather than an itable search.
     */
    abstract void run(Hart hart);

    /**
     * Leaves by this exit to target: calls the block remembered there if it is still the right
     * one, else returns, and the dispatcher learns that this block and exit ran last. Hot
     * blocks leave this way.
     *
     * <p>The call is here, shared by every hot block, rather than in each block's code: HotSpot
     * profiles it as the megamorphic call it is. A call site per exit saw one class while it
     * was profiled, and C2 compiled it as a guess of that class, which failed (a deoptimization)
     * whenever the next block was promoted or the exit went elsewhere; the same for the check
     * whether there is a block to call at all, which C2 compiled as never failing.
     */
    final void goTo(Hart hart, long target, int exit) {
        ChainedBlock next = next(hart, target, exit);
        if (next != null) {
            next.run(hart);
        }
    }

    /**
     * The block to call for leaving by this exit to target, if the one remembered there is
     * still the right one; else null, and the dispatcher learns that this block and exit ran
     * last. Warm blocks call the block it returns from a call site of their own per exit:
     * C1 (which never guesses, so never deoptimizes) compiles that call as an inline cache,
     * a direct call while the exit keeps going to one class, where the call in {@link #goTo}
     * is one indirect call for every block (in an all-warm shell loop, its vtable stub held
     * about 29 % of the hart's time).
     */
    final ChainedBlock next(Hart hart, long target, int exit) {
        ChainedBlock next = exitNext[exit];
        if (next != null && exitPc[exit] == target) {
            if (exitGeneration[exit] == hart.mmu.fetchGeneration() && hart.chainBudget-- > 0) {
                return next;
            }
        } else if (otherNext != null && otherPc[exit] == target && (next = otherNext[exit]) != null
                && otherGeneration[exit] == hart.mmu.fetchGeneration() && hart.chainBudget-- > 0) {
            return next;
        } else if (hart.jumpCache != null && (next = hart.jumpCache.get(target, hart.mmu.fetchGeneration())) != null
                && hart.chainBudget-- > 0) {
            return next;                        // a third target, found where the dispatcher left it
        }
        hart.lastBlock = this;
        hart.lastExit = exit;
        return null;
    }

    /**
     * A new block of this class, made by the class's own code. The translator makes every
     * instance this way, from the one the class's static initializer made
     * ({@link BlockCompiler#defined}), so it looks up no constructor for the thousands of
     * classes a boot defines: each look-up was a method handle of its own, and C2 compiled
     * their machinery in the middle of the boot.
     */
    abstract ChainedBlock newInstance();

    /** A block's trap handler: the trap is at pc, after retired instructions of this run. */
    static void trappedAt(Hart hart, long pc, int retired) {
        hart.pc = pc;
        hart.instret += retired;
    }

    /** Called first thing by a warm block's run: the run that uses up the count asks to be promoted. */
    final void countRun(Hart hart) {
        if (--runsToPromotion == 0) {
            hart.promote(this);
        }
    }

    /** Remembers that next, compiled, followed this block's exit at pc in this fetch generation. */
    final void link(int exit, long pc, ChainedBlock next, int generation) {
        if (exitNext[exit] != null && exitPc[exit] != pc) {
            keepAsOther(exit);
        }
        exitNext[exit] = next;
        exitPc[exit] = pc;
        exitGeneration[exit] = generation;
    }

    private void keepAsOther(int exit) {
        if (otherNext == null) {
            otherPc = new long[exitPc.length];
            otherNext = new ChainedBlock[exitPc.length];
            otherGeneration = new int[exitPc.length];
        }
        otherPc[exit] = exitPc[exit];
        otherNext[exit] = exitNext[exit];
        otherGeneration[exit] = exitGeneration[exit];
    }
}
