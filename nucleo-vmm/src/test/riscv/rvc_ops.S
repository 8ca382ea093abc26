/*
 * Explicit compressed (RVC) instructions. rvc_run(out) stores one result per slot in out[]
 * (see the table in rvc.c, which checks them). Every c.* mnemonic here assembles to a
 * 16-bit instruction; the assembler rejects operands that have no compressed form.
 */
    .option rvc
    .text
    .globl rvc_run
    .balign 4
rvc_run:
    c.addi16sp sp, -64
    c.sdsp  s0, 0(sp)
    c.sdsp  s1, 8(sp)
    c.sdsp  ra, 16(sp)

    /* 0..3: c.li, c.lui */
    c.li    a1, -32
    c.sd    a1, 0(a0)
    c.li    a1, 31
    c.sd    a1, 8(a0)
    c.lui   a2, 0x1f
    c.sd    a2, 16(a0)
    c.lui   a2, 0xfffe0
    c.sd    a2, 24(a0)

    /* 4..6: c.addi, c.addiw */
    c.li    a3, 5
    c.addi  a3, -6
    c.sd    a3, 32(a0)
    li      a4, 0x7fffffff
    c.addiw a4, 1
    c.sd    a4, 40(a0)
    li      a4, 0x123456787fffffff
    c.addiw a4, 0
    c.sd    a4, 48(a0)

    /* 7: c.addi16sp moves sp by 16*n; 8: c.addi4spn = sp + imm */
    c.mv    a1, sp
    c.addi16sp sp, -32
    c.mv    a2, sp
    c.sub   a1, a2
    c.addi16sp sp, 32
    c.sd    a1, 56(a0)
    c.mv    a2, sp
    c.addi4spn a3, sp, 40
    c.sub   a3, a2
    c.sd    a3, 64(a0)

    /* 9..12: shifts and c.andi */
    c.li    a1, 1
    c.slli  a1, 63
    c.sd    a1, 72(a0)
    c.mv    a2, a1
    c.srli  a2, 63
    c.sd    a2, 80(a0)
    c.srai  a1, 60
    c.sd    a1, 88(a0)
    li      a1, 0xff
    c.andi  a1, -16
    c.sd    a1, 96(a0)

    /* 13..17: register-register */
    c.li    a1, 20
    c.mv    a2, a1
    c.add   a2, a1
    c.add   a2, a1
    c.sd    a2, 104(a0)         /* 60 */
    c.sub   a2, a1
    c.sd    a2, 112(a0)         /* 40 */
    li      a1, 0xf0
    li      a2, 0x3c
    c.mv    a3, a1
    c.xor   a3, a2
    c.sd    a3, 120(a0)
    c.mv    a3, a1
    c.or    a3, a2
    c.sd    a3, 128(a0)
    c.mv    a3, a1
    c.and   a3, a2
    c.sd    a3, 136(a0)

    /* 18..19: c.subw, c.addw */
    c.li    a1, 0
    li      a2, 0x80000000
    c.subw  a1, a2
    c.sd    a1, 144(a0)
    li      a1, 0x7fffffff
    c.li    a2, 1
    c.addw  a1, a2
    c.sd    a1, 152(a0)

    /* 20..21: c.lw, c.ld */
    la      a2, rvc_data
    c.lw    a1, 4(a2)
    c.sd    a1, 160(a0)
    c.ld    a1, 8(a2)
    c.sd    a1, 168(a0)

    /* 22..23: stack-relative stores and loads */
    c.sdsp  a1, 24(sp)
    c.ldsp  a3, 24(sp)
    c.sd    a3, 176(a0)
    c.swsp  a1, 32(sp)
    c.lwsp  a4, 32(sp)
    c.sd    a4, 184(a0)

    /* 24: c.sw then c.sd into a buffer, read back with ld */
    la      a2, rvc_buf
    li      a1, 0x1111111111111111
    c.sd    a1, 0(a2)
    li      a1, 0xaabbccdd
    c.sw    a1, 4(a2)
    ld      a1, 0(a2)
    c.sd    a1, 192(a0)

    /* 25..26: c.fld, c.fsdsp, c.fldsp, c.fsd */
    la      a2, rvc_data
    c.fld   fa0, 8(a2)
    fmv.x.d a1, fa0
    c.sd    a1, 200(a0)
    c.fsdsp fa0, 40(sp)
    c.fldsp fa1, 40(sp)
    la      a2, rvc_buf
    c.fsd   fa1, 8(a2)
    c.ld    a1, 8(a2)
    c.sd    a1, 208(a0)

    /* 27: c.j skips an instruction */
    c.li    a1, 0
    c.j     1f
    c.li    a1, 1
1:  c.sd    a1, 216(a0)

    /* 28: c.jr */
    c.li    a1, 0
    la      a5, 2f
    c.jr    a5
    c.li    a1, 1
2:  c.sd    a1, 224(a0)

    /* 29: c.jalr links pc+2 */
    la      a5, rvc_leaf
    c.jalr  a5
3:  la      a2, 3b
    c.sub   a1, a2
    c.sd    a1, 232(a0)

    /* 30: c.beqz / c.bnez, taken and not taken: bit mask of taken */
    c.li    a1, 0
    c.li    a2, 0
    c.beqz  a2, 4f
    c.addi  a1, 1               /* skipped */
4:  c.bnez  a2, 5f
    c.addi  a1, 2               /* executed */
5:  c.li    a2, 7
    c.beqz  a2, 6f
    c.addi  a1, 4               /* executed */
6:  c.bnez  a2, 7f
    c.addi  a1, 8               /* skipped */
7:  c.sd    a1, 240(a0)

    /* 31: a loop of compressed instructions: sum 1..100 */
    c.li    a1, 0
    li      a2, 100
8:  c.add   a1, a2
    c.addi  a2, -1
    c.bnez  a2, 8b
    c.sd    a1, 248(a0)

    /* 32: a 32-bit instruction at an address that is 2 mod 4, and c.nop */
    addi    a0, a0, 256
    .balign 4
    c.nop
    addi    a1, zero, 123
    c.sd    a1, 0(a0)

    /* 33: a branch to a 2-byte aligned target */
    c.li    a1, 0
    .balign 4
    beq     zero, zero, 9f
    c.li    a1, 1
9:  c.addi  a1, 2
    c.sd    a1, 8(a0)

    /* 34: c.mv / c.add on registers outside x8..x15 */
    li      t0, 1000
    c.mv    t1, t0
    c.add   t1, t0
    c.mv    a1, t1
    c.sd    a1, 16(a0)

    c.ldsp  ra, 16(sp)
    c.ldsp  s1, 8(sp)
    c.ldsp  s0, 0(sp)
    c.addi16sp sp, 64
    c.jr    ra

rvc_leaf:
    c.mv    a1, ra
    c.jr    ra

    .data
    .balign 8
rvc_data:
    .dword  0x8877665544332211
    .dword  0x400921fb54442d18

    .bss
    .balign 8
rvc_buf:
    .space  16
