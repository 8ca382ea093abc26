package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * One hart's translator: finds the block at the hart's pc, interprets it while it is cold,
 * compiles it once hot, and keeps the blocks current.
 *
 * <p>Blocks are keyed by virtual pc and remember the RAM address they were decoded from;
 * every lookup translates the pc the way a fetch does (same permission checks, same traps)
 * and only accepts a block decoded from that same RAM address. So satp writes, sfence.vma and
 * privilege changes need no flush: a block never runs from a mapping it was not made for.
 *
 * <p>Code changes: the MMU reports stores to RAM pages that hold blocks, which drops those
 * pages' blocks. fence.i (which RISC-V requires before running modified code, also code
 * written by a device) starts a new epoch: a block from an older epoch is checked against RAM
 * byte for byte before it runs again.
 *
 * <p>Two tiers of compiled code: a block is first compiled warm, which HotSpot compiles with C1
 * only ({@link JitDirectives}): cheap enough for the tens of thousands of blocks a boot runs a
 * few hundred times each. A warm block that runs {@link #RUNS_TO_PROMOTION} times is compiled
 * again hot, for C2, whose code is faster but whose compile time only pays for blocks that run
 * that often; or after {@link #RUNS_TO_EARLY_PROMOTION} runs when the compilers have a core to
 * spare ({@link CompilerLoad}), as in a long-running program after the boot.
 */
final class Translator implements CodeWriteListener {
    /**
     * Default executions of a block in the interpreter before it is compiled. Most of a boot's
     * blocks run a few hundred times: interpreting them costs less than compiling them (at
     * 1000 rather than 100, boot took about 17 % less time and CPU, the loops the same).
     */
    static final int HOT_THRESHOLD = Integer.getInteger("nucleo.translator.threshold", 1000);
    /** Runs of a warm block before it is compiled hot (0: every block is compiled hot at once). */
    static final int RUNS_TO_PROMOTION = Integer.getInteger("nucleo.translator.promote", 1_000_000);
    /**
     * Runs after which a warm block is compiled hot early if the compilers have room
     * ({@link CompilerLoad}); else it asks again after as many more, up to RUNS_TO_PROMOTION.
     */
    static final int RUNS_TO_EARLY_PROMOTION = Integer.getInteger("nucleo.translator.promoteEarly", 100_000);
    /** Runs after which a block another hart promoted asks to be promoted (its region's blocks compile meanwhile). */
    private static final int SHARED_PROMOTION_RUNS = 2_000;
    /** Blocks a hot region may hold, the promoted one first (1: no regions). */
    static final int REGION_BLOCKS = Integer.getInteger("nucleo.translator.region", 8);
    /** Guest instructions a hot region may hold. */
    private static final int REGION_INSTRUCTIONS = 192;
    /**
     * A block joins a hot region only if it ran at least this fraction (1/n) as often as the
     * promoted block: C2 would compile a rarely taken way as a trap into the interpreter.
     */
    private static final int REGION_RUNS_DIVISOR = 8;
    private static final int FAST_BITS = 12;
    private static final int FAST_MASK = (1 << FAST_BITS) - 1;
    /** Beyond this many blocks everything is dropped and the cache refills with what is hot. */
    private static final int MAX_BLOCKS = 1 << 16;

    private final Hart hart;
    private final Mmu mmu;
    private final MemorySegment ram;
    private final BackgroundCompiler compiler;

    /** Direct-mapped by pc: the dispatcher's first look. */
    private final Block[] recent = new Block[1 << FAST_BITS];
    private final BlockTable blocks = new BlockTable(4096);
    private final Map<Integer, List<Block>> blocksByPage = new HashMap<>();
    /**
     * Virtual page numbers blocks were decoded on, kept until everything is dropped (numbers,
     * not blocks: a dropped block's class must stay free to be unloaded).
     */
    private final Set<Long> codeVirtualPages = new HashSet<>();
    /** The block that ran last: its successors are the first guess for the next one. */
    private Block previous;
    private int tracked;
    private int epoch;
    private int hotThreshold = HOT_THRESHOLD;
    private boolean compileInBackground = true;
    private int runsToPromotion = RUNS_TO_PROMOTION;
    private int earlyRuns = RUNS_TO_EARLY_PROMOTION;
    private BooleanSupplier compilersHaveRoom = new CompilerLoad()::hasRoom;
    private CompileRate compileRate = new CompileRate(CompileRate.WITHIN_NANOS, System::nanoTime);
    /** Instructions by tier, or null (the default): see {@link TierStats}. */
    private TierStats stats = TierStats.ifEnabled();
    /** Set by the compiler's thread when a hot block replaced a warm one that links may still name. */
    private volatile boolean promotionPublished;

    Translator(Hart hart, Mmu mmu) {
        this.hart = hart;
        this.mmu = mmu;
        this.ram = mmu.ram();
        this.compiler = new BackgroundCompiler("nucleo-translator", hart);
        mmu.trackCodeWrites(this);
    }

    /**
     * Runs the block at hart.pc, or a cold block or untranslatable instruction in the
     * interpreter; returns roughly how many instructions that was (for the block budget).
     */
    int runNext() {
        if (promotionPublished) {
            promotionPublished = false;
            mmu.newFetchGeneration();           // chained calls go to the hot code from now on
        }
        long pc = hart.pc;
        int generation = mmu.fetchGeneration();
        Block previous = this.previous;
        Block block = previous != null ? previous.successor(pc, generation, epoch) : null;
        if (block == null) {
            block = lookUp(pc);
            if (previous != null && previous.valid) {
                previous.link(block, generation);
            }
        }
        this.previous = block;
        ChainedBlock compiled = block.compiled;
        ChainedBlock last = hart.lastBlock;
        if (last != null) {
            hart.lastBlock = null;
            if (compiled != null) {
                last.link(hart.lastExit, pc, compiled, generation);   // next time it calls this block itself
            }
        }
        if (compiled != null) {
            if (hart.jumpCache != null) {
                hart.jumpCache.put(pc, generation, compiled);
            }
            return runCompiled(compiled, pc);
        }
        int n = block.length();
        if (n == 0) {
            if (stats != null) {
                stats.oneAtATime();
            }
            hart.executeOne();
            return 1;
        }
        if (++block.executions >= hotThreshold && !block.queued && compileRate.fastEnough(block)) {
            block.queued = true;
            if (!compileInBackground) {
                compiled = compiler.compiler().compileFirst(block, nextCount(block));
                block.compiled = compiled;
                return runCompiled(compiled, pc);
            }
            compiler.submitFirst(block, nextCount(block));
        }
        int ran = interpret(block);
        if (stats != null) {
            stats.cold(pc, ran);
        }
        return ran;
    }

    /** Runs a compiled block (and what it chains to); returns the instructions retired. */
    private int runCompiled(ChainedBlock compiled, long pc) {
        long before = hart.instret;
        hart.chainBudget = ChainedBlock.CHAIN_LIMIT;
        compiled.run(hart);
        long retired = hart.instret - before;    // a loop may have run the block many times
        if (stats != null) {
            stats.compiled(pc, retired, compiled);
        }
        return (int) retired;
    }

    /**
     * Runs a block not compiled yet in the interpreter from its decoded instructions
     * ({@link ColdCode}: no fetch, no decode), until control leaves the block or a store hits
     * its code; returns how many instructions ran. Where control leaves the block (a branch in
     * its middle taken), the dispatcher finds the next block; fetching and decoding the rest
     * one instruction at a time instead cost about a tenth of runNext's time in a boot.
     */
    private int interpret(Block block) {
        return ColdCode.run(hart, block);
    }

    /**
     * The runs a warm block counts before it next asks to be promoted (0: compile it hot at
     * once): the early count, or what is left of the full one.
     */
    private int nextCount(Block block) {
        if (block.runsCounted == 0 && hart.promotedCode.contains(block)) {
            return Math.min(earlyRuns, SHARED_PROMOTION_RUNS);  // another hart promoted it: soon
        }
        return Math.min(earlyRuns, runsToPromotion - block.runsCounted);
    }

    /**
     * A warm block used up its count of runs: compile it hot if it has run RUNS_TO_PROMOTION
     * times or the compilers have room now, else give it another count.
     */
    void promote(ChainedBlock warm) {
        Block block = warm.source;
        block.runsCounted += nextCount(block);  // the count it was given and used up
        if (block.runsCounted < runsToPromotion && !compilersHaveRoom.getAsBoolean()
                && !hart.promotedCode.contains(block)) {
            warm.runsToPromotion = nextCount(block);
            return;
        }
        promote(block);
    }

    private void promote(Block block) {
        if (!block.valid || block.promoted) {
            return;
        }
        block.promoted = true;
        hart.promotedCode.add(block);
        List<Block> region = regionFrom(block);
        if (compileInBackground) {
            compiler.submitHot(region, () -> promotionPublished = true);
        } else {
            block.compiled = compiler.compiler().compileHot(region);
            mmu.newFetchGeneration();
        }
    }

    /**
     * The hot region of a block being promoted: the block, then (breadth first) compiled blocks
     * its exits go to directly, on its page, that ran at least 1/{@link #REGION_RUNS_DIVISOR}
     * as often, up to {@link #REGION_BLOCKS} blocks and {@link #REGION_INSTRUCTIONS}
     * instructions. On one page they share the first block's translation, which the
     * dispatcher and every chained call check before it runs. Warm blocks taken in start
     * their count to promotion again: a loop's blocks reach it together, and each compiled
     * as a region of the same loop would triple the work.
     */
    private List<Block> regionFrom(Block head) {
        List<Block> region = new ArrayList<>();
        region.add(head);
        int instructions = head.length();
        long minimumRuns = head.runsCounted / REGION_RUNS_DIVISOR;
        long pageRam = head.ramAddress & ~0xfffL;
        for (int k = 0; k < region.size(); k++) {
            for (long target : region.get(k).directTargets()) {
                if (region.size() >= REGION_BLOCKS) {
                    return region;
                }
                Block next = blocks.get(target);
                if (next == null || (target ^ head.pc) >>> 12 != 0 || next.ramAddress != pageRam + (target & 0xfff)
                        || !next.valid || next.epoch != epoch || next.compiled == null || region.contains(next)
                        || instructions + next.length() > REGION_INSTRUCTIONS || runsSoFar(next) < minimumRuns) {
                    continue;
                }
                region.add(next);
                instructions += next.length();
                holdBack(next);
            }
        }
        return region;
    }

    /** Roughly how often a compiled block ran (as often as anything if it is hot). */
    private long runsSoFar(Block block) {
        if (!isWarm(block)) {
            return Long.MAX_VALUE;
        }
        return block.runsCounted + nextCount(block) - block.compiled.runsToPromotion;
    }

    /** A warm block taken into a region counts its runs to promotion from zero again. */
    private void holdBack(Block block) {
        if (isWarm(block)) {
            block.runsCounted = 0;
            block.compiled.runsToPromotion = nextCount(block);
        }
    }

    /** Whether a compiled block still runs its warm code, counting towards promotion. */
    private static boolean isWarm(Block block) {
        return !block.promoted && !BlockCompiler.isHot(block.compiled);
    }

    /** The block at pc, found the slow way: the fetch translation, then the caches. */
    private Block lookUp(long pc) {
        long ramAddress = mmu.fetchRamPage(pc) + (pc & 0xfff);
        int slot = (int) (pc >>> 1) & FAST_MASK;
        Block block = recent[slot];
        if (block == null || block.pc != pc || block.ramAddress != ramAddress || !isCurrent(block)) {
            block = find(pc, ramAddress);
            recent[slot] = block;
        }
        return block;
    }

    /**
     * Whether a valid block may run in this epoch: made in it, or its bytes still those in RAM
     * (then it joins the epoch); a block whose bytes changed is dropped. After a fence.i most
     * look-ups come here straight from the direct-mapped cache (about 1.7 million in a boot).
     */
    private boolean isCurrent(Block block) {
        if (!block.valid) {
            return false;
        }
        if (block.epoch == epoch) {
            return true;
        }
        if (block.codeMatches(ram) && inlinedCodeMatches(block.compiled)) {
            block.epoch = epoch;
            return true;
        }
        block.valid = false;
        return false;
    }

    /** Whether RAM still holds the bytes of the other blocks a hot region's code holds. */
    private boolean inlinedCodeMatches(ChainedBlock compiled) {
        if (compiled == null) {
            return true;
        }
        for (Block block : compiled.inlined) {
            if (!block.codeMatches(ram)) {
                return false;
            }
        }
        return true;
    }

    private Block find(long pc, long ramAddress) {
        Block block = blocks.get(pc);
        if (block != null && block.ramAddress == ramAddress && isCurrent(block)) {
            return block;
        }
        if (tracked >= MAX_BLOCKS) {
            dropAll();
        }
        block = BlockDecoder.decode(ram, pc, ramAddress);
        block.epoch = epoch;
        blocks.put(pc, block);
        int page = (int) (ramAddress >>> 12);
        blocksByPage.computeIfAbsent(page, p -> new ArrayList<>()).add(block);
        codeVirtualPages.add(pc >>> 12);
        tracked++;
        mmu.markCodePage(ramAddress);
        return block;
    }

    /** A store hit a page holding blocks: none of them may run again. */
    @Override
    public void codeWritten(int page) {
        List<Block> dropped = blocksByPage.remove(page);
        if (dropped == null) {
            return;
        }
        for (Block block : dropped) {
            block.valid = false;
            blocks.remove(block.pc, block);
        }
        mmu.newFetchGeneration();               // no chained call may reach the dropped blocks
        tracked -= dropped.size();
    }

    @Override
    public boolean mayRunCodeOn(long vpn) {
        return codeVirtualPages.contains(vpn);
    }

    /** fence.i: RAM may hold new code anywhere (devices write RAM without the MMU). */
    void codeMayHaveChanged() {
        epoch++;
        mmu.newFetchGeneration();               // chained calls skip the check of the bytes
    }

    private void dropAll() {
        mmu.newFetchGeneration();
        blocks.forEach(b -> b.valid = false);
        blocks.clear();
        blocksByPage.clear();
        codeVirtualPages.clear();
        Arrays.fill(recent, null);
        tracked = 0;
        mmu.clearCodePages();
    }

    /**
     * Compile a block on its n-th execution, on the hart's own thread (tests, which want
     * compiled code at once: 1 compiles every block before its first run).
     */
    void compileSynchronously(int executions) {
        hotThreshold = Math.max(1, executions);
        compileInBackground = false;
    }

    /** For tests: compile only blocks that reach the threshold within withinNanos by this clock (0: all). */
    void compileOnlyWithin(long withinNanos, LongSupplier clock) {
        compileRate = new CompileRate(withinNanos, clock);
    }

    /** For tests: promote a warm block on its n-th run (0: compile every block hot at once). */
    void promoteAfter(int runs) {
        runsToPromotion = Math.max(0, runs);
    }

    /** For tests: ask for promotion every earlyRuns runs, and promote early when compilersHaveRoom says so. */
    void promoteEarly(int runs, BooleanSupplier compilersHaveRoom) {
        earlyRuns = Math.max(1, runs);
        this.compilersHaveRoom = compilersHaveRoom;
    }

    /** For tests: start counting instructions by tier (whatever nucleo.translator.stats says). */
    TierStats collectStats() {
        stats = new TierStats();
        return stats;
    }

    /** Appends the statistics, if counted, to their file (the hart stops). */
    void writeStats(String hartName) {
        if (stats != null && TierStats.FILE != null) {
            stats.write(hartName);
        }
    }

    /** For tests: how many blocks are compiled hot and currently usable. */
    int hotBlocks() {
        return countBlocks(b -> b.compiled != null && b.valid && BlockCompiler.isHot(b.compiled));
    }

    /** For tests: how many other blocks the usable hot regions hold. */
    int blocksInlinedInHotRegions() {
        return sumOverBlocks(b -> b.compiled != null && b.valid ? b.compiled.inlined.size() : 0);
    }

    /** For tests: how many blocks are compiled and currently usable. */
    int compiledBlocks() {
        return countBlocks(b -> b.compiled != null && b.valid);
    }

    private int countBlocks(Predicate<Block> test) {
        return sumOverBlocks(b -> test.test(b) ? 1 : 0);
    }

    private int sumOverBlocks(ToIntFunction<Block> value) {
        int[] sum = {0};
        blocks.forEach(b -> sum[0] += value.applyAsInt(b));
        return sum[0];
    }
}
