/*
 * Start code for the Nucleo ISA test programs.
 *
 * Entered in M-mode at the ELF entry with a0 = hart id and a1 = FDT address (QEMU's
 * "-bios none" reset code and Nucleo both do this). Sets up PMP so S/U mode may touch all
 * of memory, the stack, gp, the FPU, the trap stacks and a default trap handler, clears
 * .bss, then calls main(). main's return value ends the program through the test
 * finisher: 0 = pass (0x5555), anything else = fail with that code.
 */
#include "nucleo_asm.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    /* Only hart 0 runs the program; any other hart parks. */
    csrr    t0, mhartid
    bnez    t0, park

    /* PMP entry 0: NAPOT over the whole address space, RWX, so that S and U mode can
       access memory. If the CSRs do not exist the write traps to 1: and we go on. */
    la      t0, 1f
    csrw    mtvec, t0
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f
    csrw    pmpcfg0, t0
    .balign 4
1:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top

    /* Keep the boot registers for the programs that look at them. */
    mv      s0, a0
    mv      s1, a1

    /* Clear .bss. */
    la      t0, __bss_start
    la      t1, __bss_end
2:  bgeu    t0, t1, 3f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       2b
3:
    la      t0, boot_hartid
    sd      s0, 0(t0)
    la      t0, boot_fdt
    sd      s1, 0(t0)

    /* Quiet machine: no interrupts, no delegation, bare translation. */
    csrw    mie, zero
    csrw    mideleg, zero
    csrw    medeleg, zero
    csrw    satp, zero

    /* FPU on (FS = Initial), fcsr cleared. */
    li      t0, MSTATUS_FS_INITIAL
    csrs    mstatus, t0
    fscsr   zero

    /* Trap stacks and the default handlers. */
    la      t0, __mtrap_stack_top
    csrw    mscratch, t0
    la      t0, __strap_stack_top
    csrw    sscratch, t0
    la      t0, m_trap_entry
    csrw    mtvec, t0
    la      t0, s_trap_entry
    csrw    stvec, t0

    call    main
    call    exit_with
park:
    wfi
    j       park

    .section .bss
    .balign 8
    .globl boot_hartid, boot_fdt
boot_hartid: .dword 0
boot_fdt:    .dword 0
