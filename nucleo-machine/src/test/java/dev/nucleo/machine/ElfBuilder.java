package dev.nucleo.machine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds small ELF64 little-endian files for loader tests. */
final class ElfBuilder {
    record Seg(int type, long vaddr, long paddr, byte[] data, long memSize) {
    }

    private final List<Seg> segments = new ArrayList<>();
    private long entry;
    private int machine = ElfLoader.EM_RISCV;
    private int type = 2; // ET_EXEC

    ElfBuilder entry(long e) {
        entry = e;
        return this;
    }

    ElfBuilder machine(int m) {
        machine = m;
        return this;
    }

    ElfBuilder type(int t) {
        type = t;
        return this;
    }

    ElfBuilder load(long address, byte[] data, long memSize) {
        return segment(1, address, address, data, memSize);
    }

    ElfBuilder segment(int segType, long vaddr, long paddr, byte[] data, long memSize) {
        segments.add(new Seg(segType, vaddr, paddr, data, memSize));
        return this;
    }

    byte[] build() {
        int phoff = 64;
        int dataStart = phoff + 56 * segments.size();
        int total = dataStart + segments.stream().mapToInt(s -> s.data().length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) type).putShort((short) machine).putInt(1).putLong(entry).putLong(phoff).putLong(0)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) segments.size())
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        long offset = dataStart;
        for (Seg s : segments) {
            b.putInt(s.type()).putInt(7).putLong(offset).putLong(s.vaddr()).putLong(s.paddr())
                    .putLong(s.data().length).putLong(s.memSize()).putLong(0x1000);
            offset += s.data().length;
        }
        for (Seg s : segments) {
            b.put(s.data());
        }
        return b.array();
    }
}
