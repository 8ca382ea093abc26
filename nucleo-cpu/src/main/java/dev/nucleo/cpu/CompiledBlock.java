package dev.nucleo.cpu;

/**
 * A guest basic block as JVM code: implemented by hidden classes that {@link BlockCompiler}
 * generates. {@code run} executes the whole block on the hart and leaves hart.pc at the
 * next instruction; a trap escapes as {@link Trap} with the hart's state precise.
 */
interface CompiledBlock {
    void run(Hart hart);
}
