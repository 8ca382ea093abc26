/*
 * Tiny runtime for the Nucleo ISA test programs: UART output, a small printf, the test
 * finisher, CSR access, trap recording and privilege switching.
 */
#ifndef NUCLEO_H
#define NUCLEO_H

#include <stdint.h>
#include <stddef.h>
#include "nucleo_asm.h"

#define RAM_BASE        0x80000000UL
#define UART0_BASE      0x10000000UL
#define FINISHER_BASE   0x00100000UL
#define CLINT_BASE      0x02000000UL
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))

#define STR_(x) #x
#define STR(x) STR_(x)

#define csr_read(csr) ({ uint64_t _v; __asm__ volatile("csrr %0, " #csr : "=r"(_v) :: "memory"); _v; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint64_t _v; __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(_v) : "rK"((uint64_t)(val)) : "memory"); _v; })

/* Values the start code saved: a0 and a1 at entry. */
extern uint64_t boot_hartid, boot_fdt;

/* ---- output */
void putch(char c);
void putstr(const char *s);
/* printf subset: %s %c %d %u %x with optional 'l', zero padding and width; %% */
void pr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ending the program */
void exit_with(int code) __attribute__((noreturn));   /* 0 = pass, else fail(code) */

/* ---- self checks: print the value, "ok" or "FAIL expected ...", count failures */
extern int check_failures;
void check(const char *what, uint64_t got, uint64_t expected);
void check32(const char *what, uint32_t got, uint32_t expected);
void check_true(const char *what, int cond);
/* Prints "PASS name" or "FAIL name: N check(s) failed"; returns the exit code for main. */
int finish(const char *name);

/* ---- traps */
struct trap_frame {
    uint64_t x[32];     /* x[0] holds the vector slot the trap entered through */
    uint64_t cause, epc, tval, status;
};

/* A hook sees every trap first; returns nonzero when it handled it. */
typedef int (*trap_hook_t)(struct trap_frame *f);
extern volatile trap_hook_t m_trap_hook, s_trap_hook;

/* While armed, traps nobody else handles are recorded: synchronous ones resume after the
   faulting instruction (fetch faults return to ra), interrupts resume where they hit. */
struct trap_record {
    int count;
    char mode;          /* 'M' or 'S': which handler took it */
    uint64_t cause, epc, tval, status, vec;
};
extern volatile struct trap_record trap_rec;
void trap_arm(void);
void trap_disarm(void);
/* Length of the instruction at pc (2 or 4), reading it only when it lies in RAM. */
unsigned insn_len_at(uint64_t pc);

/* Runs fn(arg) in privilege mode (PRV_S or PRV_U) with the given stack; fn's return value
   comes back (fn returns into mode_exit_trampoline, which ecalls M-mode). */
uint64_t run_in_mode(uint64_t mode, uint64_t fn, uint64_t arg, uint64_t sp);
extern char __lower_stack_top[];
extern char mode_exit_trampoline[];
extern char m_trap_entry[], s_trap_entry[], m_vector_table[];
#define RUN_IN_MODE(mode, fn, arg) \
    run_in_mode((mode), (uint64_t)(uintptr_t)(fn), (uint64_t)(arg), (uint64_t)(uintptr_t)__lower_stack_top)

static inline uint64_t clint_mtime(void) { return MMIO64(CLINT_MTIME); }

#endif
