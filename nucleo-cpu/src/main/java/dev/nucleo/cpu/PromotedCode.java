package dev.nucleo.cpu;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The code the harts of one VM have promoted to hot ({@link Hart#sharePromotedCode}): a block
 * at the same pc and the same place in RAM is the same code, so a hart that runs code another
 * hart promoted need not count to promotion from the start. Each hart compiles its own hot
 * code (its class data is that hart's registers and MMU) and counts its own runs: with two
 * harts, a boot ran 23 % and 16 % of their instructions hot against 30 % with one; sharing
 * what was promoted, 36 % and 19 % (docs/benchmarks.md). Only a hint: promoting a block
 * early is always correct.
 */
final class PromotedCode {
    /** Whether promotions are noted at all ({@code -Dnucleo.translator.noSharedPromotions=true}: no). */
    private static final boolean ENABLED = !Boolean.getBoolean("nucleo.translator.noSharedPromotions");
    /** Beyond this many entries the set starts again: a boot promotes a few hundred blocks. */
    private static final int MAX_ENTRIES = 1 << 16;

    private final Set<Key> promoted = ConcurrentHashMap.newKeySet();

    private record Key(long pc, long ramAddress) {
    }

    void add(Block block) {
        if (!ENABLED) {
            return;
        }
        if (promoted.size() >= MAX_ENTRIES) {
            promoted.clear();
        }
        promoted.add(new Key(block.pc, block.ramAddress));
    }

    /** Whether a hart of the VM promoted the code of block. */
    boolean contains(Block block) {
        return !promoted.isEmpty() && promoted.contains(new Key(block.pc, block.ramAddress));
    }
}
