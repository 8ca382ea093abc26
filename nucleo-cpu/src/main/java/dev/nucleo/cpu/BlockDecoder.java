package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Finds the extent of the block at a pc: instructions the compiler handles, up to and
 * including the first jalr, at most {@link #MAX_INSTRUCTIONS}, never past the end of the 4 KiB
 * page (so one translation covers the whole block). A jal whose target is on the same page
 * does not end the block, which goes on at the target; nor does a conditional branch, up to
 * {@link #MAX_BRANCHES_FOLLOWED}: the block goes on with the instruction after it, and the
 * branch taken leaves the block there (a superblock: one entry, several exits). An instruction
 * the compiler does not handle ends the block before it; the interpreter runs it.
 */
final class BlockDecoder {
    static final int MAX_INSTRUCTIONS = 64;
    /** jal instructions to the same page a block may go through (its code can repeat). */
    private static final int MAX_JUMPS_FOLLOWED = 8;
    /** Conditional branches a block may go past (their taken way leaves the block). */
    static final int MAX_BRANCHES_FOLLOWED = Integer.getInteger("nucleo.translator.branches", 3);

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private BlockDecoder() {
    }

    static Block decode(MemorySegment ram, long pc, long ramAddress) {
        int[] instructions = new int[MAX_INSTRUCTIONS];
        byte[] lengths = new byte[MAX_INSTRUCTIONS];
        int count = 0;
        int offset = (int) (pc & 0xfff);
        int lowest = offset;
        int highest = offset;
        int jumpsFollowed = 0;
        int branchesFollowed = 0;
        long pageBase = ramAddress - offset;
        while (count < MAX_INSTRUCTIONS && offset < 0x1000) {
            int low = ram.get(SHORT, pageBase + offset) & 0xffff;
            int inst;
            int length;
            if ((low & 3) == 3) {
                if (offset == 0xffe) {
                    break;                       // its upper half lies on the next page
                }
                inst = low | (ram.get(SHORT, pageBase + offset + 2) & 0xffff) << 16;
                length = 4;
            } else {
                inst = CompressedExpander.lookup(low);
                length = 2;
            }
            if (inst == 0 || !translatable(inst)) {
                break;
            }
            instructions[count] = inst;
            lengths[count] = (byte) length;
            count++;
            highest = Math.max(highest, offset + length);
            if (opcode(inst) == 0x6f && jumpsFollowed < MAX_JUMPS_FOLLOWED && count < MAX_INSTRUCTIONS) {
                // A jal to the same page: the block goes on at its target (same translation)
                long target = offset + immJ(inst);
                if (target >= 0 && target < 0x1000) {
                    jumpsFollowed++;
                    offset = (int) target;
                    lowest = Math.min(lowest, offset);
                    continue;
                }
            }
            offset += length;
            if (opcode(inst) == 0x63 && branchesFollowed < MAX_BRANCHES_FOLLOWED) {
                branchesFollowed++;
                continue;                        // on along the branch not taken
            }
            if (endsBlock(inst)) {
                break;
            }
        }
        byte[] code = ram.asSlice(pageBase + lowest, highest - lowest).toArray(ValueLayout.JAVA_BYTE);
        return new Block(pc, ramAddress, pageBase + lowest, Arrays.copyOf(instructions, count),
                Arrays.copyOf(lengths, count), code);
    }

    /**
     * The pc of each instruction of a block: in sequence, except after a jal that is not the
     * last instruction, which the decoder followed to its target (a branch that is not the
     * last goes on in sequence).
     */
    static long[] pcs(long start, int[] instructions, byte[] lengths) {
        int n = instructions.length;
        long[] pcs = new long[n];
        long pc = start;
        for (int i = 0; i < n; i++) {
            pcs[i] = pc;
            int inst = instructions[i];
            pc = i < n - 1 && opcode(inst) == 0x6f ? pc + immJ(inst) : pc + lengths[i];
        }
        return pcs;
    }

    static boolean endsBlock(int inst) {
        int opcode = opcode(inst);
        return opcode == 0x6f || opcode == 0x67 || opcode == 0x63;
    }

    /** Whether the compiler handles this encoding; exactly the encodings the interpreter accepts. */
    static boolean translatable(int inst) {
        int funct3 = funct3(inst);
        int funct7 = funct7(inst);
        return switch (opcode(inst)) {
            case 0x37, 0x17, 0x6f -> true;
            case 0x67 -> funct3 == 0;
            case 0x63 -> funct3 != 2 && funct3 != 3;
            case 0x03 -> funct3 != 7;
            case 0x23 -> funct3 <= 3;
            case 0x07, 0x27 -> funct3 == 2 || funct3 == 3;          // flw, fld, fsw, fsd
            case 0x0f -> funct3 == 0;                               // fence (fence.i stays interpreted)
            case 0x2f -> (funct3 == 2 || funct3 == 3) && switch (inst >>> 27) {
                case 0x02 -> rs2(inst) == 0;                        // lr
                case 0x03, 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c -> true;
                default -> false;
            };
            case 0x13 -> switch (funct3) {
                case 1 -> (inst >>> 26) == 0;
                case 5 -> (inst >>> 26) == 0 || (inst >>> 26) == 0x10;
                default -> true;
            };
            case 0x1b -> switch (funct3) {
                case 0 -> true;
                case 1 -> funct7 == 0;
                case 5 -> funct7 == 0 || funct7 == 0x20;
                default -> false;
            };
            case 0x33 -> funct7 == 0x01 || funct7 == 0 || (funct7 == 0x20 && (funct3 == 0 || funct3 == 5));
            case 0x3b -> switch (funct7) {
                case 0x01 -> funct3 == 0 || funct3 >= 4;
                case 0x20 -> funct3 == 0 || funct3 == 5;
                case 0x00 -> funct3 == 0 || funct3 == 1 || funct3 == 5;
                default -> false;
            };
            default -> false;
        };
    }
}
