package dev.nucleo.cpu;

/** The three kinds of memory access, each with its own page-fault and access-fault cause. */
enum Access {
    FETCH(Trap.INSTRUCTION_PAGE_FAULT, Trap.INSTRUCTION_ACCESS_FAULT, Mmu.PERM_EXEC),
    LOAD(Trap.LOAD_PAGE_FAULT, Trap.LOAD_ACCESS_FAULT, Mmu.PERM_READ),
    STORE(Trap.STORE_PAGE_FAULT, Trap.STORE_ACCESS_FAULT, Mmu.PERM_WRITE);

    final int pageFault;
    final int accessFault;
    final int permission;

    Access(int pageFault, int accessFault, int permission) {
        this.pageFault = pageFault;
        this.accessFault = accessFault;
        this.permission = permission;
    }
}
