/* Constants shared by the assembly and C sides of the ISA test programs. */
#ifndef NUCLEO_ASM_H
#define NUCLEO_ASM_H

#define MSTATUS_SIE          0x2
#define MSTATUS_MIE          0x8
#define MSTATUS_SPIE         0x20
#define MSTATUS_MPIE         0x80
#define MSTATUS_SPP          0x100
#define MSTATUS_MPP_SHIFT    11
#define MSTATUS_MPP          0x1800
#define MSTATUS_FS           0x6000
#define MSTATUS_FS_INITIAL   0x2000
#define MSTATUS_FS_DIRTY     0x6000
#define MSTATUS_MPRV         0x20000
#define MSTATUS_SUM          0x40000
#define MSTATUS_MXR          0x80000
#define MSTATUS_TVM          0x100000
#define MSTATUS_TW           0x200000
#define MSTATUS_TSR          0x400000

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* a7 value of the ecall that ends a run_in_mode() call. */
#define ECALL_EXIT_MAGIC     0x4e55434c   /* "NUCL" */

/* Trap frame layout (see trap.S and struct trap_frame). */
#define TF_SIZE    288
#define TF_CAUSE   256
#define TF_EPC     264
#define TF_TVAL    272
#define TF_STATUS  280

#endif
