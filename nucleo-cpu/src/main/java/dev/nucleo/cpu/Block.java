package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One guest basic block as the translator knows it: where it starts (virtual pc and RAM
 * offset), its decoded instructions, a copy of its bytes, how often it ran, and once hot its
 * compiled code. A block of zero instructions stands for an instruction the translator
 * leaves to the interpreter.
 */
final class Block {
    final long pc;
    final long ramAddress;
    /** RAM offset of the first byte of code (lower than ramAddress if a jal went back). */
    private final long codeStart;
    /** Expanded 32-bit encodings, one per instruction. */
    final int[] instructions;
    /** Byte length of each instruction (2 or 4). */
    final byte[] lengths;
    /** The pc of each instruction (a jal the block went through is followed to its target). */
    final long[] pcs;
    /** The block's bytes as decoded (from codeStart), to check after fence.i that RAM still holds them. */
    private final byte[] code;
    /** The instructions decoded for the interpreter that runs the block while it is cold ({@link ColdCode}). */
    final long[] cold;
    /** How many instructions (kept here so the dispatcher need not touch the arrays). */
    private final int length;

    /**
     * When the block's count of executions started (System.nanoTime): at its decoding, again
     * whenever it was too slow to reach the threshold ({@link CompileRate}). Written on the
     * hart's thread only before the block is handed to the compiler, whose thread reads it.
     */
    long countingSince = System.nanoTime();
    /** Set once compiled, possibly by the background compiler's thread. */
    volatile ChainedBlock compiled;
    int executions;
    /** Handed to the compiler already (the hart's thread only). */
    boolean queued;
    /** Handed to the compiler again, to be compiled as a hot block (the hart's thread only). */
    boolean promoted;
    /** Runs its warm code counted in the counts it used up so far (the hart's thread only). */
    int runsCounted;
    /** The translator's fence.i epoch in which the bytes were last known to be current. */
    int epoch;
    /** False once a store hit the block's page: never run it again. */
    boolean valid = true;

    // Up to two successors seen before (a branch's two ways, or a jump's target), each valid
    // while the MMU's fetch generation is the one it was found in: the dispatcher then needs
    // neither the fetch translation nor a look-up to find it.
    private Block successor0;
    private Block successor1;
    private int generation0;
    private int generation1;
    private boolean replaceFirst;

    Block(long pc, long ramAddress, long codeStart, int[] instructions, byte[] lengths, byte[] code) {
        this.pc = pc;
        this.ramAddress = ramAddress;
        this.codeStart = codeStart;
        this.instructions = instructions;
        this.lengths = lengths;
        this.code = code;
        this.pcs = BlockDecoder.pcs(pc, instructions, lengths);
        this.cold = ColdCode.decode(instructions, lengths, pcs);
        this.length = instructions.length;
    }

    /** The remembered successor at pc, if still usable in this generation and epoch; else null. */
    Block successor(long pc, int generation, int epoch) {
        Block s = successor0;
        if (s != null && s.pc == pc && generation0 == generation && s.valid && s.epoch == epoch) {
            return s;
        }
        s = successor1;
        if (s != null && s.pc == pc && generation1 == generation && s.valid && s.epoch == epoch) {
            return s;
        }
        return null;
    }

    /** Remembers that next followed this block in this fetch generation. */
    void link(Block next, int generation) {
        if (replaceFirst) {
            successor0 = next;
            generation0 = generation;
        } else {
            successor1 = next;
            generation1 = generation;
        }
        replaceFirst = !replaceFirst;
    }

    /** The encoding instruction i (at pc) was decoded from: 16 bits if compressed, for traps. */
    int encoding(int i, long pc) {
        int at = (int) (ramAddress + (pc - this.pc) - codeStart);   // a block stays on one page
        int low = (code[at] & 0xff) | (code[at + 1] & 0xff) << 8;
        return lengths[i] == 2 ? low : low | ((code[at + 2] & 0xff) | (code[at + 3] & 0xff) << 8) << 16;
    }

    /** The block's bytes as decoded (not to be changed): with pc and pcOffsetInCode, all its code depends on. */
    byte[] code() {
        return code;
    }

    /** Where in code() the block's first instruction is. */
    int pcOffsetInCode() {
        return (int) (ramAddress - codeStart);
    }

    int length() {
        return length;
    }

    /**
     * The pcs the block's exits go to that its code names: each branch's target, and at its
     * end the way on (a jal's target, a final branch's two ways, or the next instruction);
     * not a jalr's, which is computed.
     */
    long[] directTargets() {
        int n = length();
        long[] targets = new long[n + 1];
        int count = 0;
        for (int i = 0; i < n; i++) {
            int inst = instructions[i];
            int opcode = Decode.opcode(inst);
            boolean last = i == n - 1;
            if (opcode == 0x63) {
                targets[count++] = pcs[i] + Decode.immB(inst);
                if (last) {
                    targets[count++] = pcs[i] + lengths[i];
                }
            } else if (last && opcode == 0x6f) {
                targets[count++] = pcs[i] + Decode.immJ(inst);
            } else if (last && opcode != 0x67) {
                targets[count++] = pcs[i] + lengths[i];
            }
        }
        return java.util.Arrays.copyOf(targets, count);
    }

    /** Whether guest RAM still holds the bytes this block was decoded from. */
    boolean codeMatches(MemorySegment ram) {
        return code.length == 0 || MemorySegment.mismatch(ram, codeStart, codeStart + code.length,
                MemorySegment.ofArray(code), 0, code.length) == -1;
    }
}
