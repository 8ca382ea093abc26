/*
 * Virtual memory: Sv39 and Sv48 page tables built in M-mode with 4K pages, 2M megapages,
 * 1G gigapages (and a 512G Sv48 terapage); S-mode runs with satp set and checks reads and
 * writes through the mappings, load/store/instruction page faults (scause/stval, taken in
 * M-mode without delegation and in S-mode with it), misaligned superpages, reserved PTE
 * encodings, non-canonical addresses, an instruction that straddles into an unmapped
 * page, hardware A/D updates, U-bit and SUM, MXR, sfence.vma after a PTE change, U-mode
 * code, and MPRV in M-mode.
 */
#include "nucleo.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)

#define SATP_SV39 (8UL << 60)
#define SATP_SV48 (9UL << 60)

#define VA_BASE      0x40000000UL
#define VA_A         (VA_BASE + 0x0000)   /* RW */
#define VA_R         (VA_BASE + 0x1000)   /* R */
#define VA_X         (VA_BASE + 0x2000)   /* X */
#define VA_INV       (VA_BASE + 0x3000)   /* invalid */
#define VA_U         (VA_BASE + 0x4000)   /* U RW */
#define VA_AD        (VA_BASE + 0x5000)   /* RW, A=0 D=0 */
#define VA_UCODE     (VA_BASE + 0x6000)   /* U RX: user_page */
#define VA_WO        (VA_BASE + 0x7000)   /* W only: reserved */
#define VA_A2        (VA_BASE + 0x8000)   /* second mapping of page A */
#define VA_D0        (VA_BASE + 0x9000)   /* RW, A=1 D=0 */
#define VA_SF        (VA_BASE + 0xa000)   /* remapped, then sfence.vma */
#define VA_PTR       (VA_BASE + 0xb000)   /* non-leaf PTE at the last level */
#define VA_UX        (VA_BASE + 0xc000)   /* U X */
#define VA_MEGA      0x40200000UL         /* 2M page -> PA 0x81000000 */
#define VA_MEGA_BAD  0x40400000UL         /* 2M page with a misaligned PPN */
#define VA_GIGA      0x140000000UL        /* 1G page -> PA 0x80000000 */
#define VA_GIGA_BAD  0x180000000UL        /* 1G page with a misaligned PPN */
#define VA_HOLE39    0x4000000000UL       /* non-canonical in Sv39, unmapped in Sv48 */
#define VA48_GIGA    0x8000000000UL       /* Sv48 only: 1G page -> PA 0x80000000 */
#define VA48_TERA    0x10000000000UL      /* Sv48 only: 512G page -> PA 0 */
#define VA48_TERA_BAD 0x18000000000UL     /* Sv48 only: 512G page, misaligned PPN */
#define VA48_NONCANON 0x0000800000000000UL

#define MEGA_PA      0x81000000UL

enum { P_A, P_R, P_X, P_U, P_AD, P_D0, P_SFB, P_UX, P_WO, P_COUNT };

static uint8_t pages[P_COUNT][4096] __attribute__((aligned(4096)));
static uint64_t pt_root39[512] __attribute__((aligned(4096)));
static uint64_t pt_l1[512] __attribute__((aligned(4096)));
static uint64_t pt_l0[512] __attribute__((aligned(4096)));
static uint64_t pt_root48[512] __attribute__((aligned(4096)));
static uint64_t pt48_l2b[512] __attribute__((aligned(4096)));

extern char user_page[], user_load[], user_store[], user_jump[];
#define USER_VA(sym) (VA_UCODE + (uint64_t)((sym) - user_page))

static uint64_t pa(const void *p) { return (uint64_t)(uintptr_t)p; }
static uint64_t leaf(uint64_t phys, uint64_t flags) { return ((phys >> 12) << 10) | flags | PTE_V; }
static uint64_t table(const void *next) { return ((pa(next) >> 12) << 10) | PTE_V; }
static uint64_t *page64(int p) { return (uint64_t *)(void *)pages[p]; }

static void build_tables(void)
{
    const uint64_t RWX_AD = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    const uint64_t RW_AD = PTE_R | PTE_W | PTE_A | PTE_D;

    pt_root39[0] = leaf(0x0, RW_AD | PTE_G);                 /* devices */
    pt_root39[1] = table(pt_l1);
    pt_root39[2] = leaf(0x80000000UL, RWX_AD | PTE_G);       /* RAM, identity */
    pt_root39[5] = leaf(0x80000000UL, RW_AD);                /* RAM alias */
    pt_root39[6] = leaf(0x80200000UL, RW_AD);                /* misaligned 1G */

    pt_l1[0] = table(pt_l0);
    pt_l1[1] = leaf(MEGA_PA, RW_AD);
    pt_l1[2] = leaf(MEGA_PA + 0x1000, RW_AD);                /* misaligned 2M */

    pt_l0[0x0] = leaf(pa(pages[P_A]), RW_AD);
    pt_l0[0x1] = leaf(pa(pages[P_R]), PTE_R | PTE_A);
    pt_l0[0x2] = leaf(pa(pages[P_X]), PTE_X | PTE_A);
    pt_l0[0x3] = 0;
    pt_l0[0x4] = leaf(pa(pages[P_U]), RW_AD | PTE_U);
    pt_l0[0x5] = leaf(pa(pages[P_AD]), PTE_R | PTE_W);
    pt_l0[0x6] = leaf(pa(user_page), PTE_R | PTE_X | PTE_U | PTE_A);
    pt_l0[0x7] = leaf(pa(pages[P_WO]), PTE_W | PTE_A | PTE_D);
    pt_l0[0x8] = leaf(pa(pages[P_A]), RW_AD);
    pt_l0[0x9] = leaf(pa(pages[P_D0]), PTE_R | PTE_W | PTE_A);
    pt_l0[0xa] = leaf(pa(pages[P_A]), RW_AD);
    pt_l0[0xb] = table(pages[P_R]);
    pt_l0[0xc] = leaf(pa(pages[P_UX]), PTE_X | PTE_U | PTE_A);

    /* Sv48: the Sv39 root serves as the level-2 table for the first 512G. */
    pt_root48[0] = table(pt_root39);
    pt_root48[1] = table(pt48_l2b);
    pt_root48[2] = leaf(0x0, RW_AD);                         /* 512G page at PA 0 */
    pt_root48[3] = leaf(0x80000000UL, RW_AD);                /* misaligned 512G */
    pt48_l2b[0] = leaf(0x80000000UL, RW_AD);
}

static void fill_pages(void)
{
    page64(P_A)[0] = 0xaaaa000000000001ULL;
    page64(P_A)[1] = 0xaaaa000000000002ULL;
    page64(P_R)[0] = 0xbbbb0000000000b0ULL;
    page64(P_U)[0] = 0x5555000000000005ULL;
    page64(P_AD)[0] = 0xadad00000000adadULL;
    page64(P_D0)[0] = 0xd0d0d0d0d0d0d0d0ULL;
    page64(P_SFB)[0] = 0x5fb05fb05fb05fb0ULL;
    page64(P_WO)[0] = 0x0123456789abcdefULL;
    /* Code: page X returns 1, page UX returns 2; the last halfword of page X begins a
       32-bit instruction whose second half would be on the (unmapped) next page. */
    uint32_t *x = (uint32_t *)(void *)pages[P_X];
    x[0] = 0x00100513;          /* li a0, 1 */
    x[1] = 0x00008067;          /* ret */
    *(uint16_t *)(void *)&pages[P_X][4094] = 0x0513;
    uint32_t *ux = (uint32_t *)(void *)pages[P_UX];
    ux[0] = 0x00200513;         /* li a0, 2 */
    ux[1] = 0x00008067;         /* ret */
    *(volatile uint64_t *)MEGA_PA = 0x3e6a000000000000ULL;
    *(volatile uint64_t *)(MEGA_PA + 0x1238) = 0x3e6a000000001238ULL;
    __asm__ volatile("fence.i" ::: "memory");
}

/* ---------------------------------------------------------------- probes */

static uint64_t probe_load(uint64_t va)
{
    uint64_t v = 0xdeaddeaddeaddeadULL;
    __asm__ volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void probe_store(uint64_t va, uint64_t v)
{
    __asm__ volatile(".option push\n.option norvc\nsd %1, 0(%0)\n.option pop" :: "r"(va), "r"(v) : "memory");
}

static uint64_t probe_exec(uint64_t va)
{
    uint64_t r;
    __asm__ volatile("li a0, 0\n\tjalr ra, 0(%1)\n\tmv %0, a0" : "=r"(r) : "r"(va) : "ra", "a0", "memory");
    return r;
}

static char fault_mode;     /* which handler should take page faults: 'M' or 'S' */

static void expect_no_fault(const char *what)
{
    int n = trap_rec.count;
    trap_disarm();
    pr("%s: no fault", what);
    if (n == 0) {
        pr(" ok\n");
    } else {
        pr(" FAIL (%d traps, cause %lu tval %016lx)\n", n, trap_rec.cause, trap_rec.tval);
        check_failures++;
    }
}

static void expect_fault(const char *what, uint64_t cause, uint64_t tval)
{
    struct trap_record r;
    r.count = trap_rec.count;
    r.mode = trap_rec.mode;
    r.cause = trap_rec.cause;
    r.tval = trap_rec.tval;
    trap_disarm();
    pr("%s: cause=%lu tval=%016lx", what, r.cause, r.tval);
    if (r.count == 1 && r.cause == cause && r.tval == tval && r.mode == fault_mode) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected cause=%lu tval=%016lx in %c (got %d traps in %c)\n", cause, tval,
           fault_mode, r.count, r.mode);
        check_failures++;
    }
}

#define LOAD_FAULT 13
#define STORE_FAULT 15
#define FETCH_FAULT 12

/* ---------------------------------------------------------------- S-mode tests */

static uint64_t s_tests(uint64_t levels)
{
    uint64_t v;
    pr("[S-mode, Sv%lu, page faults handled in %c-mode]\n", levels == 4 ? 48UL : 39UL, fault_mode);
    check("satp.MODE as seen in S", csr_read(satp) >> 60, levels == 4 ? 9 : 8);

    trap_arm();
    check("4K page RW: read", probe_load(VA_A), 0xaaaa000000000001ULL);
    probe_store(VA_A + 8, 0xaaaa0000000000f2ULL);
    check("  write lands in the physical page", page64(P_A)[1], 0xaaaa0000000000f2ULL);
    check("  second mapping of the same page sees it", probe_load(VA_A2 + 8), 0xaaaa0000000000f2ULL);
    check("4K page R: read", probe_load(VA_R), 0xbbbb0000000000b0ULL);
    check("2M page: read at +0", probe_load(VA_MEGA), 0x3e6a000000000000ULL);
    check("2M page: read at +0x1238", probe_load(VA_MEGA + 0x1238), 0x3e6a000000001238ULL);
    check("1G page: read through the RAM alias",
          probe_load(VA_GIGA + (pa(pages[P_R]) - 0x80000000UL)), 0xbbbb0000000000b0ULL);
    probe_store(VA_GIGA + (pa(pages[P_A]) - 0x80000000UL), 0xaaaa000000000011ULL);
    check("1G page: write through the alias, read through 4K", probe_load(VA_A), 0xaaaa000000000011ULL);
    check("4K page X: execute", probe_exec(VA_X), 1);
    if (levels == 4) {
        check("Sv48 1G page below 1T", probe_load(VA48_GIGA + (pa(pages[P_R]) - 0x80000000UL)),
              0xbbbb0000000000b0ULL);
        check("Sv48 512G page", probe_load(VA48_TERA + pa(pages[P_R])), 0xbbbb0000000000b0ULL);
    }
    expect_no_fault("all of the above");

    pr("-- page faults\n");
    trap_arm();
    probe_store(VA_R, 1);
    expect_fault("store to a read-only page", STORE_FAULT, VA_R);
    trap_arm();
    probe_load(VA_X + 8);
    expect_fault("load from an execute-only page", LOAD_FAULT, VA_X + 8);
    trap_arm();
    probe_store(VA_X, 1);
    expect_fault("store to an execute-only page", STORE_FAULT, VA_X);
    trap_arm();
    probe_load(VA_INV + 16);
    expect_fault("load from an invalid PTE", LOAD_FAULT, VA_INV + 16);
    trap_arm();
    probe_store(VA_INV, 1);
    expect_fault("store to an invalid PTE", STORE_FAULT, VA_INV);
    trap_arm();
    probe_exec(VA_INV);
    expect_fault("execute from an invalid PTE", FETCH_FAULT, VA_INV);
    trap_arm();
    probe_exec(VA_A);
    expect_fault("execute from a non-executable page", FETCH_FAULT, VA_A);
    trap_arm();
    probe_load(VA_WO);
    expect_fault("load from W-only (reserved) PTE", LOAD_FAULT, VA_WO);
    trap_arm();
    probe_store(VA_WO, 1);
    expect_fault("store to W-only (reserved) PTE", STORE_FAULT, VA_WO);
    trap_arm();
    probe_load(VA_PTR);
    expect_fault("non-leaf PTE at the last level", LOAD_FAULT, VA_PTR);
    trap_arm();
    probe_load(VA_MEGA_BAD + 0x10);
    expect_fault("misaligned 2M page", LOAD_FAULT, VA_MEGA_BAD + 0x10);
    trap_arm();
    probe_load(VA_GIGA_BAD);
    expect_fault("misaligned 1G page", LOAD_FAULT, VA_GIGA_BAD);
    trap_arm();
    probe_load(VA_HOLE39);
    expect_fault("address 2^38 (non-canonical in Sv39, unmapped in Sv48)", LOAD_FAULT, VA_HOLE39);
    trap_arm();
    probe_store(0xffffffc000000000UL, 1);
    expect_fault("store to canonical but unmapped high address", STORE_FAULT, 0xffffffc000000000UL);
    if (levels == 4) {
        trap_arm();
        probe_load(VA48_NONCANON);
        expect_fault("Sv48 non-canonical address", LOAD_FAULT, VA48_NONCANON);
        trap_arm();
        probe_load(VA48_TERA_BAD);
        expect_fault("Sv48 misaligned 512G page", LOAD_FAULT, VA48_TERA_BAD);
    } else {
        trap_arm();
        probe_load(VA48_GIGA);
        expect_fault("Sv39 non-canonical address 2^39", LOAD_FAULT, VA48_GIGA);
    }
    trap_arm();
    uint64_t r = probe_exec(VA_X + 4094);
    struct trap_record cross = trap_rec;
    trap_disarm();
    pr("instruction straddling into an unmapped page: cause=%lu epc=%016lx tval=%016lx", cross.cause,
       cross.epc, cross.tval);
    if (cross.count == 1 && cross.cause == FETCH_FAULT && cross.epc == VA_X + 4094 &&
        cross.tval == VA_INV && cross.mode == fault_mode && r == 0) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected cause=12 epc=%016lx tval=%016lx\n", VA_X + 4094, VA_INV);
        check_failures++;
    }

    pr("-- MXR\n");
    csr_set(sstatus, MSTATUS_MXR);
    trap_arm();
    v = probe_load(VA_X);
    expect_no_fault("MXR=1: load from an execute-only page");
    check("  value", v, 0x0000806700100513ULL);
    csr_clear(sstatus, MSTATUS_MXR);

    pr("-- U pages and SUM\n");
    trap_arm();
    probe_load(VA_U);
    expect_fault("SUM=0: S load from a U page", LOAD_FAULT, VA_U);
    trap_arm();
    probe_store(VA_U, 7);
    expect_fault("SUM=0: S store to a U page", STORE_FAULT, VA_U);
    csr_set(sstatus, MSTATUS_SUM);
    trap_arm();
    v = probe_load(VA_U);
    probe_store(VA_U + 8, 0x5555000000000015ULL);
    expect_no_fault("SUM=1: S load and store on a U page");
    check("  value", v, 0x5555000000000005ULL);
    check("  stored", page64(P_U)[1], 0x5555000000000015ULL);
    trap_arm();
    probe_exec(VA_UX);
    expect_fault("SUM=1: S execute from a U page still faults", FETCH_FAULT, VA_UX);
    csr_clear(sstatus, MSTATUS_SUM);

    pr("-- accessed and dirty bits\n");
    trap_arm();
    check("PTE before: A D", (pt_l0[5] >> 6) & 3, 0);
    v = probe_load(VA_AD);
    expect_no_fault("load from a page with A=0");
    check("  value", v, 0xadad00000000adadULL);
    check("  PTE after the load: A set", (pt_l0[5] >> 6) & 1, 1);
    trap_arm();
    probe_store(VA_AD + 8, 1);
    expect_no_fault("store to a page with D=0");
    check("  PTE after the store: A and D set", (pt_l0[5] >> 6) & 3, 3);
    check("PTE with A=1 D=0 before", (pt_l0[9] >> 6) & 3, 1);
    trap_arm();
    probe_store(VA_D0, 2);
    expect_no_fault("store to it");
    check("  PTE after: D set", (pt_l0[9] >> 6) & 3, 3);

    pr("-- sfence.vma\n");
    trap_arm();
    check("before the change", probe_load(VA_SF), 0xaaaa000000000011ULL);
    pt_l0[0xa] = leaf(pa(pages[P_SFB]), PTE_R | PTE_W | PTE_A | PTE_D);
    __asm__ volatile("sfence.vma %0, zero" :: "r"(VA_SF) : "memory");
    check("after remapping + sfence.vma va", probe_load(VA_SF), 0x5fb05fb05fb05fb0ULL);
    pt_l0[0xa] = leaf(pa(pages[P_A]), PTE_R | PTE_W | PTE_A | PTE_D);
    __asm__ volatile("sfence.vma" ::: "memory");
    check("after remapping back + sfence.vma", probe_load(VA_SF), 0xaaaa000000000011ULL);
    pt_l0[0xa] = 0;
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
    expect_no_fault("no faults so far");
    trap_arm();
    probe_load(VA_SF);
    expect_fault("after invalidating the PTE + sfence.vma", LOAD_FAULT, VA_SF);
    pt_l0[0xa] = leaf(pa(pages[P_A]), PTE_R | PTE_W | PTE_A | PTE_D);
    __asm__ volatile("sfence.vma" ::: "memory");
    return 0;
}

/* ---------------------------------------------------------------- M-mode driver */

static void reset_dynamic_ptes(void)
{
    pt_l0[0x5] = leaf(pa(pages[P_AD]), PTE_R | PTE_W);
    pt_l0[0x9] = leaf(pa(pages[P_D0]), PTE_R | PTE_W | PTE_A);
    page64(P_A)[0] = 0xaaaa000000000001ULL;
    page64(P_A)[1] = 0xaaaa000000000002ULL;
    page64(P_U)[1] = 0;
}

static void user_tests(void)
{
    pr("[U-mode, page faults handled in %c-mode]\n", fault_mode);
    trap_arm();
    uint64_t v = RUN_IN_MODE(PRV_U, USER_VA(user_load), VA_U);
    expect_no_fault("U load from a U page");
    check("  value", v, 0x5555000000000005ULL);
    trap_arm();
    RUN_IN_MODE(PRV_U, USER_VA(user_load), VA_A);
    expect_fault("U load from a non-U page", LOAD_FAULT, VA_A);
    trap_arm();
    RUN_IN_MODE(PRV_U, USER_VA(user_store), VA_UCODE);
    expect_fault("U store to its read-only code page", STORE_FAULT, VA_UCODE);
    trap_arm();
    v = RUN_IN_MODE(PRV_U, USER_VA(user_jump), VA_UX);
    expect_no_fault("U call into a U execute-only page");
    check("  returned", v, 2);
    trap_arm();
    RUN_IN_MODE(PRV_U, USER_VA(user_jump), VA_X);
    expect_fault("U execute from a non-U page", FETCH_FAULT, VA_X);
    trap_arm();
    RUN_IN_MODE(PRV_U, USER_VA(user_jump), VA_INV);
    expect_fault("U execute from an invalid PTE", FETCH_FAULT, VA_INV);
    csr_set(mstatus, MSTATUS_SUM);
    trap_arm();
    RUN_IN_MODE(PRV_U, USER_VA(user_load), VA_A);
    expect_fault("SUM does not let U touch S pages", LOAD_FAULT, VA_A);
    csr_clear(mstatus, MSTATUS_SUM);
}

static void mprv_tests(void)
{
    pr("[M-mode with MPRV]\n");
    uint64_t v = 0;
    fault_mode = 'M';       /* faults from M-mode are never delegated */
    trap_arm();
    __asm__ volatile(
        "li t0, %2\n\tcsrc mstatus, t0\n\t"
        "li t0, %3\n\tcsrs mstatus, t0\n\t"          /* MPRV=1, MPP=S */
        "ld %0, 0(%1)\n\t"
        "li t0, %4\n\tcsrc mstatus, t0"
        : "+r"(v) : "r"(VA_A), "i"(MSTATUS_MPP), "i"(MSTATUS_MPRV | (PRV_S << MSTATUS_MPP_SHIFT)),
          "i"(MSTATUS_MPRV | MSTATUS_MPP)
        : "t0", "memory");
    expect_no_fault("MPRV=1 MPP=S: load through the page table");
    check("  value", v, 0xaaaa000000000001ULL);
    trap_arm();
    __asm__ volatile(
        "li t0, %2\n\tcsrc mstatus, t0\n\t"
        "li t0, %3\n\tcsrs mstatus, t0\n\t"
        ".option push\n.option norvc\n"
        "ld %0, 0(%1)\n\t"
        ".option pop\n\t"
        "li t0, %4\n\tcsrc mstatus, t0"
        : "+r"(v) : "r"(VA_U), "i"(MSTATUS_MPP), "i"(MSTATUS_MPRV | (PRV_S << MSTATUS_MPP_SHIFT)),
          "i"(MSTATUS_MPRV | MSTATUS_MPP)
        : "t0", "memory");
    expect_fault("MPRV=1 MPP=S SUM=0: load from a U page faults in M", LOAD_FAULT, VA_U);
    trap_arm();
    __asm__ volatile(
        "li t0, %2\n\tcsrc mstatus, t0\n\t"
        "li t0, %3\n\tcsrs mstatus, t0\n\t"          /* MPRV=1, MPP=U */
        "ld %0, 0(%1)\n\t"
        "li t0, %4\n\tcsrc mstatus, t0"
        : "+r"(v) : "r"(VA_U), "i"(MSTATUS_MPP), "i"(MSTATUS_MPRV | (PRV_U << MSTATUS_MPP_SHIFT)),
          "i"(MSTATUS_MPRV | MSTATUS_MPP)
        : "t0", "memory");
    expect_no_fault("MPRV=1 MPP=U: load from a U page");
    check("  value", v, 0x5555000000000005ULL);
}

static void run_suite(uint64_t satp_mode, const void *root, int delegate)
{
    reset_dynamic_ptes();
    fault_mode = delegate ? 'S' : 'M';
    csr_write(medeleg, delegate ? ((1 << LOAD_FAULT) | (1 << STORE_FAULT) | (1 << FETCH_FAULT)) : 0);
    csr_write(satp, satp_mode | (pa(root) >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    RUN_IN_MODE(PRV_S, s_tests, satp_mode == SATP_SV48 ? 4 : 3);
    user_tests();
    csr_write(medeleg, 0);
}

int main(void)
{
    pr("vm: Sv39 / Sv48 virtual memory\n");
    build_tables();
    fill_pages();

    csr_write(satp, SATP_SV39 | (pa(pt_root39) >> 12));
    check("satp.MODE Sv39 accepted", csr_read(satp) >> 60, 8);
    csr_write(satp, SATP_SV48 | (pa(pt_root48) >> 12));
    check("satp.MODE Sv48 accepted", csr_read(satp) >> 60, 9);
    csr_write(satp, 0);

    run_suite(SATP_SV39, pt_root39, 0);
    run_suite(SATP_SV39, pt_root39, 1);
    run_suite(SATP_SV48, pt_root48, 1);
    reset_dynamic_ptes();
    csr_write(satp, SATP_SV39 | (pa(pt_root39) >> 12));
    mprv_tests();
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    return finish("vm");
}
