package dev.nucleo.cpu;

/**
 * A synchronous exception raised while executing an instruction. Thrown from deep inside
 * the interpreter and the MMU, caught by the hart's run loop, which enters the trap handler.
 * It carries no stack trace: traps are part of normal guest operation (page faults), not bugs.
 */
public final class Trap extends RuntimeException {
    // Exception codes (privileged spec, table 3.6).
    public static final int INSTRUCTION_MISALIGNED = 0;
    public static final int INSTRUCTION_ACCESS_FAULT = 1;
    public static final int ILLEGAL_INSTRUCTION = 2;
    public static final int BREAKPOINT = 3;
    public static final int LOAD_MISALIGNED = 4;
    public static final int LOAD_ACCESS_FAULT = 5;
    public static final int STORE_MISALIGNED = 6;
    public static final int STORE_ACCESS_FAULT = 7;
    public static final int ECALL_FROM_U = 8;
    public static final int ECALL_FROM_S = 9;
    public static final int ECALL_FROM_M = 11;
    public static final int INSTRUCTION_PAGE_FAULT = 12;
    public static final int LOAD_PAGE_FAULT = 13;
    public static final int STORE_PAGE_FAULT = 15;

    public final int cause;
    public final long tval;

    public Trap(int cause, long tval) {
        super(null, null, false, false);
        this.cause = cause;
        this.tval = tval;
    }

    /** Illegal instruction; tval holds the instruction's bits, zero-extended. */
    static Trap illegal(int instructionBits) {
        return new Trap(ILLEGAL_INSTRUCTION, instructionBits & 0xffff_ffffL);
    }

    /** A readable name for an exception code, for messages. */
    public static String describe(int cause) {
        return switch (cause) {
            case INSTRUCTION_MISALIGNED -> "instruction address misaligned";
            case INSTRUCTION_ACCESS_FAULT -> "instruction fetch fault";
            case ILLEGAL_INSTRUCTION -> "illegal instruction";
            case BREAKPOINT -> "breakpoint";
            case LOAD_MISALIGNED -> "misaligned load";
            case LOAD_ACCESS_FAULT -> "load access fault";
            case STORE_MISALIGNED -> "misaligned store";
            case STORE_ACCESS_FAULT -> "store access fault";
            case ECALL_FROM_U, ECALL_FROM_S, ECALL_FROM_M -> "environment call";
            case INSTRUCTION_PAGE_FAULT -> "instruction page fault";
            case LOAD_PAGE_FAULT -> "load page fault";
            case STORE_PAGE_FAULT -> "store page fault";
            default -> "exception " + cause;
        };
    }

    @Override
    public String getMessage() {
        return "cause " + cause + " tval 0x" + Long.toHexString(tval);
    }
}
