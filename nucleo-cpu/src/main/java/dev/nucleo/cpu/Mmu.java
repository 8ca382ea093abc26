package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import jdk.internal.misc.Unsafe;

/**
 * One hart's view of memory: Sv39/Sv48 translation with a software TLB, then RAM (by its
 * native address on a fast-TLB hit, else through its MemorySegment) or MMIO (through the
 * board's {@link PhysicalBus}).
 *
 * <p>The TLB is direct-mapped and holds one 4 KiB page per entry (superpages are cached page by
 * page) together with the PTE's flag byte. A hit is checked against a precomputed permission
 * table for the current privilege, SUM and MXR, so changing privilege costs no flush. Entries
 * are inserted with A set; the permission tables only allow a store when D is set too, so the
 * first store to a clean page takes the slow path, which sets D in the guest's page table.
 */
final class Mmu {
    static final int PERM_READ = 1;
    static final int PERM_WRITE = 2;
    static final int PERM_EXEC = 4;

    // PTE flag bits.
    static final int PTE_V = 1;
    static final int PTE_R = 2;
    static final int PTE_W = 4;
    static final int PTE_X = 8;
    static final int PTE_U = 16;
    static final int PTE_A = 64;
    static final int PTE_D = 128;

    static final int PRIV_U = 0;
    static final int PRIV_S = 1;
    static final int PRIV_M = 3;

    private static final long PPN_MASK = (1L << 44) - 1;
    private static final int TLB_BITS = 10;
    static final int TLB_MASK = (1 << TLB_BITS) - 1;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle ATOMIC_INT = ValueLayout.JAVA_INT.varHandle();

    /** PERMISSIONS[privilege * 4 + sum * 2 + mxr][pte flag byte] = allowed PERM_* bits. */
    private static final byte[][] PERMISSIONS = buildPermissionTables();

    /** The fast paths below access RAM through Unsafe, as hot blocks do ({@link HotMemory}). */
    private static final Unsafe UNSAFE = HotMemory.unsafe();

    private final MemorySegment ram;
    /** RAM's native address: a fast-TLB offset (a whole page inside RAM) plus an in-page offset is in RAM. */
    private final long ramAddress;
    private final long ramBase;
    final long ramSize;                 // package-private for HartState
    private final PhysicalBus bus;

    // Translation state, pushed by the hart whenever satp, privilege or mstatus change.
    private int levels;             // 0 = bare, 3 = Sv39, 4 = Sv48
    private long rootTable;         // physical address of the root page table
    private boolean translateData;
    private boolean translateFetch;
    private byte[] dataPermissions = PERMISSIONS[0];
    private byte[] fetchPermissions = PERMISSIONS[0];
    private int dataPrivilege;
    private int fetchPrivilege;
    private boolean sum;
    private boolean mxr;

    private final long[] tlbTag = new long[1 << TLB_BITS];
    /**
     * The superpage regions (a vpn shifted by 9 bits per level) translations were cached from
     * since the last full flush, as a bit filter: a set bit means maybe, a clear one surely not.
     */
    private static final int SUPERPAGE_FILTER_BITS = 4096;
    private final long[] superpageRegions = new long[SUPERPAGE_FILTER_BITS / 64];
    /** The vpn bits of a fast-TLB tag (the permission context lives above them). */
    private static final long VPN_BITS = (1L << 52) - 1;
    // The fast data TLB: RAM pages only, tagged with the vpn or'ed with the permission context
    // (dataContext), so a hit needs no permission look-up and a privilege, SUM or MXR change
    // needs no flush. Store entries exist only for dirty, writable pages that hold no
    // translated code, so a store that hits needs no code-write check either. An offset is
    // only ever that of a whole page inside RAM: the fast paths below and hot blocks (HotMemory)
    // access RAM at it through Unsafe, without a bounds check, so this is what keeps a guest
    // inside its memory.
    final long[] readTag = new long[1 << TLB_BITS];
    final long[] readOffset = new long[1 << TLB_BITS];
    final long[] writeTag = new long[1 << TLB_BITS];
    final long[] writeOffset = new long[1 << TLB_BITS];
    long dataContext;                   // read by translated code
    // Names what a fetch at a given pc finds, so the translator may reuse what an earlier
    // fetch found under the same generation: a counter (bits 2 and up) advanced by every
    // flush (satp, sfence.vma) and by the translator, and the fetch privilege (bits 0-1). A
    // trap and its return leave the counter alone, so coming back to a privilege comes back
    // to its generation, and the links made there before the trap are still good.
    private static final int GENERATION_STEP = 4;
    private static final int PRIVILEGE_BITS = 3;
    private int fetchGeneration;
    private final long[] tlbPage = new long[1 << TLB_BITS];
    private final byte[] tlbFlags = new byte[1 << TLB_BITS];

    // The page instructions currently come from: virtual page number and its offset in RAM.
    private long fetchVpn = -1;
    private long fetchRamPage;

    // Pages of RAM holding translated code (one byte per 4 KiB page, null while no translator
    // runs): a store to such a page tells the translator, which drops the page's blocks.
    private byte[] codePages;
    private CodeWriteListener codeWriteListener;
    /** Counts stores that hit translated code: a translated loop stops iterating when it moves. */
    int codeWrites;

    // LR/SC reservation: physical address and the value LR saw (SC succeeds by compare-and-swap).
    long reservation = -1;              // package-private for HartState
    long reservedValue;

    Mmu(MemorySegment ram, long ramBase, PhysicalBus bus) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("Nucleo needs a little-endian host");
        }
        this.ram = ram;
        this.ramAddress = HotMemory.ramAddress(ram);
        this.ramBase = ramBase;
        this.ramSize = ram.byteSize();
        this.bus = bus;
        flush();
    }

    // ---------------------------------------------------------------- state from the hart

    /** Applies a new satp, privilege, effective data privilege (MPRV), SUM and MXR. */
    void configure(long satp, int privilege, int dataPrivilege, boolean sum, boolean mxr) {
        int mode = (int) (satp >>> 60);
        int newLevels = mode == 8 ? 3 : mode == 9 ? 4 : 0;
        long newRoot = (satp & PPN_MASK) << 12;
        if (newLevels != levels || newRoot != rootTable) {
            levels = newLevels;
            rootTable = newRoot;
            flush();
        }
        fetchGeneration = (fetchGeneration & ~PRIVILEGE_BITS) | privilege;
        this.dataPrivilege = dataPrivilege;
        this.fetchPrivilege = privilege;
        this.sum = sum;
        this.mxr = mxr;
        translateData = levels != 0 && dataPrivilege != PRIV_M;
        translateFetch = levels != 0 && privilege != PRIV_M;
        dataPermissions = permissionTable(dataPrivilege, sum, mxr);
        fetchPermissions = permissionTable(privilege, false, false);
        // vpns use at most 52 bits: the context lives above them
        dataContext = translateData ? (long) (1 + (dataPrivilege == PRIV_U ? 0 : 4) + (sum ? 2 : 0) + (mxr ? 1 : 0)) << 56 : 0;
        fetchVpn = -1;
    }

    /** sfence.vma of every address, and satp writes: forget every cached translation. */
    void flush() {
        Arrays.fill(tlbTag, -1L);
        Arrays.fill(readTag, -1L);
        Arrays.fill(writeTag, -1L);
        Arrays.fill(superpageRegions, 0L);
        fetchVpn = -1;
        fetchGeneration += GENERATION_STEP;
    }

    /**
     * sfence.vma of one address (Linux's flush of one page, about 100,000 in a boot, mostly
     * while modules load): forgets the translations of va's page only, and starts a new fetch
     * generation only if the translator ever ran code on that page, so the links between
     * blocks elsewhere stay. A superpage's translation is cached per 4 KiB page, under other
     * slots than va's; if a superpage cached since the last full flush may cover va, every
     * translation goes, as on a full flush (QEMU's TLB does the same).
     */
    void flushPage(long va) {
        long vpn = va >>> 12;
        if (superpageMayCover(vpn)) {
            flush();
            return;
        }
        int i = (int) vpn & TLB_MASK;
        if (tlbTag[i] == vpn) {
            tlbTag[i] = -1L;
        }
        if ((readTag[i] & VPN_BITS) == vpn) {
            readTag[i] = -1L;
        }
        if ((writeTag[i] & VPN_BITS) == vpn) {
            writeTag[i] = -1L;
        }
        if (fetchVpn == vpn) {
            fetchVpn = -1;
        }
        if (codeWriteListener == null || codeWriteListener.mayRunCodeOn(vpn)) {
            fetchGeneration += GENERATION_STEP;
        }
    }

    /** Notes that a translation from a superpage (a leaf above level 0) was cached. */
    private void noteSuperpage(long vpn, int level) {
        int bit = superpageRegionBit(vpn, level);
        superpageRegions[bit >>> 6] |= 1L << bit;
    }

    private boolean superpageMayCover(long vpn) {
        for (int level = 1; level < levels; level++) {
            int bit = superpageRegionBit(vpn, level);
            if ((superpageRegions[bit >>> 6] & (1L << bit)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** A bit for the superpage region of vpn at a level; regions of different levels may share one. */
    private static int superpageRegionBit(long vpn, int level) {
        long region = (vpn >>> (9 * level)) * 4 + level;
        return (int) (region ^ (region >>> 13) ^ (region >>> 26)) & (SUPERPAGE_FILTER_BITS - 1);
    }

    /** See {@link #fetchGeneration}. */
    int fetchGeneration() {
        return fetchGeneration;
    }

    /** The translator dropped or distrusts blocks: what fetches found before must be found again. */
    void newFetchGeneration() {
        fetchGeneration += GENERATION_STEP;
    }

    // ---------------------------------------------------------------- instruction fetch

    /**
     * Fetches the instruction at pc: a 16-bit parcel if compressed, else 32 bits. The
     * second half of a 32-bit instruction may lie on the next page and fault on its own.
     */
    int fetch(long pc) {
        long vpn = pc >>> 12;
        int offset = (int) pc & 0xfff;
        if (vpn == fetchVpn && offset != 0xffe) {
            return ram.get(INT, fetchRamPage + offset);
        }
        long low = fetchParcel(pc);
        if ((low & 3) != 3) {
            return (int) low;
        }
        if (offset != 0xffe) {
            return ram.get(INT, fetchRamPage + offset);
        }
        return (int) (low | fetchParcel(pc + 2) << 16);
    }

    private long fetchParcel(long va) {
        long pa = translateFetch ? fetchAddress(va) : va;
        long ramOffset = pa - ramBase;
        if (ramOffset < 0 || ramOffset >= ramSize) {
            throw new Trap(Trap.INSTRUCTION_ACCESS_FAULT, va);
        }
        fetchVpn = va >>> 12;
        fetchRamPage = ramOffset & ~0xfffL;
        return ram.get(SHORT, ramOffset) & 0xffff;
    }

    /** Physical address of an instruction: the TLB first, the page-table walk on a miss. */
    private long fetchAddress(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (tlbTag[i] == vpn && (fetchPermissions[tlbFlags[i] & 0xff] & PERM_EXEC) != 0) {
            return tlbPage[i] | (va & 0xfff);
        }
        return translate(va, Access.FETCH);
    }

    /**
     * RAM offset of the page holding pc, translated as a fetch would be (same traps), for
     * the translator, which reads a block's instructions straight from RAM.
     */
    long fetchRamPage(long pc) {
        if (pc >>> 12 != fetchVpn) {
            fetchParcel(pc);
        }
        return fetchRamPage;
    }

    MemorySegment ram() {
        return ram;
    }

    /** RAM's native address, checked when the MMU was made (hot blocks take it as a constant). */
    long ramAddress() {
        return ramAddress;
    }

    // ---------------------------------------------------------------- translated code

    /** Starts (or with null stops) tracking stores to code pages; the listener hears of stores to marked pages. */
    void trackCodeWrites(CodeWriteListener listener) {
        codePages = listener == null ? null : new byte[(int) ((ramSize + 0xfff) >>> 12)];
        codeWriteListener = listener;
        Arrays.fill(writeTag, -1L);
    }

    /** Marks the page at this RAM offset as holding translated code. */
    void markCodePage(long ramOffset) {
        int page = (int) (ramOffset >>> 12);
        if (codePages[page] != 0) {
            return;
        }
        codePages[page] = 1;
        long pageOffset = ramOffset & ~0xfffL;
        for (int i = 0; i < writeOffset.length; i++) {
            if (writeOffset[i] == pageOffset) {
                writeTag[i] = -1;                 // stores to it must be seen again
            }
        }
    }

    /** Forgets every mark (the translator dropped all its blocks). */
    void clearCodePages() {
        Arrays.fill(codePages, (byte) 0);
    }

    /** Called with the RAM offset of every store to RAM, before or after it happens. */
    private void noteStore(long ramOffset) {
        byte[] pages = codePages;
        if (pages != null && pages[(int) (ramOffset >>> 12)] != 0) {
            int page = (int) (ramOffset >>> 12);
            pages[page] = 0;
            codeWrites++;
            codeWriteListener.codeWritten(page);
        }
    }

    // ---------------------------------------------------------------- loads and stores

    long load64(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (readTag[i] == (vpn | dataContext) && offset <= 0x1000 - 8) {
            return UNSAFE.getLongUnaligned(null, ramAddress + readOffset[i] + offset);
        }
        return load64Slow(va);
    }

    private long load64Slow(long va) {
        if (crossesPage(va, 8)) {
            return loadBytes(va, 8);
        }
        long pa = dataAddress(va, Access.LOAD, 8);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 8) {
            cacheRead(va, off);
            return ram.get(LONG, off);
        }
        return physicalLoad(pa, 8, va);
    }

    long load32(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (readTag[i] == (vpn | dataContext) && offset <= 0x1000 - 4) {
            return UNSAFE.getIntUnaligned(null, ramAddress + readOffset[i] + offset);
        }
        return load32Slow(va);
    }

    private long load32Slow(long va) {
        if (crossesPage(va, 4)) {
            return (int) loadBytes(va, 4);
        }
        long pa = dataAddress(va, Access.LOAD, 4);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 4) {
            cacheRead(va, off);
            return ram.get(INT, off);
        }
        return (int) physicalLoad(pa, 4, va);
    }

    long load16(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (readTag[i] == (vpn | dataContext) && offset <= 0x1000 - 2) {
            return UNSAFE.getShortUnaligned(null, ramAddress + readOffset[i] + offset);
        }
        return load16Slow(va);
    }

    private long load16Slow(long va) {
        if (crossesPage(va, 2)) {
            return (short) loadBytes(va, 2);
        }
        long pa = dataAddress(va, Access.LOAD, 2);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 2) {
            cacheRead(va, off);
            return ram.get(SHORT, off);
        }
        return (short) physicalLoad(pa, 2, va);
    }

    long load8(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (readTag[i] == (vpn | dataContext) && offset <= 0x1000 - 1) {
            return UNSAFE.getByte(null, ramAddress + readOffset[i] + offset);
        }
        return load8Slow(va);
    }

    private long load8Slow(long va) {
        long pa = dataAddress(va, Access.LOAD, 1);
        long off = pa - ramBase;
        if (off >= 0 && off < ramSize) {
            cacheRead(va, off);
            return ram.get(BYTE, off);
        }
        return (byte) physicalLoad(pa, 1, va);
    }

    void store64(long va, long value) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (writeTag[i] == (vpn | dataContext) && offset <= 0x1000 - 8) {
            UNSAFE.putLongUnaligned(null, ramAddress + writeOffset[i] + offset, value);
            return;
        }
        store64Slow(va, value);
    }

    private void store64Slow(long va, long value) {
        if (crossesPage(va, 8)) {
            storeBytes(va, 8, value);
            return;
        }
        long pa = dataAddress(va, Access.STORE, 8);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 8) {
            ram.set(LONG, off, value);
            noteStore(off);
            cacheWrite(va, off);
        } else {
            physicalStore(pa, 8, value, va);
        }
    }

    void store32(long va, long value) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (writeTag[i] == (vpn | dataContext) && offset <= 0x1000 - 4) {
            UNSAFE.putIntUnaligned(null, ramAddress + writeOffset[i] + offset, (int) value);
            return;
        }
        store32Slow(va, value);
    }

    private void store32Slow(long va, long value) {
        if (crossesPage(va, 4)) {
            storeBytes(va, 4, value);
            return;
        }
        long pa = dataAddress(va, Access.STORE, 4);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 4) {
            ram.set(INT, off, (int) value);
            noteStore(off);
            cacheWrite(va, off);
        } else {
            physicalStore(pa, 4, value, va);
        }
    }

    void store16(long va, long value) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (writeTag[i] == (vpn | dataContext) && offset <= 0x1000 - 2) {
            UNSAFE.putShortUnaligned(null, ramAddress + writeOffset[i] + offset, (short) value);
            return;
        }
        store16Slow(va, value);
    }

    private void store16Slow(long va, long value) {
        if (crossesPage(va, 2)) {
            storeBytes(va, 2, value);
            return;
        }
        long pa = dataAddress(va, Access.STORE, 2);
        long off = pa - ramBase;
        if (off >= 0 && off <= ramSize - 2) {
            ram.set(SHORT, off, (short) value);
            noteStore(off);
            cacheWrite(va, off);
        } else {
            physicalStore(pa, 2, value, va);
        }
    }

    void store8(long va, long value) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        int offset = (int) va & 0xfff;
        if (writeTag[i] == (vpn | dataContext) && offset <= 0x1000 - 1) {
            UNSAFE.putByte(null, ramAddress + writeOffset[i] + offset, (byte) value);
            return;
        }
        store8Slow(va, value);
    }

    private void store8Slow(long va, long value) {
        long pa = dataAddress(va, Access.STORE, 1);
        long off = pa - ramBase;
        if (off >= 0 && off < ramSize) {
            ram.set(BYTE, off, (byte) value);
            noteStore(off);
            cacheWrite(va, off);
        } else {
            physicalStore(pa, 1, value, va);
        }
    }

    /** Remembers the RAM page a load at va reached, for the fast path. */
    private void cacheRead(long va, long ramOffset) {
        long page = ramOffset & ~0xfffL;
        if (page + 0x1000 <= ramSize) {
            int i = (int) (va >>> 12) & TLB_MASK;
            readTag[i] = (va >>> 12) | dataContext;
            readOffset[i] = page;
        }
    }

    /** Remembers the RAM page a store at va reached, unless it holds translated code. */
    private void cacheWrite(long va, long ramOffset) {
        long page = ramOffset & ~0xfffL;
        byte[] pages = codePages;
        if (page + 0x1000 <= ramSize && (pages == null || pages[(int) (page >>> 12)] == 0)) {
            int i = (int) (va >>> 12) & TLB_MASK;
            writeTag[i] = (va >>> 12) | dataContext;
            writeOffset[i] = page;
        }
    }

    private static boolean crossesPage(long va, int size) {
        return ((int) va & 0xfff) > 0x1000 - size;
    }

    /** Physical address of a data access that stays within one page. */
    private long dataAddress(long va, Access access, int size) {
        if (!translateData) {
            return va;
        }
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (tlbTag[i] == vpn && (dataPermissions[tlbFlags[i] & 0xff] & access.permission) != 0) {
            return tlbPage[i] | (va & 0xfff);
        }
        return translate(va, access);
    }

    /** Loads size bytes at va one byte at a time (misaligned accesses that cross a page). */
    private long loadBytes(long va, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (load8(va + i) & 0xffL) << (8 * i);
        }
        return value;
    }

    /** Stores size bytes one at a time, after checking both pages so no partial write happens. */
    private void storeBytes(long va, int size, long value) {
        dataAddress(va, Access.STORE, 1);
        dataAddress(va + size - 1, Access.STORE, 1);
        for (int i = 0; i < size; i++) {
            store8(va + i, value >>> (8 * i));
        }
    }

    private long physicalLoad(long pa, int size, long va) {
        if (pa - ramBase >= 0 && pa - ramBase < ramSize) {
            // Straddles the end of RAM.
            throw new Trap(Trap.LOAD_ACCESS_FAULT, va);
        }
        try {
            return bus.load(pa, size);
        } catch (BusError e) {
            throw new Trap(Trap.LOAD_ACCESS_FAULT, va);
        }
    }

    private void physicalStore(long pa, int size, long value, long va) {
        if (pa - ramBase >= 0 && pa - ramBase < ramSize) {
            throw new Trap(Trap.STORE_ACCESS_FAULT, va);
        }
        try {
            bus.store(pa, size, value);
        } catch (BusError e) {
            throw new Trap(Trap.STORE_ACCESS_FAULT, va);
        }
    }

    // ---------------------------------------------------------------- atomics

    /** Physical RAM offset for an atomic access: aligned, in RAM, else the proper trap. */
    private long atomicOffset(long va, int size, Access access) {
        if ((va & (size - 1)) != 0) {
            throw new Trap(access == Access.LOAD ? Trap.LOAD_MISALIGNED : Trap.STORE_MISALIGNED, va);
        }
        long pa = dataAddress(va, access, size);
        long off = pa - ramBase;
        if (off < 0 || off > ramSize - size) {
            throw new Trap(access.accessFault, va);
        }
        return off;
    }

    long loadReserved(long va, int size) {
        long off = atomicOffset(va, size, Access.LOAD);
        long value = size == 8 ? (long) ATOMIC_LONG.getVolatile(ram, off) : (int) ATOMIC_INT.getVolatile(ram, off);
        reservation = off;
        reservedValue = value;
        return value;
    }

    /** Returns 0 when the store happened, 1 when the reservation was lost. */
    long storeConditional(long va, int size, long value) {
        long off = atomicOffset(va, size, Access.STORE);
        boolean held = reservation == off;
        reservation = -1;
        if (!held) {
            return 1;
        }
        noteStore(off);
        boolean done = size == 8
                ? ATOMIC_LONG.compareAndSet(ram, off, reservedValue, value)
                : ATOMIC_INT.compareAndSet(ram, off, (int) reservedValue, (int) value);
        return done ? 0 : 1;
    }

    void clearReservation() {
        reservation = -1;
    }

    /** Atomic read-modify-write; returns the old value (sign-extended for words). */
    long amo(long va, int size, int funct5, long operand) {
        long off = atomicOffset(va, size, Access.STORE);
        noteStore(off);
        if (size == 8) {
            long old;
            do {
                old = (long) ATOMIC_LONG.getVolatile(ram, off);
            } while (!ATOMIC_LONG.compareAndSet(ram, off, old, amoResult(funct5, old, operand)));
            return old;
        }
        int old;
        do {
            old = (int) ATOMIC_INT.getVolatile(ram, off);
        } while (!ATOMIC_INT.compareAndSet(ram, off, old, (int) amoResult(funct5, old, (int) operand)));
        return old;
    }

    private static long amoResult(int funct5, long old, long operand) {
        return switch (funct5) {
            case 0x01 -> operand;                                   // amoswap
            case 0x00 -> old + operand;                             // amoadd
            case 0x04 -> old ^ operand;                             // amoxor
            case 0x0c -> old & operand;                             // amoand
            case 0x08 -> old | operand;                             // amoor
            case 0x10 -> Math.min(old, operand);                    // amomin
            case 0x14 -> Math.max(old, operand);                    // amomax
            case 0x18 -> Long.compareUnsigned(old, operand) < 0 ? old : operand; // amominu
            case 0x1c -> Long.compareUnsigned(old, operand) > 0 ? old : operand; // amomaxu
            default -> throw new IllegalArgumentException("not an AMO: " + funct5);
        };
    }

    // ---------------------------------------------------------------- page table walk

    private long translate(long va, Access access) {
        int privilege = access == Access.FETCH ? fetchPrivilege : dataPrivilege;
        int vaBits = 12 + 9 * levels;
        long upper = va >> (vaBits - 1);
        if (upper != 0 && upper != -1) {
            throw new Trap(access.pageFault, va);
        }
        long table = rootTable;
        for (int level = levels - 1; level >= 0; level--) {
            long pteAddress = table + ((va >>> (12 + 9 * level)) & 0x1ff) * 8;
            long pteOffset = pteAddress - ramBase;
            if (pteOffset < 0 || pteOffset > ramSize - 8) {
                throw new Trap(access.accessFault, va);
            }
            long pte = (long) ATOMIC_LONG.getVolatile(ram, pteOffset);
            if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >>> 54) != 0) {
                throw new Trap(access.pageFault, va);
            }
            long ppn = (pte >>> 10) & PPN_MASK;
            if ((pte & (PTE_R | PTE_X)) == 0) {
                table = ppn << 12;
                continue;
            }
            return leaf(va, access, privilege, level, pte, pteOffset, ppn);
        }
        throw new Trap(access.pageFault, va);
    }

    private long leaf(long va, Access access, int privilege, int level, long pte, long pteOffset, long ppn) {
        byte[] table = access == Access.FETCH ? fetchPermissions : dataPermissions;
        int flagsIfUpdated = (int) (pte | PTE_A | PTE_D) & 0xff;
        if ((table[flagsIfUpdated] & access.permission) == 0) {
            throw new Trap(access.pageFault, va);
        }
        long superpageMask = (1L << (9 * level)) - 1;
        if ((ppn & superpageMask) != 0) {
            throw new Trap(access.pageFault, va);     // misaligned superpage
        }
        long updated = pte | PTE_A | (access == Access.STORE ? PTE_D : 0);
        if (updated != pte && !ATOMIC_LONG.compareAndSet(ram, pteOffset, pte, updated)) {
            return translate(va, access);             // another hart changed the PTE: walk again
        }
        long page = ((ppn & ~superpageMask) | ((va >>> 12) & superpageMask)) << 12;
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        tlbTag[i] = vpn;
        tlbPage[i] = page;
        tlbFlags[i] = (byte) updated;
        if (level > 0) {
            noteSuperpage(vpn, level);
        }
        return page | (va & 0xfff);
    }

    private static byte[] permissionTable(int privilege, boolean sum, boolean mxr) {
        int p = privilege == PRIV_U ? 0 : 1;  // M-mode never translates, so it needs no table
        return PERMISSIONS[p * 4 + (sum ? 2 : 0) + (mxr ? 1 : 0)];
    }

    private static byte[][] buildPermissionTables() {
        byte[][] tables = new byte[8][256];
        for (int key = 0; key < 8; key++) {
            boolean supervisor = key >= 4;
            boolean sum = (key & 2) != 0;
            boolean mxr = (key & 1) != 0;
            for (int flags = 0; flags < 256; flags++) {
                tables[key][flags] = (byte) allowed(flags, supervisor, sum, mxr);
            }
        }
        return tables;
    }

    private static int allowed(int flags, boolean supervisor, boolean sum, boolean mxr) {
        if ((flags & PTE_V) == 0 || (flags & PTE_A) == 0) {
            return 0;
        }
        boolean userPage = (flags & PTE_U) != 0;
        if (!supervisor && !userPage) {
            return 0;
        }
        int perms = 0;
        boolean dataAllowed = !supervisor || !userPage || sum;
        if (dataAllowed && ((flags & PTE_R) != 0 || (mxr && (flags & PTE_X) != 0))) {
            perms |= PERM_READ;
        }
        if (dataAllowed && (flags & PTE_W) != 0 && (flags & PTE_D) != 0) {
            perms |= PERM_WRITE;
        }
        if ((flags & PTE_X) != 0 && !(supervisor && userPage)) {
            perms |= PERM_EXEC;
        }
        return perms;
    }

    // ---------------------------------------------------------------- for tests and tools

    int levels() {
        return levels;
    }
}
