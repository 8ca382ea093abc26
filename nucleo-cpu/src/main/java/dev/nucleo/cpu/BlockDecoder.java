package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Finds the extent of the basic block at a pc: straight-line instructions the compiler
 * handles, up to and including the first jump or branch, at most {@link #MAX_INSTRUCTIONS},
 * never past the end of the 4 KiB page (so one translation covers the whole block). An
 * instruction the compiler does not handle ends the block before it; the interpreter runs it.
 */
final class BlockDecoder {
    static final int MAX_INSTRUCTIONS = 64;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private BlockDecoder() {
    }

    static Block decode(MemorySegment ram, long pc, long ramAddress) {
        int[] instructions = new int[MAX_INSTRUCTIONS];
        byte[] lengths = new byte[MAX_INSTRUCTIONS];
        int count = 0;
        int offset = (int) (pc & 0xfff);
        int start = offset;
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
            offset += length;
            if (endsBlock(inst)) {
                break;
            }
        }
        byte[] code = ram.asSlice(ramAddress, offset - start).toArray(ValueLayout.JAVA_BYTE);
        return new Block(pc, ramAddress, Arrays.copyOf(instructions, count), Arrays.copyOf(lengths, count), code);
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
