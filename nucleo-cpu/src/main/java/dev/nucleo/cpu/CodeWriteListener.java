package dev.nucleo.cpu;

/**
 * The translator as the MMU sees it: hears of a store to a RAM page it marked as holding
 * translated code, and says whether a virtual page may hold translated code (an sfence.vma
 * of that page must then end the fetch generation, see {@link Mmu#flushPage}).
 */
interface CodeWriteListener {
    /** page: the RAM offset of the page divided by 4096. */
    void codeWritten(int page);

    /** Whether a block was ever decoded at a pc of this virtual page number (false only if surely not). */
    boolean mayRunCodeOn(long vpn);
}
