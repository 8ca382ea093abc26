package dev.nucleo.cpu;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The warm block classes of every hart in this JVM, by the code they translate, so a block
 * that a second hart (or VM) runs is translated, loaded and compiled by HotSpot once. A warm
 * class takes everything it touches from the hart it runs on; its code depends only on the
 * block's pc and bytes. Each hart still has its own instance (the exits it links to, its run
 * count). Classes are held weakly: one is unloaded once no hart has a block using it.
 */
final class WarmClasses {
    private static final Map<Key, WeakReference<ChainedBlock>> PROTOTYPES = new ConcurrentHashMap<>();
    /** After this many classes added, entries of unloaded classes are removed. */
    private static final int PURGE_EVERY = 4096;
    private static int added;

    private WarmClasses() {
    }

    /** The block's code as the key of its class: the same pc and bytes translate the same. */
    private record Key(long pc, int pcAt, byte[] code) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.pc == pc && k.pcAt == pcAt && Arrays.equals(k.code, code);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(pc) * 31 + Arrays.hashCode(code);
        }
    }

    /**
     * The prototype of the class already defined for block's code ({@link ChainedBlock#newInstance}
     * makes blocks of it), or null. The class holds its prototype in a static field, so the weak
     * reference lasts as long as the class does.
     */
    static ChainedBlock lookUp(Block block) {
        WeakReference<ChainedBlock> known = PROTOTYPES.get(key(block));
        return known == null ? null : known.get();
    }

    /** Remembers prototype's class as the class of block's code. */
    static void add(Block block, ChainedBlock prototype) {
        PROTOTYPES.put(key(block), new WeakReference<>(prototype));
        purgeNowAndThen();
    }

    private static Key key(Block block) {
        return new Key(block.pc, block.pcOffsetInCode(), block.code());
    }

    private static synchronized void purgeNowAndThen() {
        if (++added % PURGE_EVERY == 0) {
            PROTOTYPES.values().removeIf(ref -> ref.get() == null);
        }
    }
}
