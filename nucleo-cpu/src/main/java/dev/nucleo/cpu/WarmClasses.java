package dev.nucleo.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
    private static final Map<Key, WeakReference<Class<?>>> CLASSES = new ConcurrentHashMap<>();
    /** After this many classes added, entries of unloaded classes are removed. */
    private static final int PURGE_EVERY = 4096;
    private static final ClassValue<MethodHandle> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.lookup().findConstructor(type, MethodType.methodType(void.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no constructor in the block class " + type.getName(), e);
            }
        }
    };
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

    /** The constructor of the class already defined for block's code, or null. */
    static MethodHandle lookUp(Block block) {
        WeakReference<Class<?>> known = CLASSES.get(key(block));
        Class<?> type = known == null ? null : known.get();
        return type == null ? null : CONSTRUCTORS.get(type);
    }

    /** Remembers type as the class of block's code; returns its constructor. */
    static MethodHandle add(Block block, Class<?> type) {
        CLASSES.put(key(block), new WeakReference<>(type));
        purgeNowAndThen();
        return CONSTRUCTORS.get(type);
    }

    private static Key key(Block block) {
        return new Key(block.pc, block.pcOffsetInCode(), block.code());
    }

    private static synchronized void purgeNowAndThen() {
        if (++added % PURGE_EVERY == 0) {
            CLASSES.values().removeIf(ref -> ref.get() == null);
        }
    }
}
