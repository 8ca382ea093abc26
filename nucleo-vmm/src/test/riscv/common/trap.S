/*
 * Trap entry points and privilege switching for the ISA test programs.
 *
 * m_trap_entry / s_trap_entry: save all registers on the trap stack (mscratch / sscratch
 * hold its top), record cause/epc/tval/status in a struct trap_frame, call the C
 * dispatcher, write the (possibly changed) epc back and return with mret / sret. Frame
 * slot x[0] (x0 is never saved) holds the vector number the trap came in through: 0 for
 * the direct entry, N for vectored entry N (m_vector_table, for mtvec vectored mode).
 *
 * run_in_mode(mode, fn, arg, sp): runs fn(arg) in S or U mode and returns its result in
 * M-mode. fn returns into mode_exit_trampoline, whose ecall (a7 = ECALL_EXIT_MAGIC) the
 * M-mode dispatcher turns into mode_resume(result).
 */
#include "nucleo_asm.h"

    .option norvc

.macro SAVE_REGS
    sd      x1, 8(sp)
    sd      x3, 24(sp)
    sd      x4, 32(sp)
    /* x5 (t0) was saved by the entry stub */
    sd      x6, 48(sp)
    sd      x7, 56(sp)
    sd      x8, 64(sp)
    sd      x9, 72(sp)
    sd      x10, 80(sp)
    sd      x11, 88(sp)
    sd      x12, 96(sp)
    sd      x13, 104(sp)
    sd      x14, 112(sp)
    sd      x15, 120(sp)
    sd      x16, 128(sp)
    sd      x17, 136(sp)
    sd      x18, 144(sp)
    sd      x19, 152(sp)
    sd      x20, 160(sp)
    sd      x21, 168(sp)
    sd      x22, 176(sp)
    sd      x23, 184(sp)
    sd      x24, 192(sp)
    sd      x25, 200(sp)
    sd      x26, 208(sp)
    sd      x27, 216(sp)
    sd      x28, 224(sp)
    sd      x29, 232(sp)
    sd      x30, 240(sp)
    sd      x31, 248(sp)
.endm

.macro RESTORE_REGS
    ld      x1, 8(sp)
    ld      x3, 24(sp)
    ld      x4, 32(sp)
    ld      x5, 40(sp)
    ld      x6, 48(sp)
    ld      x7, 56(sp)
    ld      x8, 64(sp)
    ld      x9, 72(sp)
    ld      x10, 80(sp)
    ld      x11, 88(sp)
    ld      x12, 96(sp)
    ld      x13, 104(sp)
    ld      x14, 112(sp)
    ld      x15, 120(sp)
    ld      x16, 128(sp)
    ld      x17, 136(sp)
    ld      x18, 144(sp)
    ld      x19, 152(sp)
    ld      x20, 160(sp)
    ld      x21, 168(sp)
    ld      x22, 176(sp)
    ld      x23, 184(sp)
    ld      x24, 192(sp)
    ld      x25, 200(sp)
    ld      x26, 208(sp)
    ld      x27, 216(sp)
    ld      x28, 224(sp)
    ld      x29, 232(sp)
    ld      x30, 240(sp)
    ld      x31, 248(sp)
    ld      x2, 16(sp)
.endm

/* ---------------------------------------------------------------- M-mode entry */

    .text
    .balign 256
    .globl m_vector_table
m_vector_table:                 /* mtvec = m_vector_table | 1 for vectored mode */
    j       m_trap_entry
    j       m_vec_1
    j       m_vec_2
    j       m_vec_3
    j       m_vec_4
    j       m_vec_5
    j       m_vec_6
    j       m_vec_7
    j       m_vec_8
    j       m_vec_9
    j       m_vec_10
    j       m_vec_11
    j       m_vec_12
    j       m_vec_13
    j       m_vec_14
    j       m_vec_15

.macro M_VEC n
m_vec_\n:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -TF_SIZE
    sd      t0, 40(sp)
    li      t0, \n
    j       m_trap_common
.endm
    M_VEC 1
    M_VEC 2
    M_VEC 3
    M_VEC 4
    M_VEC 5
    M_VEC 6
    M_VEC 7
    M_VEC 8
    M_VEC 9
    M_VEC 10
    M_VEC 11
    M_VEC 12
    M_VEC 13
    M_VEC 14
    M_VEC 15

    .balign 64
    .globl m_trap_entry
m_trap_entry:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -TF_SIZE
    sd      t0, 40(sp)
    li      t0, 0
m_trap_common:
    sd      t0, 0(sp)
    SAVE_REGS
    csrr    t0, mscratch
    sd      t0, 16(sp)              /* the interrupted sp */
    csrw    mscratch, sp            /* a nested trap stacks below this frame */
    csrr    t0, mcause
    sd      t0, TF_CAUSE(sp)
    csrr    t0, mepc
    sd      t0, TF_EPC(sp)
    csrr    t0, mtval
    sd      t0, TF_TVAL(sp)
    csrr    t0, mstatus
    sd      t0, TF_STATUS(sp)
    mv      a0, sp
    call    m_trap_dispatch
    ld      t0, TF_EPC(sp)
    csrw    mepc, t0
    addi    t0, sp, TF_SIZE
    csrw    mscratch, t0
    RESTORE_REGS
    mret

/* ---------------------------------------------------------------- S-mode entry */

    .balign 64
    .globl s_trap_entry
s_trap_entry:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -TF_SIZE
    sd      t0, 40(sp)
    sd      zero, 0(sp)
    SAVE_REGS
    csrr    t0, sscratch
    sd      t0, 16(sp)
    csrw    sscratch, sp
    csrr    t0, scause
    sd      t0, TF_CAUSE(sp)
    csrr    t0, sepc
    sd      t0, TF_EPC(sp)
    csrr    t0, stval
    sd      t0, TF_TVAL(sp)
    csrr    t0, sstatus
    sd      t0, TF_STATUS(sp)
    mv      a0, sp
    call    s_trap_dispatch
    ld      t0, TF_EPC(sp)
    csrw    sepc, t0
    addi    t0, sp, TF_SIZE
    csrw    sscratch, t0
    RESTORE_REGS
    sret

/* ---------------------------------------------------------------- run_in_mode */

    .globl run_in_mode
/* uint64_t run_in_mode(uint64_t mode, uint64_t fn, uint64_t arg, uint64_t sp) */
run_in_mode:
    la      t0, mode_ctx
    sd      ra, 0(t0)
    sd      sp, 8(t0)
    sd      s0, 16(t0)
    sd      s1, 24(t0)
    sd      s2, 32(t0)
    sd      s3, 40(t0)
    sd      s4, 48(t0)
    sd      s5, 56(t0)
    sd      s6, 64(t0)
    sd      s7, 72(t0)
    sd      s8, 80(t0)
    sd      s9, 88(t0)
    sd      s10, 96(t0)
    sd      s11, 104(t0)
    sd      gp, 112(t0)
    sd      tp, 120(t0)
    li      t1, MSTATUS_MPP
    csrc    mstatus, t1
    slli    t1, a0, MSTATUS_MPP_SHIFT
    csrs    mstatus, t1
    csrw    mepc, a1
    mv      a0, a2
    mv      sp, a3
    la      ra, mode_exit_trampoline
    mret

    .globl mode_exit_trampoline
mode_exit_trampoline:
    li      a7, ECALL_EXIT_MAGIC
    ecall
1:  j       1b

/* void mode_resume(uint64_t result): called by the M-mode dispatcher; returns from
   run_in_mode in M-mode with result, abandoning the trap frames. */
    .globl mode_resume
mode_resume:
    la      t0, __mtrap_stack_top
    csrw    mscratch, t0
    la      t0, __strap_stack_top
    csrw    sscratch, t0
    la      t0, mode_ctx
    ld      ra, 0(t0)
    ld      sp, 8(t0)
    ld      s0, 16(t0)
    ld      s1, 24(t0)
    ld      s2, 32(t0)
    ld      s3, 40(t0)
    ld      s4, 48(t0)
    ld      s5, 56(t0)
    ld      s6, 64(t0)
    ld      s7, 72(t0)
    ld      s8, 80(t0)
    ld      s9, 88(t0)
    ld      s10, 96(t0)
    ld      s11, 104(t0)
    ld      gp, 112(t0)
    ld      tp, 120(t0)
    ret

    .bss
    .balign 8
mode_ctx:
    .space  128
