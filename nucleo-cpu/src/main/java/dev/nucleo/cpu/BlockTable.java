package dev.nucleo.cpu;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The translator's blocks by guest pc: an open-addressing hash table (linear probing) on
 * {@code long} keys. A {@code HashMap<Long, Block>} boxed the pc on every look-up and followed
 * a pointer to a {@code Long} on every probe; in a boot those look-ups were about 2 % of the
 * hart's time, most of it waiting for the boxed keys' cache lines.
 */
final class BlockTable {
    /** Grows past this share of slots in use, so that probe runs stay short. */
    private static final int MAX_LOAD_PERCENT = 60;

    private long[] keys;
    private Block[] values;                     // null: a free slot
    private int mask;
    private int size;

    BlockTable(int initialCapacity) {
        int capacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1) << 1);
        keys = new long[capacity];
        values = new Block[capacity];
        mask = capacity - 1;
    }

    /** The block at pc, or null. */
    Block get(long pc) {
        for (int i = home(pc); ; i = (i + 1) & mask) {
            Block block = values[i];
            if (block == null || keys[i] == pc) {
                return block;
            }
        }
    }

    /** Makes block the one at pc, replacing any other. */
    void put(long pc, Block block) {
        int i = home(pc);
        while (values[i] != null && keys[i] != pc) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            if ((size + 1) * 100 > values.length * MAX_LOAD_PERCENT) {
                grow();
                put(pc, block);
                return;
            }
            size++;
        }
        keys[i] = pc;
        values[i] = block;
    }

    /** Removes the entry at pc if it is this very block (a newer block at pc stays). */
    void remove(long pc, Block block) {
        for (int i = home(pc); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == pc) {
                if (values[i] == block) {
                    deleteAt(i);
                }
                return;
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    int size() {
        return size;
    }

    void forEach(Consumer<Block> action) {
        for (Block block : values) {
            if (block != null) {
                action.accept(block);
            }
        }
    }

    /**
     * Frees a slot without a tombstone: entries after the gap in the same probe run move back
     * into it unless their home slot lies cyclically after it (Knuth's algorithm R).
     */
    private void deleteAt(int gap) {
        for (int j = (gap + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = home(keys[j]);
            boolean homeAfterGap = gap <= j ? gap < home && home <= j : gap < home || home <= j;
            if (!homeAfterGap) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        values[gap] = null;
        size--;
    }

    private void grow() {
        long[] oldKeys = keys;
        Block[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Block[oldValues.length * 2];
        mask = values.length - 1;
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Fibonacci hashing: pcs are 2-byte aligned and clustered, the product's top bits are not. */
    private int home(long pc) {
        return (int) ((pc * 0x9E37_79B9_7F4A_7C15L) >>> 32) & mask;
    }
}
