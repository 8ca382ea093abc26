package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockTableTest {
    private static Block block(long pc) {
        return new Block(pc, pc, pc, new int[0], new byte[0], new byte[0]);
    }

    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        BlockTable table = new BlockTable(16);
        Map<Long, Block> reference = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            // A few hundred pcs, 2-byte aligned and clustered like code, so probe runs collide.
            long pc = 0xffff_ffff_8000_0000L + 2L * random.nextInt(600) + (random.nextBoolean() ? 0 : 0x10_0000);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    Block b = block(pc);
                    table.put(pc, b);
                    reference.put(pc, b);
                }
                case 2 -> {
                    Block current = reference.get(pc);
                    Block victim = current != null && random.nextBoolean() ? current : block(pc);
                    table.remove(pc, victim);
                    reference.remove(pc, victim);
                }
                default -> assertSame(reference.get(pc), table.get(pc), "pc " + Long.toHexString(pc));
            }
            assertEquals(reference.size(), table.size());
        }
        for (Map.Entry<Long, Block> e : reference.entrySet()) {
            assertSame(e.getValue(), table.get(e.getKey()));
        }
        Map<Block, Boolean> seen = new IdentityHashMap<>();
        table.forEach(b -> seen.put(b, true));
        assertEquals(reference.size(), seen.size());
        reference.values().forEach(b -> assertEquals(true, seen.get(b)));
    }

    @Test
    void growsAndClears() {
        BlockTable table = new BlockTable(16);
        List<Block> added = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            Block b = block(0x8000_0000L + 4L * i);
            table.put(b.pc, b);
            added.add(b);
        }
        assertEquals(70_000, table.size());
        for (Block b : added) {
            assertSame(b, table.get(b.pc));
        }
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.get(0x8000_0000L));
    }
}
