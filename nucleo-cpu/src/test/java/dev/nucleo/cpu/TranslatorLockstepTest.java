package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small hand-assembled programs run by the translator and the interpreter in lockstep
 * ({@link Lockstep}): arithmetic with every operand kind, a trap in the middle of a block,
 * and code that rewrites itself.
 */
class TranslatorLockstepTest {
    private static final long RAM_BASE = ProgramHart.RAM_BASE;
    private static final int RAM_SIZE = 1 << 20;
    private static final long DATA = RAM_BASE + 0x8000;

    private static Hart hart(Arena arena, int[] program, Engine engine) {
        MemorySegment ram = arena.allocate(RAM_SIZE, 8);
        return ProgramHart.load(ram, program, engine);
    }

    /** Runs both engines to the program's final wfi; returns the translator's hart. */
    private static Hart runInLockstep(Arena arena, int[] program) {
        return runInLockstep(arena, program, 2);
    }

    private static Hart runInLockstep(Arena arena, int[] program, int compileOnExecution) {
        return runInLockstep(arena, program, compileOnExecution, retired -> { });
    }

    /** The same, telling retiredPerStep how many instructions each translator step retired. */
    private static Hart runInLockstep(Arena arena, int[] program, int compileOnExecution, LongConsumer retiredPerStep) {
        return runInLockstep(arena, program, compileOnExecution, hart -> { }, retiredPerStep);
    }

    /**
     * The same, with setUp applied to the translator's hart before it runs. Every program runs
     * four times: with no block ever compiled (the cold interpreter, {@link ColdCode}); with
     * each block compiled hot at once (its loads and stores do the fast TLB inline); with
     * blocks promoted after 3 warm runs, into hot regions of the blocks they go to; then as
     * usual, warm (loads and stores call the MMU); returns the last run's hart.
     */
    private static Hart runInLockstep(Arena arena, int[] program, int compileOnExecution, Consumer<Hart> setUp,
            LongConsumer retiredPerStep) {
        runColdInLockstep(arena, program, setUp);
        runTierInLockstep(arena, program, compileOnExecution, hart -> {
            hart.promoteAfter(0);
            setUp.accept(hart);
        }, retired -> { });
        runTierInLockstep(arena, program, compileOnExecution, hart -> {
            hart.promoteAfter(3);
            setUp.accept(hart);
        }, retired -> { });
        return runTierInLockstep(arena, program, compileOnExecution, setUp, retiredPerStep);
    }

    private static Hart runTierInLockstep(Arena arena, int[] program, int compileOnExecution, Consumer<Hart> setUp,
            LongConsumer retiredPerStep) {
        Hart reference = hart(arena, program, Engine.INTERPRETER);
        Hart translated = hart(arena, program, Engine.TRANSLATOR);
        translated.compileSynchronously(compileOnExecution);
        setUp.accept(translated);
        stepToWfi(reference, translated, retiredPerStep);
        assertTrue(translated.compiledBlocks() > 0, "nothing was compiled");
        return translated;
    }

    /** Runs the program with its blocks only ever interpreted from their decoded form, in lockstep. */
    private static void runColdInLockstep(Arena arena, int[] program, Consumer<Hart> setUp) {
        Hart reference = hart(arena, program, Engine.INTERPRETER);
        Hart cold = hart(arena, program, Engine.TRANSLATOR);
        cold.compileSynchronously(Integer.MAX_VALUE);
        setUp.accept(cold);
        TierStats stats = cold.collectTierStats();
        stepToWfi(reference, cold, retired -> { });
        assertEquals(0, cold.compiledBlocks(), "compiled");
        assertTrue(stats.coldInstructions() > 0, "no block was interpreted");
    }

    /** Steps both harts in lockstep to the program's wfi, failing at the first divergence. */
    private static void stepToWfi(Hart reference, Hart translated, LongConsumer retiredPerStep) {
        Lockstep lockstep = new Lockstep(reference, translated);
        for (int blocks = 0; !lockstep.finished(); blocks++) {
            long before = translated.instructionsRetired();
            Lockstep.Divergence d = lockstep.step();
            assertNull(d, () -> String.valueOf(d));
            retiredPerStep.accept(translated.instructionsRetired() - before);
            assertTrue(blocks < 1_000_000, "the program did not reach its wfi");
        }
    }

    /** Sets mtvec to a handler whose address is patched in later; returns where to patch. */
    private static int trapVectorToPatch(Asm a) {
        a.emit(auipc(5, 0));
        int fixup = a.here();
        a.emit(0);                                    // addi t0, t0, handler (patched below)
        a.emit(csrrw(0, Csr.MTVEC, 5));
        return fixup;
    }

    /** Patches the handler's offset (from the auipc just before fixup) into the program. */
    private static void patchTrapVector(int[] words, int fixup, int handler) {
        words[fixup / 4] = addi(5, 5, handler - (fixup - 4));
    }

    /**
     * Ends a loop counted down in a1 (then wfi), adds the trap handler that counts each trap
     * in a4 and resumes after the faulting instruction, and runs the program in lockstep.
     */
    private static Hart endLoopSkippingFaults(Asm a, int loop, int handlerFixup) {
        return endLoopSkippingFaults(a, loop, handlerFixup, 6, 14);
    }

    /** The same, with the handler's scratch register and trap counter given. */
    private static Hart endLoopSkippingFaults(Asm a, int loop, int handlerFixup, int scratch, int counter) {
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        int handler = a.here();
        a.emit(csrrs(scratch, Csr.MEPC, 0));
        a.emit(addi(scratch, scratch, 4));
        a.emit(csrrw(0, Csr.MEPC, scratch));
        a.emit(addi(counter, counter, 1));
        a.emit(MRET);
        int[] words = a.words();
        patchTrapVector(words, handlerFixup, handler);
        return runInLockstep(Arena.ofAuto(), words);
    }

    /** s0 = DATA. */
    private static void pointDataRegister(Asm a) {
        a.emit(lui(8, (int) (DATA >>> 12) & 0xfffff));      // lui sign-extends: 0x80008 << 12 is negative
        a.emit(addi(9, 0, 1)).emit(i(32, 9, 1, 9, 0x13));  // t = 1 << 32
        a.emit(r(0, 9, 8, 0, 8, 0x33));                     // s0 += 1 << 32 -> 0x8000_8000
    }

    @Test
    void unsignedBranchesAgreeAcrossTheSignBoundary() {
        // a0 runs from -3 to 2: as unsigned numbers -3..-1 are the largest, so each bltu/bgeu
        // (side exits in the middle of the block) must order them above 0..2.
        Asm a = new Asm();
        a.emit(addi(10, 0, -3)).emit(addi(11, 0, 6)).emit(addi(12, 0, 2)).emit(addi(13, 0, 0));
        int loop = a.here();
        a.emit(b(8, 12, 10, 6));                      // bltu a0, a2, +8  (a0 is 0 or 1)
        a.emit(addi(13, 13, 1));
        a.emit(b(8, 10, 12, 7));                      // bgeu a2, a0, +8  (a0 is 0, 1 or 2)
        a.emit(addi(13, 13, 16));
        a.emit(b(8, 10, 12, 6));                      // bltu a2, a0, +8  (a0 is -3, -2 or -1)
        a.emit(addi(13, 13, 256));
        a.emit(addi(10, 10, 1)).emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        Hart h = runInLockstep(Arena.ofAuto(), a.words());
        assertEquals(4 * 1 + 3 * 16 + 3 * 256, h.register(13));
    }

    @Test
    void arithmeticLoadsAndStoresAgree() {
        Asm a = new Asm();
        pointDataRegister(a);
        a.emit(addi(10, 0, 0)).emit(addi(11, 0, 300)).emit(lui(12, 0x12345));
        int loop = a.here();
        a.emit(r(0, 11, 10, 0, 10, 0x33));            // add a0, a0, a1
        a.emit(r(1, 11, 10, 0, 13, 0x33));            // mul a3, a0, a1
        a.emit(r(1, 12, 13, 1, 14, 0x33));            // mulh a4, a3, a2
        a.emit(r(1, 13, 10, 2, 15, 0x33));            // mulhsu a5, a0, a3
        a.emit(r(1, 13, 10, 3, 16, 0x33));            // mulhu a6, a0, a3
        a.emit(r(0, 13, 10, 4, 10, 0x33));            // xor a0, a0, a3
        a.emit(i(7, 10, 1, 14, 0x13));                // slli a4, a0, 7
        a.emit(i(0x400 | 3, 14, 5, 15, 0x13));        // srai a5, a4, 3
        a.emit(i(9, 14, 5, 5, 0x13));                 // srli t0, a4, 9
        a.emit(r(0, 15, 14, 3, 16, 0x33));            // sltu a6, a4, a5
        a.emit(r(0, 15, 14, 2, 17, 0x33));            // slt a7, a4, a5
        a.emit(i(-7, 14, 2, 6, 0x13));                // slti t1, a4, -7
        a.emit(i(-7, 14, 3, 7, 0x13));                // sltiu t2, a4, -7
        a.emit(r(0, 16, 10, 0, 10, 0x33));            // add a0, a0, a6
        a.emit(r(1, 11, 10, 4, 17, 0x3b));            // divw a7, a0, a1
        a.emit(r(1, 0, 10, 7, 5, 0x33));              // remu t0, a0, zero
        a.emit(r(1, 0, 10, 4, 6, 0x33));              // div t1, a0, zero
        a.emit(r(1, 11, 13, 5, 28, 0x33));            // divu t3, a3, a1
        a.emit(r(1, 11, 13, 6, 29, 0x3b));            // remw t4, a3, a1
        a.emit(addi(30, 10, -5) & ~0x7f | 0x1b);      // addiw t5, a0, -5
        a.emit(r(0x20, 11, 10, 5, 31, 0x3b));         // sraw t6, a0, a1
        a.emit(r(0x20, 11, 10, 0, 18, 0x3b));         // subw s2, a0, a1
        a.emit(r(0, 11, 10, 1, 19, 0x3b));            // sllw s3, a0, a1
        a.emit(i(0x400 | 5, 10, 5, 20, 0x1b));        // sraiw s4, a0, 5
        a.emit(auipc(21, 3));                         // auipc s5, 3
        a.emit(s(0, 10, 8, 3));                       // sd a0, 0(s0)
        a.emit(s(9, 13, 8, 2));                       // sw a3, 9(s0)  (misaligned)
        a.emit(i(0, 8, 3, 22, 0x03));                 // ld s6, 0(s0)
        a.emit(i(3, 8, 4, 23, 0x03));                 // lbu s7, 3(s0)
        a.emit(i(2, 8, 1, 24, 0x03));                 // lh s8, 2(s0)
        a.emit(i(9, 8, 6, 25, 0x03));                 // lwu s9, 9(s0)
        a.emit(i(9, 8, 2, 0, 0x03));                  // lw zero, 9(s0)
        a.emit(i(10, 8, 5, 26, 0x03));                // lhu s10, 10(s0)
        a.emit(r(0, 26, 10, 0, 10, 0x33));            // add a0, a0, s10
        a.emit(r(0, 22, 10, 0, 10, 0x33));            // add a0, a0, s6
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        Hart h = runInLockstep(Arena.ofAuto(), a.words());
        assertEquals(0, h.register(11));
    }

    /** Every load and store size at each of the last 8 bytes of a page: in the page, or across it. */
    @Test
    void loadsAndStoresAtTheEndOfAPageAgree() {
        Asm a = new Asm();
        pointDataRegister(a);
        a.emit(addi(9, 8, 2047)).emit(addi(9, 9, 2041));   // s1 = DATA + 0xff8
        a.emit(addi(10, 0, 30)).emit(lui(12, 0x89abc));    // a0 = iterations, a2 = a value to store
        int loop = a.here();
        a.emit(addi(12, 12, 0x135));
        for (int k = 0; k < 8; k++) {
            a.emit(s(k, 12, 9, 3 - k % 4));               // sd, sw, sh, sb a2, k(s1) in turn
            a.emit(i(k, 9, 3, 13, 0x03));                 // ld a3, k(s1)
            a.emit(i(k, 9, 2, 14, 0x03));                 // lw a4, k(s1)
            a.emit(i(k, 9, 5, 15, 0x03));                 // lhu a5, k(s1)
            a.emit(i(k, 9, 0, 16, 0x03));                 // lb a6, k(s1)
            a.emit(r(0, 13, 11, 0, 11, 0x33));            // add a1, a1, a3
            a.emit(r(0, 14, 11, 4, 11, 0x33));            // xor a1, a1, a4
            a.emit(r(0, 15, 11, 0, 11, 0x33));            // add a1, a1, a5
            a.emit(r(0, 16, 11, 0, 11, 0x33));            // add a1, a1, a6
        }
        a.emit(addi(10, 10, -1));
        a.emit(b(loop - a.here(), 0, 10, 1));             // bne a0, zero, loop
        a.emit(WFI);
        Hart h = runInLockstep(Arena.ofAuto(), a.words());
        assertTrue(h.register(11) != 0);
    }

    /**
     * Loads and stores across the end of RAM fault precisely, although the fast TLB maps
     * their first byte's page (an access inside the page just filled it).
     */
    @Test
    void accessesAcrossTheEndOfRamFaultAfterFastHits() {
        Asm a = new Asm();
        int handlerFixup = trapVectorToPatch(a);
        a.emit(addi(11, 0, 40));                      // a1 = iterations
        a.emit(addi(9, 0, 1)).emit(i(31, 9, 1, 9, 0x13));   // s1 = RAM_BASE (1 << 31)
        a.emit(lui(7, RAM_SIZE >>> 12)).emit(r(0, 7, 9, 0, 9, 0x33)).emit(addi(9, 9, -8));  // s1 = end of RAM - 8
        int loop = a.here();
        a.emit(addi(10, 10, 1));
        a.emit(s(0, 10, 9, 3));                       // sd a0, 0(s1): in RAM
        a.emit(i(0, 9, 3, 13, 0x03));                 // ld a3, 0(s1): in RAM
        a.emit(i(4, 9, 3, 12, 0x03));                 // ld a2, 4(s1): crosses the end, faults
        a.emit(s(6, 10, 9, 2));                       // sw a0, 6(s1): crosses the end, faults
        a.emit(r(0, 13, 15, 0, 15, 0x33));            // add a5, a5, a3
        Hart h = endLoopSkippingFaults(a, loop, handlerFixup);
        assertEquals(80, h.register(14));
        assertEquals(40 * 41 / 2, h.register(15));
    }

    @Test
    void linkedBlocksRunChainedInOneDispatchAndAgree() {
        // Two blocks that branch to each other: once both are compiled and linked, one
        // dispatch runs many of them (up to the chain limit) instead of one.
        Asm a = new Asm();
        a.emit(addi(11, 0, 400));                     // a1 = iterations
        int first = a.here();
        a.emit(addi(10, 10, 3));
        a.emit(b(8, 0, 0, 0));                        // beq zero, zero, second (skips the wfi)
        a.emit(WFI);
        a.emit(addi(12, 12, 1));                      // second: a2++
        a.emit(addi(11, 11, -1));
        a.emit(b(first - a.here(), 0, 11, 1));        // bne a1, zero, first
        a.emit(WFI);
        LongAccumulator longest = new LongAccumulator(Math::max, 0);
        Hart translated = runInLockstep(Arena.ofAuto(), a.words(), 1, longest::accumulate);
        long longestDispatch = longest.get();
        assertEquals(1200, translated.register(10));
        assertEquals(400, translated.register(12));
        assertTrue(longestDispatch > 10,                 // two blocks are 5 instructions
                "one dispatch ran at most " + longestDispatch + " instructions: blocks were not chained");
    }

    @Test
    void aReturnToEitherOfTwoCallersStaysChained() {
        // f is called through a register from two places in the loop, so its return (a jalr
        // exit) goes to one caller, then the other. An exit remembers its last two targets:
        // once both are linked, one dispatch runs up to the chain limit instead of stopping
        // at every return. (Without the jump cache, which would find the caller's block too.)
        LongAccumulator longest = new LongAccumulator(Math::max, 0);
        Hart translated = runInLockstep(Arena.ofAuto(), loopCallingF(2, 400), 1, Hart::withoutJumpCache,
                longest::accumulate);
        assertEquals(800, translated.register(10));
        assertEquals(400, translated.register(12));
        assertEquals(400, translated.register(13));
        assertTrue(longest.get() > 16, "one dispatch ran at most " + longest.get()
                + " instructions: f's return did not stay linked to both callers");
    }

    @Test
    void aReturnToAThirdCallerFindsItsBlockWithoutTheDispatcher() {
        // f is called from three places in the loop. Its return exit remembers two targets,
        // so the third caller always misses them; the hart's jump cache (filled when the
        // dispatcher ran each caller's block) gives the block, and the chain goes on.
        LongAccumulator longest = new LongAccumulator(Math::max, 0);
        Hart translated = runInLockstep(Arena.ofAuto(), loopCallingF(3, 300), 1, longest::accumulate);
        assertEquals(900, translated.register(10));
        assertEquals(300, translated.register(14));
        assertTrue(longest.get() > 16, "one dispatch ran at most " + longest.get()
                + " instructions: a return to the third caller went back to the dispatcher");
    }

    /**
     * A loop of iterations that calls f (a0++, ret) through a register from callers places,
     * each call followed by its own counter (a2, a3, ... ++), then counts a1 down and ends in
     * a wfi: f's return (a jalr exit) goes to each caller in turn.
     */
    private static int[] loopCallingF(int callers, int iterations) {
        Asm a = new Asm();
        a.emit(addi(11, 0, iterations));              // a1 = iterations
        int fixup = a.here();
        a.emit(auipc(5, 0));
        a.emit(0);                                    // addi t0, t0, f (patched below)
        a.emit(jal(0, 12));                           // over f
        int f = a.here();
        a.emit(addi(10, 10, 1));                      // f: a0++
        a.emit(i(0, 1, 0, 0, 0x67));                  // ret
        int loop = a.here();
        for (int c = 0; c < callers; c++) {
            a.emit(i(0, 5, 0, 1, 0x67));              // jalr ra, 0(t0): call f
            a.emit(addi(12 + c, 12 + c, 1));          // this caller's counter++
        }
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        int[] words = a.words();
        words[fixup / 4 + 1] = addi(5, 5, f - fixup);
        return words;
    }

    @Test
    void warmBlocksArePromotedToHotCodeAndStillAgree() {
        // After 50 runs as warm code the loop's blocks are compiled again as hot code, which
        // runs the remaining iterations chained.
        Hart translated = runInLockstep(Arena.ofAuto(), twoBlockLoop(300), 1, hart -> hart.promoteAfter(50), retired -> { });
        assertEquals(2100, translated.register(5));
        assertEquals(1, translated.hotBlocks(), "the loop was not promoted as one region");
        assertEquals(1, translated.blocksInlinedInHotRegions(), "the loop's second block is not in the region");
    }

    @Test
    void codeOneHartPromotedIsPromotedSoonOnTheOthersOfItsVm() {
        // Harts on one RAM run the same loop one after the other. The first promotes it after
        // 50 runs. The second, which alone would count a million runs, shares what the first
        // promoted (as the harts of a VM do) and promotes it after a short count; a third,
        // sharing nothing, still counts.
        int[] program = twoBlockLoop(2040);          // addi's immediate: at most 2047
        MemorySegment ram = Arena.ofAuto().allocate(RAM_SIZE, 8);
        Hart first = ProgramHart.load(ram, program, Engine.TRANSLATOR);
        Hart second = ProgramHart.load(ram, program, Engine.TRANSLATOR);
        Hart alone = ProgramHart.load(ram, program, Engine.TRANSLATOR);
        Hart.sharePromotedCode(first, second);
        first.promoteAfter(50);
        for (Hart hart : new Hart[] {second, alone}) {
            hart.promoteEarly(1_000_000, () -> false);
        }
        for (Hart hart : new Hart[] {first, second, alone}) {
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA - RAM_BASE, 0);   // the loop's data, as the reference has it
            hart.compileSynchronously(1);
            stepToWfi(hart(Arena.ofAuto(), program, Engine.INTERPRETER), hart, retired -> { });
        }
        assertEquals(1, first.hotBlocks(), "the first hart did not promote the loop");
        assertEquals(1, second.hotBlocks(), "the second hart did not promote what the first had");
        assertEquals(0, alone.hotBlocks(), "a hart sharing nothing promoted early");
    }

    @Test
    void aHotRegionRunsALoopOfThreeBlocksInOneCall() {
        // The loop's blocks: load and add / skip the wfi / store, count down and branch back.
        // Promoted, the first block's region holds the other two, and one call runs many
        // iterations (a budget of instructions), where chained blocks would stop after 16.
        Asm a = new Asm();
        pointDataRegister(a);
        a.emit(addi(11, 0, 400));                     // a1 = iterations
        int first = a.here();
        a.emit(i(0, 8, 3, 5, 0x03));                  // ld t0, 0(s0)
        a.emit(addi(5, 5, 3));
        a.emit(b(8, 0, 0, 0));                        // beq zero, zero, second
        a.emit(WFI);
        a.emit(addi(6, 6, 1));                        // second: t1++
        a.emit(b(8, 0, 0, 0));                        // beq zero, zero, third
        a.emit(WFI);
        a.emit(s(0, 5, 8, 3));                        // third: sd t0, 0(s0)
        a.emit(addi(11, 11, -1));
        a.emit(b(first - a.here(), 0, 11, 1));        // bne a1, zero, first
        a.emit(WFI);
        LongAccumulator longest = new LongAccumulator(Math::max, 0);
        Hart translated = runInLockstep(Arena.ofAuto(), a.words(), 1, hart -> hart.promoteAfter(20), longest::accumulate);
        assertEquals(1200, translated.register(5));
        assertEquals(400, translated.register(6));
        assertEquals(1, translated.hotBlocks(), "the loop was not promoted as one region");
        assertEquals(2, translated.blocksInlinedInHotRegions(), "the region does not hold the loop's other blocks");
        assertTrue(longest.get() > 16 * 8, "one dispatch ran at most " + longest.get() + " instructions");
    }

    @Test
    void codeOnAPageMappedElsewhereRunsTheNewCode() {
        // S-mode under Sv39 loops over two virtual pages: the block at the end of page A
        // (a0++) jumps to page B (a2 += 1, a1--, back to A while a1 != 0, else ecall). Once
        // its blocks are hot and chained, the M-mode handler maps page B to other RAM holding
        // a2 += 100 (a store to the page table and sfence.vma, no store to any code) and runs
        // the loop again: no chained call or region may still run the old page's code.
        Hart translated = loopOverARemappedPage(false);
        assertEquals(600, translated.register(10));
        assertEquals(300 + 300 * 100, translated.register(12));
    }

    @Test
    void aSecondLinkToCodeOnAPageMappedElsewhereRunsTheNewCode() {
        // The same, but page A's block leaves by a jalr to one of two entries of page B in
        // turn (a2 += 1 or 2, then 100 or 200), so its exit remembers both. After the remap
        // the first jalr goes to the entry remembered second: that link must not run the old
        // page's code either.
        Hart translated = loopOverARemappedPage(true);
        assertEquals(600, translated.register(10));
        assertEquals(150 * 3 + 150 * 300, translated.register(12));
    }

    /**
     * The loop of the two tests above, run in lockstep: page A at va 0x1000_0ff8 goes on to
     * page B at 0x1000_1000 by a jal, or with twoEntries by a jalr to t2, which page B flips
     * between its entries at +0 and +0x10.
     */
    private static Hart loopOverARemappedPage(boolean twoEntries) {
        int[] image = new int[0x23000 / 4];
        long loopVa = 0x1000_0ff8L;
        Asm a = new Asm();
        a.emit(auipc(8, 0));                          // s0 = start of RAM: constants at 0x700
        a.emit(i(0x700, 8, 3, 5, 0x03));              // ld t0, satp
        a.emit(csrrw(0, Csr.SATP, 5));
        int handlerFixup = trapVectorToPatch(a);
        int restart = a.here();
        a.emit(i(0x708, 8, 3, 5, 0x03));              // ld t0, the loop's va
        a.emit(csrrw(0, Csr.MEPC, 5));
        a.emit(i(0x710, 8, 3, 5, 0x03));              // ld t0, mstatus with MPP = S
        a.emit(csrrw(0, Csr.MSTATUS, 5));
        a.emit(addi(11, 0, 300));                     // a1 = iterations
        a.emit(lui(7, 0x10001));                      // t2 = page B's first entry
        a.emit(MRET);
        int handler = a.here();                       // an ecall from S-mode
        a.emit(addi(9, 9, 1));                        // s1 = ecalls so far
        a.emit(addi(6, 0, 2));
        int done = a.here();
        a.emit(0);                                    // beq s1, t1, end (patched below)
        a.emit(i(0x718, 8, 3, 5, 0x03));              // ld t0, address of page B's PTE
        a.emit(i(0x720, 8, 3, 6, 0x03));              // ld t1, PTE of the other RAM
        a.emit(s(0, 6, 5, 3));                        // sd t1, 0(t0)
        a.emit(0x12000073);                           // sfence.vma
        a.emit(jal(0, restart - a.here()));
        int end = a.here();
        a.emit(WFI);
        int[] code = a.words();
        code[done / 4] = b(end - done, 6, 9, 0);
        patchTrapVector(code, handlerFixup, handler);
        System.arraycopy(code, 0, image, 0, code.length);
        long pageA = RAM_BASE + 0x10000;
        long pageB = RAM_BASE + 0x11000;
        long otherB = RAM_BASE + 0x12000;
        long root = RAM_BASE + 0x20000;
        putLong(image, 0x700, 8L << 60 | root >>> 12);
        putLong(image, 0x708, loopVa);
        putLong(image, 0x710, 1L << 11);
        putLong(image, 0x718, root + 0x2000 + 8);
        putLong(image, 0x720, leaf(otherB));
        putLong(image, 0x20000, (root + 0x1000) >>> 12 << 10 | 1);            // va 0-1 GiB: table
        putLong(image, 0x21000 + 0x80 * 8, (root + 0x2000) >>> 12 << 10 | 1); // va 0x1000_0000: table
        putLong(image, 0x22000, leaf(pageA));
        putLong(image, 0x22008, leaf(pageB));
        image[(0x10000 + 0xff8) / 4] = addi(10, 10, 1);                     // A: a0++
        image[(0x10000 + 0xffc) / 4] = twoEntries ? i(0, 7, 0, 0, 0x67) : jal(0, 4);   // jr t2, or on
        for (long page : new long[] {pageB, otherB}) {
            int at = (int) (page - RAM_BASE) / 4;
            int step = page == pageB ? 1 : 100;
            if (twoEntries) {
                image[at] = addi(12, 12, step);                                // first entry
                image[at + 1] = jal(0, 0x1c);
                image[at + 4] = addi(12, 12, 2 * step);                        // second entry (+0x10)
                image[at + 5] = jal(0, 0xc);
                image[at + 8] = i(0x10, 7, 4, 7, 0x13);                        // xori t2, t2, 0x10
                at += 9;
            } else {
                image[at] = addi(12, 12, step);
                at += 1;
            }
            image[at] = addi(11, 11, -1);
            int bneInPage = (at + 1) * 4 - (int) (page - RAM_BASE);
            image[at + 1] = b(-8 - bneInPage, 0, 11, 1);                      // bne a1, zero, A
            image[at + 2] = 0x00000073;                                        // ecall
        }
        return runInLockstep(Arena.ofAuto(), image, 1, hart -> hart.promoteAfter(20), retired -> { });
    }

    private static void putLong(int[] image, int offset, long value) {
        image[offset / 4] = (int) value;
        image[offset / 4 + 1] = (int) (value >>> 32);
    }

    /** An Sv39 leaf PTE mapping a page to pa: valid, readable, executable, accessed. */
    private static long leaf(long pa) {
        return pa >>> 12 << 10 | 0x4b;
    }

    @Test
    void warmBlocksArePromotedEarlyOnlyWhenTheCompilersHaveRoom() {
        Hart busy = runInLockstep(Arena.ofAuto(), twoBlockLoop(150), 1, hart -> {
            hart.promoteAfter(200);
            hart.promoteEarly(50, () -> false);
        }, retired -> { });
        assertEquals(0, busy.hotBlocks(), "promoted early although the compilers were busy");

        Hart fullCount = runInLockstep(Arena.ofAuto(), twoBlockLoop(300), 1, hart -> {
            hart.promoteAfter(200);
            hart.promoteEarly(50, () -> false);
        }, retired -> { });
        assertEquals(1, fullCount.hotBlocks(), "not promoted after the full count");

        Hart room = runInLockstep(Arena.ofAuto(), twoBlockLoop(150), 1, hart -> {
            hart.promoteAfter(200);
            hart.promoteEarly(50, () -> true);
        }, retired -> { });
        assertEquals(1, room.hotBlocks(), "not promoted early although the compilers had room");
        assertEquals(1050, room.register(5));
    }

    /** A loop of two blocks that each load and store; t0 ends at 7 x iterations. */
    private static int[] twoBlockLoop(int iterations) {
        Asm a = new Asm();
        pointDataRegister(a);
        a.emit(addi(11, 0, iterations));              // a1 = iterations
        int first = a.here();
        a.emit(i(0, 8, 3, 5, 0x03));                  // ld t0, 0(s0)
        a.emit(addi(5, 5, 7));
        a.emit(b(8, 0, 0, 0));                        // beq zero, zero, second
        a.emit(WFI);
        a.emit(s(0, 5, 8, 3));                        // sd t0, 0(s0)
        a.emit(addi(11, 11, -1));
        a.emit(b(first - a.here(), 0, 11, 1));        // bne a1, zero, first
        a.emit(WFI);
        return a.words();
    }

    @Test
    void loadFaultInTheMiddleOfABlockIsPrecise() {
        Asm a = new Asm();
        int handlerFixup = trapVectorToPatch(a);
        a.emit(addi(11, 0, 100));                     // a1 = iterations
        a.emit(lui(9, 0x1));                          // s1 = 0x1000: no device there
        int loop = a.here();
        a.emit(addi(10, 10, 1));
        a.emit(addi(12, 10, 3));
        a.emit(addi(15, 12, 0));                      // mv a5, a2
        a.emit(i(0, 9, 3, 13, 0x03));                 // ld a3, 0(s1): load access fault
        a.emit(addi(10, 10, 2));
        Hart h = endLoopSkippingFaults(a, loop, handlerFixup);
        assertEquals(100, h.register(14));
        assertEquals(300, h.register(10));
    }

    @Test
    void aLoopRegionsBlocksReachedByTwoPathsStayPreciseWhereverItIsLeft() {
        // A loop whose hot region holds blocks reached by side exits: a2 and a3 are written
        // in its first block and read in the later ones, the code after the beq is reached
        // with or without the second part run, and every 16th iteration a load faults in the
        // last part, whose trap handler must see every register the region changed before it
        // (a0 sums a3 after the fault).
        Asm a = new Asm();
        int handlerFixup = trapVectorToPatch(a);
        pointDataRegister(a);
        a.emit(addi(11, 0, 200));                     // a1 = iterations
        a.emit(lui(9, 0x1));                          // s1 = 0x1000: no device there
        int loop = a.here();
        a.emit(i(0, 8, 3, 12, 0x03));                 // ld a2, 0(s0)
        a.emit(addi(12, 12, 5));
        a.emit(addi(13, 13, 1));                      // a3 = iteration
        a.emit(i(3, 13, 7, 15, 0x13));                // andi a5, a3, 3
        a.emit(b(12, 0, 15, 0));                      // beq a5, zero, +12 (past the next two)
        a.emit(r(0, 12, 16, 0, 16, 0x33));            // add a6, a6, a2
        a.emit(s(0, 12, 8, 3));                       // sd a2, 0(s0)
        a.emit(i(15, 13, 7, 17, 0x13));               // andi a7, a3, 15
        a.emit(b(8, 0, 17, 1));                       // bne a7, zero, +8 (past the load)
        a.emit(i(0, 9, 3, 7, 0x03));                  // ld t2, 0(s1): load access fault
        a.emit(r(0, 13, 10, 0, 10, 0x33));            // add a0, a0, a3
        Hart h = endLoopSkippingFaults(a, loop, handlerFixup);
        assertEquals(12, h.register(14), "faults");
        assertEquals(200 * 201 / 2, h.register(10));
        assertEquals(200, h.register(13));
    }

    @Test
    void storesIntoTranslatedCodeTakeEffect() {
        Asm a = new Asm();
        a.emit(addi(9, 0, 20));                       // s1 = 20 iterations
        a.emit(addi(19, 0, 10));                      // s3 = 10: rewrite when s1 reaches it
        a.emit(lui(20, (addi(10, 10, 100) + 0x800) >>> 12));
        a.emit(addi(20, 20, ((addi(10, 10, 100) << 20) >> 20)));   // s4 = encoding of addi a0, a0, 100
        int fixup = a.here();
        a.emit(auipc(18, 0));                         // s2 = address of target
        a.emit(0);
        int target = a.here();
        a.emit(addi(10, 10, 1));                      // target: addi a0, a0, 1
        a.emit(addi(9, 9, -1));
        a.emit(b(12, 19, 9, 1));                      // bne s1, s3, skip
        a.emit(s(0, 20, 18, 2));                      // sw s4, 0(s2)
        a.emit(FENCE_I);
        a.emit(b(target - a.here(), 0, 9, 1));        // skip: bne s1, zero, target
        a.emit(WFI);
        int[] words = a.words();
        words[fixup / 4 + 1] = addi(18, 18, target - fixup);
        Hart h = runInLockstep(Arena.ofAuto(), words);
        assertEquals(10 + 10 * 100, h.register(10));
    }

    /**
     * A device (not the hart) rewrites translated code, then the guest runs fence.i: the
     * translator must notice, as the interpreter does.
     */
    @Test
    void codeChangedBehindTheMmuIsSeenAfterFenceI() {
        Asm a = new Asm();
        a.emit(addi(9, 0, 200));                      // s1 = 200 iterations
        int loop = a.here();
        a.emit(addi(10, 10, 1));                      // addi a0, a0, 1 (becomes +100 below)
        a.emit(addi(9, 9, -1));
        a.emit(FENCE_I);
        a.emit(b(loop - a.here(), 0, 9, 1));          // bne s1, zero, loop
        a.emit(WFI);
        int[] words = a.words();
        Arena arena = Arena.ofAuto();
        MemorySegment referenceRam = arena.allocate(RAM_SIZE, 8);
        MemorySegment translatedRam = arena.allocate(RAM_SIZE, 8);
        Hart reference = ProgramHart.load(referenceRam, words, Engine.INTERPRETER);
        Hart translated = ProgramHart.load(translatedRam, words, Engine.TRANSLATOR);
        translated.compileSynchronously(2);
        Lockstep lockstep = new Lockstep(reference, translated);
        for (int blocks = 0; !lockstep.finished(); blocks++) {
            if (blocks == 150) {
                assertTrue(translated.compiledBlocks() > 0, "nothing compiled yet");
                referenceRam.set(ValueLayout.JAVA_INT_UNALIGNED, loop, addi(10, 10, 100));
                translatedRam.set(ValueLayout.JAVA_INT_UNALIGNED, loop, addi(10, 10, 100));
            }
            Lockstep.Divergence d = lockstep.step();
            assertNull(d, () -> String.valueOf(d));
            assertTrue(blocks < 100_000, "the program did not reach its wfi");
        }
        assertTrue(translated.register(10) > 200, "the rewritten instruction never ran: a0 = " + translated.register(10));
    }

    /**
     * pause (Zihintpause), Linux's cpu_relax() in its spin loops, gives the host core away
     * ({@link Hart#spinWait}) in the interpreter (the first runs) and in hot and warm code,
     * and changes nothing else; a full fence beside it is not a pause.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 3, 1_000_000})
    void pauseIsASpinWaitInEveryTier(int promoteAfter) {
        Asm a = new Asm();
        a.emit(addi(11, 0, 40));                      // a1 = iterations
        int loop = a.here();
        a.emit(Hart.PAUSE);
        a.emit(addi(12, 12, 3));
        a.emit(FENCE);
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        try (Arena arena = Arena.ofConfined()) {
            Hart h = runTierInLockstep(arena, a.words(), 2, hart -> hart.promoteAfter(promoteAfter), retired -> { });
            assertEquals(40, h.spinWaits());
            assertEquals(120, h.register(12));
        }
    }

    /**
     * Translated atomics (AMOs, LR/SC, fence) agree with the interpreter, including an AMO
     * that traps (misaligned) in the middle of a block: the handler sees its exact pc.
     */
    @Test
    void atomicsAgreeAndAMisalignedAmoTrapsPrecisely() {
        Asm a = new Asm();
        pointDataRegister(a);
        int handlerFixup = trapVectorToPatch(a);
        a.emit(addi(11, 0, 60));                      // a1 = iterations
        a.emit(addi(12, 0, 3));                       // a2 = 3
        a.emit(addi(9, 8, 8));                        // s1 = s0 + 8
        a.emit(addi(18, 8, 3));                       // s2 = s0 + 3: misaligned
        int loop = a.here();
        a.emit(amo(0x00, 12, 8, 3, 13));              // amoadd.d a3, a2, (s0)
        a.emit(amo(0x01, 11, 9, 2, 14));              // amoswap.w a4, a1, (s1)
        a.emit(amo(0x1c, 11, 8, 3, 15));              // amomaxu.d a5, a1, (s0)
        a.emit(amo(0x10, 12, 9, 2, 16));              // amomin.w a6, a2, (s1)
        a.emit(amo(0x02, 0, 8, 3, 17));               // lr.d a7, (s0)
        a.emit(r(0, 11, 17, 0, 17, 0x33));            // add a7, a7, a1
        a.emit(amo(0x03, 17, 8, 3, 6));               // sc.d t1, a7, (s0): succeeds
        a.emit(r(0, 6, 7, 0, 7, 0x33));               // add t2, t2, t1
        a.emit(amo(0x03, 17, 8, 3, 28));              // sc.d t3, a7, (s0): no reservation, fails
        a.emit(r(0, 28, 7, 0, 7, 0x33));              // add t2, t2, t3
        a.emit(FENCE);
        a.emit(i(7, 11, 7, 29, 0x13));                // andi t4, a1, 7
        a.emit(b(16, 0, 29, 1));                      // bne t4, zero, skip
        a.emit(addi(20, 20, 1));                      // s4 += 1
        a.emit(amo(0x00, 12, 18, 2, 30));             // amoadd.w t5, a2, (s2): misaligned, traps
        a.emit(addi(20, 20, 1));                      // s4 += 1
        int skip = a.here();
        a.emit(amo(0x04, 11, 9, 2, 0));               // amoxor.w zero, a1, (s1)
        assertTrue(skip > 0);
        Hart h = endLoopSkippingFaults(a, loop, handlerFixup, 31, 19);   // s3 counts traps
        assertEquals(60 / 8, h.register(19), "misaligned AMOs trapped");
        assertEquals(2 * (60 / 8), h.register(20));
        assertEquals(60, h.register(7), "one SC of each pair failed");
    }

    /**
     * FP loads and stores in translated code: NaN-boxing, stores of the low word, and both
     * of their precise traps: illegal while mstatus.FS is off (the handler turns it on and
     * retries) and an access fault (the handler skips the instruction).
     */
    @Test
    void floatLoadsAndStoresAgreeAndTrapPrecisely() {
        Asm a = new Asm();
        pointDataRegister(a);
        int handlerFixup = trapVectorToPatch(a);
        a.emit(addi(11, 0, 40));                      // a1 = iterations
        a.emit(addi(9, 8, 16));                       // s1 = s0 + 16
        a.emit(lui(21, 0x1));                         // s5 = 0x1000: no device there
        a.emit(lui(10, 0x7fc01));                     // a0: grows through NaNs and numbers
        int loop = a.here();
        a.emit(i(7, 11, 7, 29, 0x13));                // andi t4, a1, 7
        int toKeep = a.here();
        a.emit(0);                                    // bne t4, zero, keep (patched below)
        a.emit(lui(30, 0x6));                         // t5 = mstatus.FS
        a.emit(i(Csr.MSTATUS, 30, 3, 0, 0x73));       // csrrc zero, mstatus, t5: FP off
        a.emit(i(0, 21, 3, 4, 0x07));                 // fld f4, 0(s5): illegal, then access fault
        a.emit(s(8, 1, 21, 3) | 0x04);                // fsd f1, 8(s5): store access fault
        int keep = a.here();
        a.emit(i(0, 8, 3, 1, 0x07));                  // fld f1, 0(s0)
        a.emit(i(8, 8, 2, 2, 0x07));                  // flw f2, 8(s0)
        a.emit(i(12, 8, 2, 3, 0x07));                 // flw f3, 12(s0)
        a.emit(s(0, 1, 9, 3) | 0x04);                 // fsd f1, 0(s1)
        a.emit(s(8, 2, 9, 2) | 0x04);                 // fsw f2, 8(s1)
        a.emit(s(12, 1, 9, 2) | 0x04);                // fsw f1, 12(s1): the low word of a double
        a.emit(i(0, 9, 3, 12, 0x03));                 // ld a2, 0(s1)
        a.emit(i(8, 9, 3, 13, 0x03));                 // ld a3, 8(s1)
        a.emit(r(0, 12, 14, 0, 14, 0x33));            // add a4, a4, a2
        a.emit(r(0, 13, 14, 4, 14, 0x33));            // xor a4, a4, a3
        a.emit(r(1, 11, 10, 0, 10, 0x33));            // mul a0, a0, a1
        a.emit(addi(10, 10, 0x3f5));
        a.emit(s(0, 10, 8, 3));                       // sd a0, 0(s0)
        a.emit(s(8, 14, 8, 3));                       // sd a4, 8(s0)
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        int handler = a.here();
        a.emit(csrrs(31, Csr.MCAUSE, 0));
        a.emit(addi(30, 0, Trap.ILLEGAL_INSTRUCTION));
        a.emit(b(20, 30, 31, 1));                     // bne t6, t5, skip it
        a.emit(lui(31, 0x6));
        a.emit(i(Csr.MSTATUS, 31, 2, 0, 0x73));       // csrrs zero, mstatus, t6: FP on, retry
        a.emit(addi(19, 19, 1));                      // s3 counts illegal instructions
        a.emit(MRET);
        a.emit(csrrs(31, Csr.MEPC, 0));
        a.emit(addi(31, 31, 4));
        a.emit(csrrw(0, Csr.MEPC, 31));
        a.emit(addi(20, 20, 1));                      // s4 counts access faults
        a.emit(MRET);
        int[] words = a.words();
        patchTrapVector(words, handlerFixup, handler);
        words[toKeep / 4] = b(keep - toKeep, 0, 29, 1);
        Hart h = runInLockstep(Arena.ofAuto(), words);
        assertEquals(40 / 8, h.register(19), "illegal while FS was off");
        assertEquals(2 * (40 / 8), h.register(20), "access faults");
    }

    /**
     * Blocks that ran (and were chained to each other) many times are rewritten by a plain
     * store, without fence.i: the next run must see the new instruction. With dataStores the
     * loop also stores to its own code page on every iteration.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void chainedBlocksRewrittenByAStoreAreDropped(boolean dataStores) {
        Asm a = new Asm();
        a.emit(addi(9, 0, 30));                       // s1 = 30 iterations
        a.emit(addi(19, 0, 10));                      // s3 = 10: rewrite when s1 reaches it
        a.emit(lui(20, (addi(10, 10, 100) + 0x800) >>> 12));
        a.emit(addi(20, 20, ((addi(10, 10, 100) << 20) >> 20)));   // s4 = encoding of addi a0, a0, 100
        int fixup = a.here();
        a.emit(auipc(18, 0));                         // s2 = address of target
        a.emit(0);
        int target = a.here();
        a.emit(addi(10, 10, 1));                      // target: addi a0, a0, 1
        a.emit(dataStores ? s(0x400, 10, 18, 2) : addi(0, 0, 0));   // sw a0, 0x400(s2), or nop
        a.emit(addi(9, 9, -1));
        a.emit(b(12, 19, 9, 1));                      // bne s1, s3, skip
        a.emit(s(0, 20, 18, 2));                      // sw s4, 0(s2)
        a.emit(jal(0, 4));                            // j skip (a block of its own)
        a.emit(b(target - a.here(), 0, 9, 1));        // skip: bne s1, zero, target
        a.emit(WFI);
        int[] words = a.words();
        words[fixup / 4 + 1] = addi(18, 18, target - fixup);
        Hart h = runInLockstep(Arena.ofAuto(), words, 1);
        assertEquals(20 + 10 * 100, h.register(10));
    }

    /**
     * A block that branches to itself runs as a loop inside its translation; a store that
     * rewrites the loop's own first instruction must end that loop at once.
     */
    @Test
    void aTranslatedLoopThatRewritesItselfSeesTheNewCode() {
        Asm a = new Asm();
        a.emit(addi(9, 0, 20));                       // s1 = 20 iterations
        a.emit(lui(20, (addi(10, 10, 100) + 0x800) >>> 12));
        a.emit(addi(20, 20, ((addi(10, 10, 100) << 20) >> 20)));   // s4 = encoding of addi a0, a0, 100
        int fixup = a.here();
        a.emit(auipc(18, 0));                         // s2 = address of loop
        a.emit(0);
        int loop = a.here();
        a.emit(addi(10, 10, 1));                      // loop: addi a0, a0, 1 (then +100)
        a.emit(addi(9, 9, -1));
        a.emit(s(0, 20, 18, 2));                      // sw s4, 0(s2): rewrites the first instruction
        a.emit(b(loop - a.here(), 0, 9, 1));          // bne s1, zero, loop
        a.emit(addi(9, 0, 5));                        // then a loop that stays compiled
        int after = a.here();
        a.emit(addi(9, 9, -1));
        a.emit(b(after - a.here(), 0, 9, 1));
        a.emit(WFI);
        int[] words = a.words();
        words[fixup / 4 + 1] = addi(18, 18, loop - fixup);
        Hart h = runInLockstep(Arena.ofAuto(), words, 1);
        assertEquals(1 + 19 * 100, h.register(10));
    }

    /**
     * Blocks go on through jal instructions to the same page (a call, a forward and a
     * backward jump); a load that faults after such a jal reports its own pc, past the jump's target.
     */
    @Test
    void blocksFollowJumpsWithinAPageAndStayPrecise() {
        Asm a = new Asm();
        int handlerFixup = trapVectorToPatch(a);
        a.emit(addi(11, 0, 40));                      // a1 = iterations
        a.emit(lui(9, 0x1));                          // s1 = 0x1000: no device there
        int loop = a.here();
        a.emit(addi(10, 10, 1));
        int forward = a.here();
        a.emit(0);                                    // j over (patched below)
        a.emit(addi(10, 10, 1000));                   // skipped
        int back = a.here();
        a.emit(addi(12, 12, 7));                      // back: a2 += 7
        a.emit(i(0, 9, 3, 13, 0x03));                 // ld a3, 0(s1): faults, right after the j back
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        int over = a.here();
        a.emit(addi(10, 10, 2));                      // over: a0 += 2
        int call = a.here();
        a.emit(0);                                    // jal ra, function (patched below)
        a.emit(0);                                    // j back (patched below)
        int function = a.here();
        a.emit(addi(14, 14, 3));                      // function: a4 += 3
        a.emit(i(0, 1, 0, 0, 0x67));                  // ret
        int handler = a.here();
        a.emit(csrrs(6, Csr.MEPC, 0));
        a.emit(addi(6, 6, 4));
        a.emit(csrrw(0, Csr.MEPC, 6));
        a.emit(addi(15, 15, 1));                      // a5 counts traps
        a.emit(MRET);
        int[] words = a.words();
        patchTrapVector(words, handlerFixup, handler);
        words[forward / 4] = jal(0, over - forward);
        words[call / 4] = jal(1, function - call);
        words[call / 4 + 1] = jal(0, back - (call + 4));
        Hart h = runInLockstep(Arena.ofAuto(), words);
        assertEquals(40 * 3, h.register(10));
        assertEquals(40 * 3, h.register(14));
        assertEquals(40, h.register(15));
        assertEquals(40 * 7, h.register(12));
    }
}
