package dev.nucleo.cpu;

import java.util.Locale;

/** How a hart executes guest code. */
public enum Engine {
    /** Every instruction decoded and executed one at a time: the reference. */
    INTERPRETER,
    /**
     * Hot basic blocks translated to JVM bytecode; cold code, and the instructions the
     * translator leaves alone (CSR, SYSTEM, fence.i, floating point), go to the interpreter.
     */
    TRANSLATOR;

    /** What harts run with unless told otherwise. */
    public static final Engine DEFAULT = TRANSLATOR;

    /** Parses "interpreter" or "translator" (any case); null or blank means {@link #DEFAULT}. */
    public static Engine parse(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown engine '" + name + "' (interpreter or translator)");
        }
    }
}
