package dev.nucleo.cpu;

/** Hears of a store to a RAM page the translator marked as holding translated code. */
@FunctionalInterface
interface CodeWriteListener {
    /** page: the RAM offset of the page divided by 4096. */
    void codeWritten(int page);
}
