/*
 * One page of code that the virtual-memory test maps with U=1 and runs in U-mode. Every
 * routine ends with the run_in_mode exit ecall (a7 = ECALL_EXIT_MAGIC, result in a0).
 */
#include "nucleo_asm.h"

    .section .text.user, "ax", @progbits
    .option norvc
    .balign 4096
    .globl user_page, user_load, user_store, user_jump, user_page_end
user_page:
user_load:                  /* a0 = address -> a0 = the doubleword there */
    ld      a0, 0(a0)
    j       user_exit
user_store:                 /* a0 = address, a1 = value -> a0 = 0 */
    sd      a1, 0(a0)
    li      a0, 0
    j       user_exit
user_jump:                  /* a0 = code address, called with ra -> a0 as it returns */
    mv      t0, a0
    li      a0, 0
    jalr    ra, 0(t0)
    j       user_exit
user_exit:
    li      a7, ECALL_EXIT_MAGIC
    ecall
1:  j       1b
    .balign 4096
user_page_end:
