/*
 * F and D extensions: arithmetic in every rounding mode (static rm field and dynamic frm),
 * the exception flags after each operation, conversions with saturation, min/max with NaNs
 * and signed zeros, fclass, compares, sign injection, moves, fused multiply-add, square
 * root, NaN boxing of single-precision values, fcsr/frm/fflags and mstatus.FS.
 *
 * All operands go into the f registers as raw 64-bit patterns (fmv.d.x), so singles can
 * be given properly or improperly NaN-boxed; all results come back as raw 64-bit patterns
 * (fmv.x.d), so the boxing of single results is visible too.
 *
 * Sweep lines print the result/fflags for rne, rtz, rdn, rup, rmm and check that the
 * dynamic rounding mode (frm) gives the same as the static one ("dyn=ok"). Self-check
 * lines compare against values fixed by the specification.
 */
#include "nucleo.h"

/* fflags bits */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

#define BOX(x) (0xffffffff00000000ULL | (uint32_t)(x))

/* doubles */
#define D_P0      0x0000000000000000ULL
#define D_N0      0x8000000000000000ULL
#define D_ONE     0x3ff0000000000000ULL
#define D_NONE    0xbff0000000000000ULL
#define D_TWO     0x4000000000000000ULL
#define D_THREE   0x4008000000000000ULL
#define D_FOUR    0x4010000000000000ULL
#define D_HALF    0x3fe0000000000000ULL
#define D_NHALF   0xbfe0000000000000ULL
#define D_1P5     0x3ff8000000000000ULL
#define D_N1P5    0xbff8000000000000ULL
#define D_2P5     0x4004000000000000ULL
#define D_N2P5    0xc004000000000000ULL
#define D_THIRD   0x3fd5555555555555ULL
#define D_TENTH   0x3fb999999999999aULL
#define D_EPS53   0x3ca0000000000000ULL   /* 2^-53: 1 + this is a tie */
#define D_EPS60   0x3c30000000000000ULL   /* 2^-60 */
#define D_NEPS60  0xbc30000000000000ULL
#define D_1P30    0x3ff0000000400000ULL   /* 1 + 2^-30 */
#define D_1M30    0x3fefffffff800000ULL   /* 1 - 2^-30 */
#define D_MAX     0x7fefffffffffffffULL
#define D_NMAX    0xffefffffffffffffULL
#define D_MINN    0x0010000000000000ULL   /* smallest normal */
#define D_MINS    0x0000000000000001ULL   /* smallest subnormal */
#define D_NMINS   0x8000000000000001ULL
#define D_SUB     0x000fffffffffffffULL   /* largest subnormal */
#define D_INF     0x7ff0000000000000ULL
#define D_NINF    0xfff0000000000000ULL
#define D_QNAN    0x7ff8000000000000ULL   /* canonical NaN */
#define D_NQNAN   0xfff8000000000000ULL
#define D_QNANP   0x7ff800000000beefULL   /* quiet NaN with payload */
#define D_SNAN    0x7ff0000000000001ULL
#define D_2P31    0x41e0000000000000ULL
#define D_2P31M   0x41dfffffffc00000ULL   /* 2^31 - 1 */
#define D_2P31MH  0x41dfffffffe00000ULL   /* 2^31 - 0.5 */
#define D_N2P31   0xc1e0000000000000ULL
#define D_N2P31M1 0xc1e0000000200000ULL   /* -2^31 - 1 */
#define D_2P32    0x41f0000000000000ULL
#define D_2P32MH  0x41effffffff00000ULL   /* 2^32 - 0.5 */
#define D_2P63    0x43e0000000000000ULL
#define D_N2P63   0xc3e0000000000000ULL
#define D_2P64    0x43f0000000000000ULL
#define D_1E20    0x4415af1d78b58c40ULL
#define D_1TIE24  0x3ff0000010000000ULL   /* 1 + 2^-24: a tie when rounded to single */
#define D_1EM50   0x358dee7a4ad4b81fULL   /* 1e-50 */

/* singles */
#define F_P0      0x00000000U
#define F_N0      0x80000000U
#define F_ONE     0x3f800000U
#define F_NONE    0xbf800000U
#define F_TWO     0x40000000U
#define F_THREE   0x40400000U
#define F_FOUR    0x40800000U
#define F_HALF    0x3f000000U
#define F_NHALF   0xbf000000U
#define F_1P5     0x3fc00000U
#define F_N1P5    0xbfc00000U
#define F_2P5     0x40200000U
#define F_N2P5    0xc0200000U
#define F_THIRD   0x3eaaaaabU
#define F_TENTH   0x3dcccccdU
#define F_EPS24   0x33800000U   /* 2^-24: 1 + this is a tie */
#define F_EPS30   0x30800000U
#define F_1P12    0x3f800800U   /* 1 + 2^-12 */
#define F_1M12    0x3f7ff000U   /* 1 - 2^-12 */
#define F_MAX     0x7f7fffffU
#define F_NMAX    0xff7fffffU
#define F_MINN    0x00800000U
#define F_MINS    0x00000001U
#define F_NMINS   0x80000001U
#define F_SUB     0x007fffffU
#define F_INF     0x7f800000U
#define F_NINF    0xff800000U
#define F_QNAN    0x7fc00000U
#define F_NQNAN   0xffc00000U
#define F_QNANP   0x7fc0beefU
#define F_SNAN    0x7f800001U
#define F_2P31    0x4f000000U
#define F_N2P31   0xcf000000U
#define F_N2P31X  0xcf000001U
#define F_2P32    0x4f800000U
#define F_2P63    0x5f000000U
#define F_N2P63   0xdf000000U
#define F_2P64    0x5f800000U

typedef struct {
    uint64_t r, fl;
} res_t;

static const char *const rm_names[5] = {"rne", "rtz", "rdn", "rup", "rmm"};

/* ---------------------------------------------------------------- instruction shapes */

#define ASM_FFF(insn, rm) __asm__ volatile( \
    "fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfsflags x0\n\t" insn " ft2, ft0, ft1" rm "\n\t" \
    "frflags %1\n\tfmv.x.d %0, ft2" \
    : "=r"(o.r), "=&r"(o.fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define ASM_FFFF(insn, rm) __asm__ volatile( \
    "fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft3, %4\n\tfsflags x0\n\t" \
    insn " ft2, ft0, ft1, ft3" rm "\n\tfrflags %1\n\tfmv.x.d %0, ft2" \
    : "=r"(o.r), "=&r"(o.fl) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3")
#define ASM_FF(insn, rm) __asm__ volatile( \
    "fmv.d.x ft0, %2\n\tfsflags x0\n\t" insn " ft2, ft0" rm "\n\t" \
    "frflags %1\n\tfmv.x.d %0, ft2" \
    : "=r"(o.r), "=&r"(o.fl) : "r"(a) : "ft0", "ft2")
#define ASM_FX(insn, rm) __asm__ volatile( \
    "fmv.d.x ft0, %2\n\tfsflags x0\n\t" insn " %0, ft0" rm "\n\tfrflags %1" \
    : "=&r"(o.r), "=&r"(o.fl) : "r"(a) : "ft0")
#define ASM_XF(insn, rm) __asm__ volatile( \
    "fsflags x0\n\t" insn " ft2, %2" rm "\n\tfrflags %1\n\tfmv.x.d %0, ft2" \
    : "=r"(o.r), "=&r"(o.fl) : "r"(a) : "ft2")
#define ASM_FFX(insn) __asm__ volatile( \
    "fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfsflags x0\n\t" insn " %0, ft0, ft1\n\tfrflags %1" \
    : "=&r"(o.r), "=&r"(o.fl) : "r"(a), "r"(b) : "ft0", "ft1")

#define RM_SWITCH(M, insn) switch (rm) { \
    case 0: M(insn, ", rne"); break; \
    case 1: M(insn, ", rtz"); break; \
    case 2: M(insn, ", rdn"); break; \
    case 3: M(insn, ", rup"); break; \
    case 4: M(insn, ", rmm"); break; \
    default: M(insn, ", dyn"); break; }

#define DEF_FFF(fn, insn) static res_t fn(int rm, uint64_t a, uint64_t b) \
    { res_t o; RM_SWITCH(ASM_FFF, insn) return o; }
#define DEF_FFFF(fn, insn) static res_t fn(int rm, uint64_t a, uint64_t b, uint64_t c) \
    { res_t o; RM_SWITCH(ASM_FFFF, insn) return o; }
#define DEF_FF(fn, insn) static res_t fn(int rm, uint64_t a) \
    { res_t o; RM_SWITCH(ASM_FF, insn) return o; }
#define DEF_FX(fn, insn) static res_t fn(int rm, uint64_t a) \
    { res_t o; RM_SWITCH(ASM_FX, insn) return o; }
#define DEF_XF(fn, insn) static res_t fn(int rm, uint64_t a) \
    { res_t o; RM_SWITCH(ASM_XF, insn) return o; }
/* Exact conversions: the assembler takes no rounding mode for them (rm field is 000). */
#define DEF_FF_EXACT(fn, insn) static res_t fn(int rm, uint64_t a) \
    { (void)rm; res_t o; ASM_FF(insn, ""); return o; }
#define DEF_XF_EXACT(fn, insn) static res_t fn(int rm, uint64_t a) \
    { (void)rm; res_t o; ASM_XF(insn, ""); return o; }
/* Instructions without a rounding mode. */
#define DEF_FFF_N(fn, insn) static res_t fn(uint64_t a, uint64_t b) \
    { res_t o; ASM_FFF(insn, ""); return o; }
#define DEF_FFX_N(fn, insn) static res_t fn(uint64_t a, uint64_t b) \
    { res_t o; ASM_FFX(insn); return o; }
#define DEF_FX_N(fn, insn) static res_t fn(uint64_t a) \
    { res_t o; ASM_FX(insn, ""); return o; }

DEF_FFF(fadd_s, "fadd.s") DEF_FFF(fsub_s, "fsub.s") DEF_FFF(fmul_s, "fmul.s") DEF_FFF(fdiv_s, "fdiv.s")
DEF_FFF(fadd_d, "fadd.d") DEF_FFF(fsub_d, "fsub.d") DEF_FFF(fmul_d, "fmul.d") DEF_FFF(fdiv_d, "fdiv.d")
DEF_FFFF(fmadd_s, "fmadd.s") DEF_FFFF(fmsub_s, "fmsub.s") DEF_FFFF(fnmsub_s, "fnmsub.s") DEF_FFFF(fnmadd_s, "fnmadd.s")
DEF_FFFF(fmadd_d, "fmadd.d") DEF_FFFF(fmsub_d, "fmsub.d") DEF_FFFF(fnmsub_d, "fnmsub.d") DEF_FFFF(fnmadd_d, "fnmadd.d")
DEF_FF(fsqrt_s, "fsqrt.s") DEF_FF(fsqrt_d, "fsqrt.d")
DEF_FF(fcvt_s_d, "fcvt.s.d") DEF_FF_EXACT(fcvt_d_s, "fcvt.d.s")
DEF_FX(fcvt_w_s, "fcvt.w.s") DEF_FX(fcvt_wu_s, "fcvt.wu.s") DEF_FX(fcvt_l_s, "fcvt.l.s") DEF_FX(fcvt_lu_s, "fcvt.lu.s")
DEF_FX(fcvt_w_d, "fcvt.w.d") DEF_FX(fcvt_wu_d, "fcvt.wu.d") DEF_FX(fcvt_l_d, "fcvt.l.d") DEF_FX(fcvt_lu_d, "fcvt.lu.d")
DEF_XF(fcvt_s_w, "fcvt.s.w") DEF_XF(fcvt_s_wu, "fcvt.s.wu") DEF_XF(fcvt_s_l, "fcvt.s.l") DEF_XF(fcvt_s_lu, "fcvt.s.lu")
DEF_XF_EXACT(fcvt_d_w, "fcvt.d.w") DEF_XF_EXACT(fcvt_d_wu, "fcvt.d.wu") DEF_XF(fcvt_d_l, "fcvt.d.l") DEF_XF(fcvt_d_lu, "fcvt.d.lu")
DEF_FFF_N(fmin_s, "fmin.s") DEF_FFF_N(fmax_s, "fmax.s") DEF_FFF_N(fmin_d, "fmin.d") DEF_FFF_N(fmax_d, "fmax.d")
DEF_FFF_N(fsgnj_s, "fsgnj.s") DEF_FFF_N(fsgnjn_s, "fsgnjn.s") DEF_FFF_N(fsgnjx_s, "fsgnjx.s")
DEF_FFF_N(fsgnj_d, "fsgnj.d") DEF_FFF_N(fsgnjn_d, "fsgnjn.d") DEF_FFF_N(fsgnjx_d, "fsgnjx.d")
DEF_FFX_N(feq_s, "feq.s") DEF_FFX_N(flt_s, "flt.s") DEF_FFX_N(fle_s, "fle.s")
DEF_FFX_N(feq_d, "feq.d") DEF_FFX_N(flt_d, "flt.d") DEF_FFX_N(fle_d, "fle.d")
DEF_FX_N(fclass_s, "fclass.s") DEF_FX_N(fclass_d, "fclass.d")
DEF_FX_N(fmv_x_w, "fmv.x.w") DEF_FX_N(fmv_x_d, "fmv.x.d")

static void set_frm(uint64_t rm) { __asm__ volatile("fsrm %0" :: "r"(rm)); }

/* ---------------------------------------------------------------- sweeps (differential) */

static int dyn_failures;

static void sweep_end(int dyn_ok)
{
    set_frm(0);
    if (dyn_ok) {
        pr(" dyn=ok\n");
    } else {
        pr(" dyn=FAIL\n");
        dyn_failures++;
    }
}

static void sweep2(const char *name, res_t (*f)(int, uint64_t, uint64_t), uint64_t a, uint64_t b)
{
    pr("%s %016lx %016lx:", name, a, b);
    int ok = 1;
    for (int rm = 0; rm < 5; rm++) {
        res_t s = f(rm, a, b);
        set_frm(rm);
        res_t d = f(7, a, b);
        set_frm(0);
        ok &= d.r == s.r && d.fl == s.fl;
        pr(" %s=%016lx/%02lx", rm_names[rm], s.r, s.fl);
    }
    sweep_end(ok);
}

static void sweep3(const char *name, res_t (*f)(int, uint64_t, uint64_t, uint64_t),
                   uint64_t a, uint64_t b, uint64_t c)
{
    pr("%s %016lx %016lx %016lx:", name, a, b, c);
    int ok = 1;
    for (int rm = 0; rm < 5; rm++) {
        res_t s = f(rm, a, b, c);
        set_frm(rm);
        res_t d = f(7, a, b, c);
        set_frm(0);
        ok &= d.r == s.r && d.fl == s.fl;
        pr(" %s=%016lx/%02lx", rm_names[rm], s.r, s.fl);
    }
    sweep_end(ok);
}

static void sweep1(const char *name, res_t (*f)(int, uint64_t), uint64_t a)
{
    pr("%s %016lx:", name, a);
    int ok = 1;
    for (int rm = 0; rm < 5; rm++) {
        res_t s = f(rm, a);
        set_frm(rm);
        res_t d = f(7, a);
        set_frm(0);
        ok &= d.r == s.r && d.fl == s.fl;
        pr(" %s=%016lx/%02lx", rm_names[rm], s.r, s.fl);
    }
    sweep_end(ok);
}

static const uint64_t d_pairs[][2] = {
    {D_ONE, D_EPS53}, {D_ONE, D_EPS60}, {D_NONE, D_NEPS60}, {D_ONE, D_THREE}, {D_NONE, D_THREE},
    {D_TWO, D_THREE}, {D_TENTH, D_THIRD}, {D_MAX, D_MAX}, {D_NMAX, D_MAX}, {D_MINN, D_THIRD},
    {D_MINS, D_HALF}, {D_NMINS, D_HALF}, {D_SUB, D_MINS}, {D_ONE, D_P0}, {D_P0, D_P0},
    {D_INF, D_INF}, {D_INF, D_P0}, {D_QNAN, D_ONE}, {D_SNAN, D_ONE}, {D_QNANP, D_ONE},
    {D_N0, D_P0}, {D_ONE, D_NONE}, {D_N0, D_N0}, {D_NINF, D_THREE},
};

static const uint64_t s_pairs[][2] = {
    {F_ONE, F_EPS24}, {F_ONE, F_EPS30}, {F_NONE, F_EPS30}, {F_ONE, F_THREE}, {F_NONE, F_THREE},
    {F_TWO, F_THREE}, {F_TENTH, F_THIRD}, {F_MAX, F_MAX}, {F_NMAX, F_MAX}, {F_MINN, F_THIRD},
    {F_MINS, F_HALF}, {F_NMINS, F_HALF}, {F_SUB, F_MINS}, {F_ONE, F_P0}, {F_P0, F_P0},
    {F_INF, F_INF}, {F_INF, F_P0}, {F_QNAN, F_ONE}, {F_SNAN, F_ONE}, {F_QNANP, F_ONE},
    {F_N0, F_P0}, {F_ONE, F_NONE}, {F_N0, F_N0}, {F_NINF, F_THREE},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void arith_sweeps(void)
{
    pr("-- arithmetic, all rounding modes (result/fflags)\n");
    for (unsigned i = 0; i < N(d_pairs); i++) {
        uint64_t a = d_pairs[i][0], b = d_pairs[i][1];
        sweep2("fadd.d", fadd_d, a, b);
        sweep2("fsub.d", fsub_d, a, b);
        sweep2("fmul.d", fmul_d, a, b);
        sweep2("fdiv.d", fdiv_d, a, b);
    }
    for (unsigned i = 0; i < N(s_pairs); i++) {
        uint64_t a = BOX(s_pairs[i][0]), b = BOX(s_pairs[i][1]);
        sweep2("fadd.s", fadd_s, a, b);
        sweep2("fsub.s", fsub_s, a, b);
        sweep2("fmul.s", fmul_s, a, b);
        sweep2("fdiv.s", fdiv_s, a, b);
    }
    /* fdiv by a tiny number overflows; a few extra divide cases. */
    sweep2("fdiv.d", fdiv_d, D_MAX, D_HALF);
    sweep2("fdiv.d", fdiv_d, D_MINS, D_TWO);
    sweep2("fdiv.d", fdiv_d, D_NONE, D_N0);
    sweep2("fdiv.s", fdiv_s, BOX(F_MAX), BOX(F_HALF));
    sweep2("fdiv.s", fdiv_s, BOX(F_NONE), BOX(F_N0));

    pr("-- square root\n");
    static const uint64_t d_sqrt[] = {D_TWO, D_FOUR, D_THREE, D_NONE, D_N0, D_INF, D_MINS, D_QNAN,
                                      D_SNAN, D_NINF, D_TENTH, D_MAX};
    static const uint32_t s_sqrt[] = {F_TWO, F_FOUR, F_THREE, F_NONE, F_N0, F_INF, F_MINS, F_QNAN,
                                      F_SNAN, F_NINF, F_TENTH, F_MAX};
    for (unsigned i = 0; i < N(d_sqrt); i++) {
        sweep1("fsqrt.d", fsqrt_d, d_sqrt[i]);
    }
    for (unsigned i = 0; i < N(s_sqrt); i++) {
        sweep1("fsqrt.s", fsqrt_s, BOX(s_sqrt[i]));
    }

    pr("-- fused multiply-add\n");
    static const uint64_t d_fma[][3] = {
        {D_1P30, D_1M30, D_NONE}, {D_INF, D_P0, D_QNAN}, {D_ONE, D_ONE, D_SNAN},
        {D_MAX, D_TWO, D_NMAX}, {D_ONE, D_N0, D_P0}, {D_ONE, D_ONE, D_NONE},
        {D_THIRD, D_THREE, D_NONE}, {D_MINN, D_HALF, D_MINS}, {D_TWO, D_THREE, D_TENTH},
        {D_INF, D_ONE, D_NINF}, {D_MAX, D_MAX, D_NINF},
    };
    static const uint32_t s_fma[][3] = {
        {F_1P12, F_1M12, F_NONE}, {F_INF, F_P0, F_QNAN}, {F_ONE, F_ONE, F_SNAN},
        {F_MAX, F_TWO, F_NMAX}, {F_ONE, F_N0, F_P0}, {F_ONE, F_ONE, F_NONE},
        {F_THIRD, F_THREE, F_NONE}, {F_MINN, F_HALF, F_MINS}, {F_TWO, F_THREE, F_TENTH},
        {F_INF, F_ONE, F_NINF}, {F_MAX, F_MAX, F_NINF},
    };
    for (unsigned i = 0; i < N(d_fma); i++) {
        uint64_t a = d_fma[i][0], b = d_fma[i][1], c = d_fma[i][2];
        sweep3("fmadd.d", fmadd_d, a, b, c);
        sweep3("fmsub.d", fmsub_d, a, b, c);
        sweep3("fnmsub.d", fnmsub_d, a, b, c);
        sweep3("fnmadd.d", fnmadd_d, a, b, c);
    }
    for (unsigned i = 0; i < N(s_fma); i++) {
        uint64_t a = BOX(s_fma[i][0]), b = BOX(s_fma[i][1]), c = BOX(s_fma[i][2]);
        sweep3("fmadd.s", fmadd_s, a, b, c);
        sweep3("fmsub.s", fmsub_s, a, b, c);
        sweep3("fnmsub.s", fnmsub_s, a, b, c);
        sweep3("fnmadd.s", fnmadd_s, a, b, c);
    }
}

static void convert_sweeps(void)
{
    pr("-- float to integer\n");
    static const uint64_t d_vals[] = {
        D_1P5, D_2P5, D_N1P5, D_N2P5, D_NHALF, D_HALF, D_P0, D_N0, D_2P31, D_2P31M, D_2P31MH, D_N2P31,
        D_N2P31M1, D_2P32, D_2P32MH, D_2P63, D_N2P63, D_2P64, D_1E20, D_INF, D_NINF, D_QNAN,
        D_NQNAN, D_SNAN, D_MINS, D_NONE,
    };
    static const uint32_t s_vals[] = {
        F_1P5, F_2P5, F_N1P5, F_N2P5, F_NHALF, F_HALF, F_P0, F_N0, F_2P31, F_N2P31, F_N2P31X,
        F_2P32, F_2P63, F_N2P63, F_2P64, F_INF, F_NINF, F_QNAN, F_NQNAN, F_SNAN, F_MINS, F_NONE,
    };
    for (unsigned i = 0; i < N(d_vals); i++) {
        sweep1("fcvt.w.d", fcvt_w_d, d_vals[i]);
        sweep1("fcvt.wu.d", fcvt_wu_d, d_vals[i]);
        sweep1("fcvt.l.d", fcvt_l_d, d_vals[i]);
        sweep1("fcvt.lu.d", fcvt_lu_d, d_vals[i]);
    }
    for (unsigned i = 0; i < N(s_vals); i++) {
        uint64_t a = BOX(s_vals[i]);
        sweep1("fcvt.w.s", fcvt_w_s, a);
        sweep1("fcvt.wu.s", fcvt_wu_s, a);
        sweep1("fcvt.l.s", fcvt_l_s, a);
        sweep1("fcvt.lu.s", fcvt_lu_s, a);
    }

    pr("-- integer to float\n");
    static const uint64_t ints[] = {
        0, 1, 0xffffffffffffffffULL, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL,
        0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x12345678ffffffffULL, 0x1000001ULL,
        0x1000003ULL, 0x20000000000001ULL, 0x20000000000003ULL, 0xfedcba9876543210ULL,
        0xffffffff80000001ULL,
    };
    for (unsigned i = 0; i < N(ints); i++) {
        sweep1("fcvt.s.w", fcvt_s_w, ints[i]);
        sweep1("fcvt.s.wu", fcvt_s_wu, ints[i]);
        sweep1("fcvt.s.l", fcvt_s_l, ints[i]);
        sweep1("fcvt.s.lu", fcvt_s_lu, ints[i]);
        sweep1("fcvt.d.w", fcvt_d_w, ints[i]);
        sweep1("fcvt.d.wu", fcvt_d_wu, ints[i]);
        sweep1("fcvt.d.l", fcvt_d_l, ints[i]);
        sweep1("fcvt.d.lu", fcvt_d_lu, ints[i]);
    }

    pr("-- double <-> single\n");
    static const uint64_t d2s[] = {
        D_THIRD, D_MAX, D_NMAX, D_1EM50, D_QNANP, D_SNAN, D_N0, D_INF, D_1TIE24, D_TENTH,
        0x36a0000000000000ULL /* 2^-149, smallest single subnormal */,
        0x3690000000000000ULL /* 2^-150: a tie between 0 and it */,
        0x47efffffe0000000ULL /* just above FLT_MAX: rounds to max or inf */,
    };
    for (unsigned i = 0; i < N(d2s); i++) {
        sweep1("fcvt.s.d", fcvt_s_d, d2s[i]);
    }
    static const uint32_t s2d[] = {F_MINS, F_SNAN, F_QNANP, F_INF, F_N0, F_THIRD, F_MAX};
    for (unsigned i = 0; i < N(s2d); i++) {
        sweep1("fcvt.d.s", fcvt_d_s, BOX(s2d[i]));
    }
}

static void no_rm_tables(void)
{
    pr("-- min/max, compare, sign injection\n");
    static const uint64_t d_cmp[][2] = {
        {D_ONE, D_TWO}, {D_TWO, D_ONE}, {D_N0, D_P0}, {D_P0, D_N0}, {D_QNAN, D_ONE},
        {D_ONE, D_QNAN}, {D_SNAN, D_ONE}, {D_ONE, D_SNAN}, {D_QNAN, D_QNAN}, {D_SNAN, D_SNAN},
        {D_NINF, D_QNANP}, {D_QNANP, D_THREE}, {D_ONE, D_ONE}, {D_NINF, D_INF}, {D_NQNAN, D_NONE},
    };
    static const uint32_t s_cmp[][2] = {
        {F_ONE, F_TWO}, {F_TWO, F_ONE}, {F_N0, F_P0}, {F_P0, F_N0}, {F_QNAN, F_ONE},
        {F_ONE, F_QNAN}, {F_SNAN, F_ONE}, {F_ONE, F_SNAN}, {F_QNAN, F_QNAN}, {F_SNAN, F_SNAN},
        {F_NINF, F_QNANP}, {F_QNANP, F_THREE}, {F_ONE, F_ONE}, {F_NINF, F_INF}, {F_NQNAN, F_NONE},
    };
    for (unsigned i = 0; i < N(d_cmp); i++) {
        uint64_t a = d_cmp[i][0], b = d_cmp[i][1];
        res_t mn = fmin_d(a, b), mx = fmax_d(a, b), eq = feq_d(a, b), lt = flt_d(a, b), le = fle_d(a, b);
        res_t sj = fsgnj_d(a, b), sn = fsgnjn_d(a, b), sx = fsgnjx_d(a, b);
        pr("d %016lx %016lx: min=%016lx/%02lx max=%016lx/%02lx eq=%lu/%02lx lt=%lu/%02lx le=%lu/%02lx\n",
           a, b, mn.r, mn.fl, mx.r, mx.fl, eq.r, eq.fl, lt.r, lt.fl, le.r, le.fl);
        pr("  sgnj=%016lx/%02lx sgnjn=%016lx/%02lx sgnjx=%016lx/%02lx\n", sj.r, sj.fl, sn.r, sn.fl, sx.r, sx.fl);
    }
    for (unsigned i = 0; i < N(s_cmp); i++) {
        uint64_t a = BOX(s_cmp[i][0]), b = BOX(s_cmp[i][1]);
        res_t mn = fmin_s(a, b), mx = fmax_s(a, b), eq = feq_s(a, b), lt = flt_s(a, b), le = fle_s(a, b);
        res_t sj = fsgnj_s(a, b), sn = fsgnjn_s(a, b), sx = fsgnjx_s(a, b);
        pr("s %016lx %016lx: min=%016lx/%02lx max=%016lx/%02lx eq=%lu/%02lx lt=%lu/%02lx le=%lu/%02lx\n",
           a, b, mn.r, mn.fl, mx.r, mx.fl, eq.r, eq.fl, lt.r, lt.fl, le.r, le.fl);
        pr("  sgnj=%016lx/%02lx sgnjn=%016lx/%02lx sgnjx=%016lx/%02lx\n", sj.r, sj.fl, sn.r, sn.fl, sx.r, sx.fl);
    }
}

/* ---------------------------------------------------------------- self checks */

static void expect(const char *what, res_t got, uint64_t r, uint64_t fl)
{
    pr("%s = %016lx/%02lx", what, got.r, got.fl);
    if (got.r == r && got.fl == fl) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected %016lx/%02lx\n", r, fl);
        check_failures++;
    }
}

static void spec_checks(void)
{
    pr("-- rounding and flags (spec values)\n");
    expect("fadd.s 1+2^-24 rne", fadd_s(0, BOX(F_ONE), BOX(F_EPS24)), BOX(0x3f800000), NX);
    expect("fadd.s 1+2^-24 rtz", fadd_s(1, BOX(F_ONE), BOX(F_EPS24)), BOX(0x3f800000), NX);
    expect("fadd.s 1+2^-24 rdn", fadd_s(2, BOX(F_ONE), BOX(F_EPS24)), BOX(0x3f800000), NX);
    expect("fadd.s 1+2^-24 rup", fadd_s(3, BOX(F_ONE), BOX(F_EPS24)), BOX(0x3f800001), NX);
    expect("fadd.s 1+2^-24 rmm", fadd_s(4, BOX(F_ONE), BOX(F_EPS24)), BOX(0x3f800001), NX);
    expect("fadd.d 1+2^-53 rne", fadd_d(0, D_ONE, D_EPS53), D_ONE, NX);
    expect("fadd.d 1+2^-53 rmm", fadd_d(4, D_ONE, D_EPS53), D_ONE + 1, NX);
    expect("fadd.d -1-2^-60 rdn", fadd_d(2, D_NONE, D_NEPS60), D_NONE + 1, NX);
    expect("fadd.d -1-2^-60 rup", fadd_d(3, D_NONE, D_NEPS60), D_NONE, NX);
    expect("fadd.d 1+(-1) rne = +0", fadd_d(0, D_ONE, D_NONE), D_P0, 0);
    expect("fadd.d 1+(-1) rdn = -0", fadd_d(2, D_ONE, D_NONE), D_N0, 0);
    expect("fadd.d -0+(-0) = -0", fadd_d(0, D_N0, D_N0), D_N0, 0);
    expect("fdiv.d 1/0 = inf, DZ", fdiv_d(0, D_ONE, D_P0), D_INF, DZ);
    expect("fdiv.d -1/+0 = -inf, DZ", fdiv_d(0, D_NONE, D_P0), D_NINF, DZ);
    expect("fdiv.d 0/0 = NaN, NV", fdiv_d(0, D_P0, D_P0), D_QNAN, NV);
    expect("fsub.d inf-inf = NaN, NV", fsub_d(0, D_INF, D_INF), D_QNAN, NV);
    expect("fmul.d inf*0 = NaN, NV", fmul_d(0, D_INF, D_P0), D_QNAN, NV);
    expect("fmul.d max*2 rne = inf", fmul_d(0, D_MAX, D_TWO), D_INF, OF | NX);
    expect("fmul.d max*2 rtz = max", fmul_d(1, D_MAX, D_TWO), D_MAX, OF | NX);
    expect("fmul.d -max*2 rup = -max", fmul_d(3, D_NMAX, D_TWO), D_NMAX, OF | NX);
    expect("fmul.d minsub*0.5 rne = 0", fmul_d(0, D_MINS, D_HALF), D_P0, UF | NX);
    expect("fmul.d minsub*0.5 rup = minsub", fmul_d(3, D_MINS, D_HALF), D_MINS, UF | NX);
    expect("fmul.d minsub*0.5 rmm = minsub", fmul_d(4, D_MINS, D_HALF), D_MINS, UF | NX);
    expect("fmul.d minnorm*0.5 exact: no UF", fmul_d(0, D_MINN, D_HALF), 0x0008000000000000ULL, 0);
    expect("fadd.d qNaN+1 = canonical, no flag", fadd_d(0, D_QNANP, D_ONE), D_QNAN, 0);
    expect("fadd.d sNaN+1 = canonical, NV", fadd_d(0, D_SNAN, D_ONE), D_QNAN, NV);
    expect("fadd.s sNaN+1 = canonical, NV", fadd_s(0, BOX(F_SNAN), BOX(F_ONE)), BOX(F_QNAN), NV);
    expect("fsqrt.d -1 = NaN, NV", fsqrt_d(0, D_NONE), D_QNAN, NV);
    expect("fsqrt.d -0 = -0", fsqrt_d(0, D_N0), D_N0, 0);
    expect("fsqrt.d 4 = 2", fsqrt_d(0, D_FOUR), D_TWO, 0);
    expect("fsqrt.s 2 rne", fsqrt_s(0, BOX(F_TWO)), BOX(0x3fb504f3), NX);
    expect("fsqrt.s 2 rup", fsqrt_s(3, BOX(F_TWO)), BOX(0x3fb504f4), NX);
    expect("fmadd.d (1+e)(1-e)-1 exact", fmadd_d(0, D_1P30, D_1M30, D_NONE), D_NEPS60, 0);
    expect("fmadd.d inf*0+qNaN = NaN, NV", fmadd_d(0, D_INF, D_P0, D_QNAN), D_QNAN, NV);
    expect("fmadd.d max*2-max = max (no overflow)", fmadd_d(0, D_MAX, D_TWO, D_NMAX), D_MAX, 0);
    expect("fnmadd.d 1*1+1 = -2", fnmadd_d(0, D_ONE, D_ONE, D_ONE), 0xc000000000000000ULL, 0);
    expect("fnmsub.d 1*1-3 = 2", fnmsub_d(0, D_ONE, D_ONE, D_THREE), D_TWO, 0);
    expect("fmsub.s 2*3-1 = 5", fmsub_s(0, BOX(F_TWO), BOX(F_THREE), BOX(F_ONE)), BOX(0x40a00000), 0);

    pr("-- conversions (spec values)\n");
    expect("fcvt.w.d NaN", fcvt_w_d(0, D_QNAN), 0x7fffffff, NV);
    expect("fcvt.w.d -NaN", fcvt_w_d(0, D_NQNAN), 0x7fffffff, NV);
    expect("fcvt.w.d 2^31", fcvt_w_d(0, D_2P31), 0x7fffffff, NV);
    expect("fcvt.w.d 2^31-1", fcvt_w_d(0, D_2P31M), 0x7fffffff, 0);
    expect("fcvt.w.d 2^31-0.5 rtz", fcvt_w_d(1, D_2P31MH), 0x7fffffff, NX);
    expect("fcvt.w.d 2^31-0.5 rne (rounds out of range)", fcvt_w_d(0, D_2P31MH), 0x7fffffff, NV);
    expect("fcvt.w.d -2^31", fcvt_w_d(0, D_N2P31), 0xffffffff80000000ULL, 0);
    expect("fcvt.w.d -2^31-1", fcvt_w_d(0, D_N2P31M1), 0xffffffff80000000ULL, NV);
    expect("fcvt.w.d -inf", fcvt_w_d(0, D_NINF), 0xffffffff80000000ULL, NV);
    expect("fcvt.w.d 2.5 rne", fcvt_w_d(0, D_2P5), 2, NX);
    expect("fcvt.w.d 2.5 rmm", fcvt_w_d(4, D_2P5), 3, NX);
    expect("fcvt.w.d -2.5 rmm", fcvt_w_d(4, D_N2P5), 0xfffffffffffffffdULL, NX);
    expect("fcvt.w.d -1.5 rtz", fcvt_w_d(1, D_N1P5), 0xffffffffffffffffULL, NX);
    expect("fcvt.w.d -1.5 rdn", fcvt_w_d(2, D_N1P5), 0xfffffffffffffffeULL, NX);
    expect("fcvt.w.d 1.5 rup", fcvt_w_d(3, D_1P5), 2, NX);
    expect("fcvt.wu.d NaN (sign-extended)", fcvt_wu_d(0, D_QNAN), 0xffffffffffffffffULL, NV);
    expect("fcvt.wu.d -1", fcvt_wu_d(0, D_NONE), 0, NV);
    expect("fcvt.wu.d -0.5 rtz", fcvt_wu_d(1, D_NHALF), 0, NX);
    expect("fcvt.wu.d -0.5 rdn", fcvt_wu_d(2, D_NHALF), 0, NV);
    expect("fcvt.wu.d 2^32-1 (sign-extended)", fcvt_wu_d(0, 0x41efffffffe00000ULL), 0xffffffffffffffffULL, 0);
    expect("fcvt.wu.d 2^32", fcvt_wu_d(0, D_2P32), 0xffffffffffffffffULL, NV);
    expect("fcvt.l.d 2^63", fcvt_l_d(0, D_2P63), 0x7fffffffffffffffULL, NV);
    expect("fcvt.l.d -2^63", fcvt_l_d(0, D_N2P63), 0x8000000000000000ULL, 0);
    expect("fcvt.l.d NaN", fcvt_l_d(0, D_SNAN), 0x7fffffffffffffffULL, NV);
    expect("fcvt.lu.d 2^64", fcvt_lu_d(0, D_2P64), 0xffffffffffffffffULL, NV);
    expect("fcvt.lu.d -inf", fcvt_lu_d(0, D_NINF), 0, NV);
    expect("fcvt.lu.d 2^63", fcvt_lu_d(0, D_2P63), 0x8000000000000000ULL, 0);
    expect("fcvt.w.s 2^31", fcvt_w_s(0, BOX(F_2P31)), 0x7fffffff, NV);
    expect("fcvt.l.s -2^63", fcvt_l_s(0, BOX(F_N2P63)), 0x8000000000000000ULL, 0);
    expect("fcvt.s.w uses the low word", fcvt_s_w(0, 0x12345678ffffffffULL), BOX(F_NONE), 0);
    expect("fcvt.s.wu 0xffffffff rne", fcvt_s_wu(0, 0xffffffffULL), BOX(0x4f800000), NX);
    expect("fcvt.s.wu 0xffffffff rtz", fcvt_s_wu(1, 0xffffffffULL), BOX(0x4f7fffff), NX);
    expect("fcvt.s.l 2^24+1 rne (tie)", fcvt_s_l(0, 0x1000001ULL), BOX(0x4b800000), NX);
    expect("fcvt.s.l 2^24+1 rmm (tie)", fcvt_s_l(4, 0x1000001ULL), BOX(0x4b800001), NX);
    expect("fcvt.s.l 2^24+3 rne (tie)", fcvt_s_l(0, 0x1000003ULL), BOX(0x4b800002), NX);
    expect("fcvt.d.l 2^53+1 rne", fcvt_d_l(0, 0x20000000000001ULL), 0x4340000000000000ULL, NX);
    expect("fcvt.d.l 2^53+1 rup", fcvt_d_l(3, 0x20000000000001ULL), 0x4340000000000001ULL, NX);
    expect("fcvt.d.lu 2^64-1 rne", fcvt_d_lu(0, 0xffffffffffffffffULL), D_2P64, NX);
    expect("fcvt.d.w -1", fcvt_d_w(0, 0xffffffffULL), D_NONE, 0);
    expect("fcvt.d.wu 0xffffffff", fcvt_d_wu(0, 0xffffffffULL), 0x41efffffffe00000ULL, 0);
    expect("fcvt.s.d max rne = inf", fcvt_s_d(0, D_MAX), BOX(F_INF), OF | NX);
    expect("fcvt.s.d max rtz = FLT_MAX", fcvt_s_d(1, D_MAX), BOX(F_MAX), OF | NX);
    expect("fcvt.s.d 1e-50 rne = 0", fcvt_s_d(0, D_1EM50), BOX(F_P0), UF | NX);
    expect("fcvt.s.d 1e-50 rup = minsub", fcvt_s_d(3, D_1EM50), BOX(F_MINS), UF | NX);
    expect("fcvt.s.d NaN payload -> canonical", fcvt_s_d(0, D_QNANP), BOX(F_QNAN), 0);
    expect("fcvt.s.d sNaN -> canonical, NV", fcvt_s_d(0, D_SNAN), BOX(F_QNAN), NV);
    expect("fcvt.s.d 1+2^-24 rne (tie)", fcvt_s_d(0, D_1TIE24), BOX(F_ONE), NX);
    expect("fcvt.s.d 1+2^-24 rmm (tie)", fcvt_s_d(4, D_1TIE24), BOX(0x3f800001), NX);
    expect("fcvt.d.s minsub", fcvt_d_s(0, BOX(F_MINS)), 0x36a0000000000000ULL, 0);
    expect("fcvt.d.s sNaN -> canonical, NV", fcvt_d_s(0, BOX(F_SNAN)), D_QNAN, NV);
    expect("fcvt.d.s qNaN payload -> canonical", fcvt_d_s(0, BOX(F_QNANP)), D_QNAN, 0);

    pr("-- min/max/compare (spec values)\n");
    expect("fmin.d -0,+0", fmin_d(D_N0, D_P0), D_N0, 0);
    expect("fmin.d +0,-0", fmin_d(D_P0, D_N0), D_N0, 0);
    expect("fmax.d -0,+0", fmax_d(D_N0, D_P0), D_P0, 0);
    expect("fmin.d qNaN,1", fmin_d(D_QNAN, D_ONE), D_ONE, 0);
    expect("fmax.d 1,qNaN", fmax_d(D_ONE, D_QNANP), D_ONE, 0);
    expect("fmin.d sNaN,1", fmin_d(D_SNAN, D_ONE), D_ONE, NV);
    expect("fmin.d qNaN,qNaN = canonical", fmin_d(D_QNANP, D_NQNAN), D_QNAN, 0);
    expect("fmax.d sNaN,sNaN = canonical, NV", fmax_d(D_SNAN, D_SNAN), D_QNAN, NV);
    expect("fmin.s -0,+0", fmin_s(BOX(F_N0), BOX(F_P0)), BOX(F_N0), 0);
    expect("fmax.s qNaN,-1", fmax_s(BOX(F_QNANP), BOX(F_NONE)), BOX(F_NONE), 0);
    expect("feq.d qNaN: no flag", feq_d(D_QNAN, D_ONE), 0, 0);
    expect("feq.d sNaN: NV", feq_d(D_SNAN, D_ONE), 0, NV);
    expect("flt.d qNaN: NV", flt_d(D_QNAN, D_ONE), 0, NV);
    expect("fle.d 1,qNaN: NV", fle_d(D_ONE, D_QNAN), 0, NV);
    expect("feq.d -0,+0", feq_d(D_N0, D_P0), 1, 0);
    expect("flt.d -0,+0", flt_d(D_N0, D_P0), 0, 0);
    expect("fle.d -0,+0", fle_d(D_N0, D_P0), 1, 0);
    expect("flt.s -inf,inf", flt_s(BOX(F_NINF), BOX(F_INF)), 1, 0);
    expect("feq.s sNaN,sNaN: NV", feq_s(BOX(F_SNAN), BOX(F_SNAN)), 0, NV);
    expect("fsgnj.d NaN keeps payload", fsgnj_d(D_SNAN, D_NONE), 0xfff0000000000001ULL, 0);
    expect("fsgnjn.d", fsgnjn_d(D_ONE, D_ONE), D_NONE, 0);
    expect("fsgnjx.d", fsgnjx_d(D_NONE, D_NONE), D_ONE, 0);
    expect("fsgnjx.s", fsgnjx_s(BOX(F_NONE), BOX(F_ONE)), BOX(F_NONE), 0);

    pr("-- fclass\n");
    static const uint64_t d_cls[10] = {D_NINF, D_NONE, D_NMINS, D_N0, D_P0, D_MINS, D_ONE, D_INF, D_SNAN, D_QNAN};
    static const uint32_t s_cls[10] = {F_NINF, F_NONE, F_NMINS, F_N0, F_P0, F_MINS, F_ONE, F_INF, F_SNAN, F_QNAN};
    for (int i = 0; i < 10; i++) {
        pr("class %d: ", i);
        expect("fclass.d", fclass_d(d_cls[i]), 1ULL << i, 0);
        pr("class %d: ", i);
        expect("fclass.s", fclass_s(BOX(s_cls[i])), 1ULL << i, 0);
    }
}

static void nan_boxing(void)
{
    pr("-- NaN boxing\n");
    uint64_t bad = 0x000000003f800000ULL;       /* 1.0f without the upper ones */
    uint64_t almost = 0xfffffffe3f800000ULL;
    expect("fadd.s unboxed+1 = canonical NaN", fadd_s(0, bad, BOX(F_ONE)), BOX(F_QNAN), 0);
    expect("fadd.s almost-boxed+1 = canonical NaN", fadd_s(0, almost, BOX(F_ONE)), BOX(F_QNAN), 0);
    expect("fadd.s boxed 1+1 = 2", fadd_s(0, BOX(F_ONE), BOX(F_ONE)), BOX(F_TWO), 0);
    expect("fmul.s 1*unboxed = canonical NaN", fmul_s(0, BOX(F_ONE), bad), BOX(F_QNAN), 0);
    expect("fsgnj.s unboxed,-1 = -canonical NaN", fsgnj_s(bad, BOX(F_NONE)), BOX(F_NQNAN), 0);
    expect("fsgnj.s 1,unboxed (sign of canonical NaN)", fsgnj_s(BOX(F_ONE), bad), BOX(F_ONE), 0);
    expect("fmin.s unboxed,3 = 3", fmin_s(bad, BOX(F_THREE)), BOX(F_THREE), 0);
    expect("feq.s unboxed,unboxed = 0", feq_s(bad, bad), 0, 0);
    expect("fclass.s unboxed = quiet NaN", fclass_s(bad), 0x200, 0);
    expect("fcvt.d.s unboxed = canonical NaN", fcvt_d_s(0, bad), D_QNAN, 0);
    expect("fcvt.w.s unboxed = NaN -> max, NV", fcvt_w_s(0, bad), 0x7fffffff, NV);
    expect("fsqrt.s unboxed = canonical NaN", fsqrt_s(0, bad), BOX(F_QNAN), 0);
    expect("fmadd.s 1*1+unboxed = canonical NaN", fmadd_s(0, BOX(F_ONE), BOX(F_ONE), bad), BOX(F_QNAN), 0);
    /* Transfers ignore the upper bits. */
    expect("fmv.x.w unboxed = low word", fmv_x_w(bad), 0x3f800000, 0);
    expect("fmv.x.w sign-extends", fmv_x_w(BOX(F_NONE)), 0xffffffffbf800000ULL, 0);
    expect("fmv.x.d raw", fmv_x_d(bad), bad, 0);
    uint64_t r;
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(0xdeadbeef40400000ULL) : "ft0");
    check("fmv.w.x boxes the low word", r, BOX(F_THREE));
    static volatile uint64_t mem[2];
    mem[0] = 0x1122334440490fdbULL;
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(mem) : "ft0", "memory");
    check("flw boxes", r, BOX(0x40490fdb));
    mem[1] = 0x5555555555555555ULL;
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsw ft0, 8(%1)" :: "r"(bad), "r"(mem) : "ft0", "memory");
    check("fsw of unboxed stores the low word", mem[1], 0x555555553f800000ULL);
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsd ft0, 8(%1)\n\tfld ft1, 8(%1)\n\tfmv.x.d %0, ft1"
                     : "+r"(r) : "r"(mem) : "ft0", "ft1", "memory");
    check("fsd/fld round trip", mem[1], BOX(0x40490fdb));
}

static void fcsr_checks(void)
{
    pr("-- fcsr\n");
    uint64_t v, old;
    __asm__ volatile("fscsr %0" :: "r"(0xffULL));
    check("fcsr after writing 0xff", csr_read(fcsr), 0xff);
    check("frm", csr_read(frm), 7);
    check("fflags", csr_read(fflags), 0x1f);
    __asm__ volatile("fscsr %0" :: "r"(0xffffffffULL));
    check("fcsr after writing 0xffffffff (reserved bits read 0)", csr_read(fcsr), 0xff);
    __asm__ volatile("fsrm %0, %1" : "=r"(old) : "r"(2ULL));
    check("fsrm returns the old frm", old, 7);
    __asm__ volatile("fsflags %0, %1" : "=r"(old) : "r"(0x5ULL));
    check("fsflags returns the old flags", old, 0x1f);
    check("fcsr = frm<<5 | fflags", csr_read(fcsr), (2 << 5) | 5);
    __asm__ volatile("fsrmi %0, 1" : "=r"(old));
    check("fsrmi returns old", old, 2);
    __asm__ volatile("fsflagsi %0, 0" : "=r"(old));
    check("fsflagsi returns old", old, 5);
    __asm__ volatile("fscsr x0");
    /* Flags accumulate until cleared. */
    __asm__ volatile(
        "fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfdiv.d ft2, ft0, ft1\n\t"   /* 1/3: NX */
        "fmv.d.x ft1, x0\n\tfdiv.d ft2, ft0, ft1\n\tfrflags %0"            /* 1/0: DZ */
        : "=r"(v) : "r"(D_ONE), "r"(D_THREE) : "ft0", "ft1", "ft2");
    check("flags accumulate NX|DZ", v, NX | DZ);
    /* Integer results into x0 still set flags. */
    __asm__ volatile("fsflags x0\n\tfmv.d.x ft0, %1\n\tfcvt.w.d x0, ft0, rtz\n\tfrflags %0"
                     : "=r"(v) : "r"(D_QNAN) : "ft0");
    check("fcvt.w.d into x0 sets NV", v, NV);
    __asm__ volatile("fscsr x0");

    pr("-- invalid rounding modes\n");
    uint64_t fl;
    trap_arm();
    __asm__ volatile("fmv.d.x ft0, %0\n\t.insn r 0x53, 5, 0x01, ft2, ft0, ft0" :: "r"(D_ONE) : "ft0", "ft2");
    trap_disarm();
    check("fadd.d rm=5 traps", trap_rec.count, 1);
    check("  cause illegal instruction", trap_rec.cause, 2);
    trap_arm();
    __asm__ volatile("fmv.d.x ft0, %0\n\t.insn r 0x53, 6, 0x01, ft2, ft0, ft0" :: "r"(D_ONE) : "ft0", "ft2");
    trap_disarm();
    check("fadd.d rm=6 traps", trap_rec.count, 1);
    for (uint64_t frm = 5; frm <= 7; frm++) {
        set_frm(frm);
        trap_arm();
        __asm__ volatile("fmv.d.x ft0, %0\n\tfadd.d ft2, ft0, ft0, dyn" :: "r"(D_ONE) : "ft0", "ft2");
        trap_disarm();
        set_frm(0);
        pr("frm=%lu: ", frm);
        check("fadd.d dyn traps", trap_rec.count, 1);
    }
    set_frm(7);
    trap_arm();
    res_t m = fmin_d(D_ONE, D_TWO);
    trap_disarm();
    set_frm(0);
    check("fmin.d with frm=7 does not trap", trap_rec.count, 0);
    check("  and gives 1.0", m.r, D_ONE);
    fl = csr_read(fflags);
    check("fflags untouched by the traps", fl, 0);
}

static void fs_checks(void)
{
    pr("-- mstatus.FS\n");
    csr_clear(mstatus, MSTATUS_FS);
    check("FS can be turned off", (csr_read(mstatus) >> 13) & 3, 0);
    trap_arm();
    __asm__ volatile("fadd.d ft0, ft0, ft0");
    trap_disarm();
    check("FS=Off: fadd.d traps", trap_rec.count, 1);
    check("  cause", trap_rec.cause, 2);
    trap_arm();
    __asm__ volatile("csrr t0, fcsr" ::: "t0");
    trap_disarm();
    check("FS=Off: fcsr access traps", trap_rec.count, 1);
    trap_arm();
    __asm__ volatile("fmv.x.d t0, ft0" ::: "t0");
    trap_disarm();
    check("FS=Off: fmv.x.d traps", trap_rec.count, 1);
    trap_arm();
    __asm__ volatile("fld ft0, 0(sp)" ::: "ft0");
    trap_disarm();
    check("FS=Off: fld traps", trap_rec.count, 1);

    csr_set(mstatus, MSTATUS_FS_INITIAL);
    check("FS = Initial", (csr_read(mstatus) >> 13) & 3, 1);
    __asm__ volatile("fmv.d.x ft5, zero" ::: "ft5");
    uint64_t ms = csr_read(mstatus);
    check("after an f-register write FS = Dirty", (ms >> 13) & 3, 3);
    check("and SD = 1", ms >> 63, 1);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 0x4000);      /* Clean */
    check("FS = Clean", (csr_read(mstatus) >> 13) & 3, 2);
    check("SD = 0 when nothing is dirty", csr_read(mstatus) >> 63, 0);
    __asm__ volatile("fsflags x0");
    check("after an fcsr write FS = Dirty", (csr_read(mstatus) >> 13) & 3, 3);
    check("sstatus shows FS too", (csr_read(sstatus) >> 13) & 3, 3);
}

/* A little ordinary C floating point, as a compiler emits it. */
static double poly(double x) { return ((0.5 * x - 1.25) * x + 3.0) * x - 0.75; }

static void compiled_code(void)
{
    pr("-- compiled C\n");
    volatile double x = 1.0;
    double acc = 0.0;
    for (int i = 0; i < 100; i++) {
        acc += poly(x) / (1.0 + x * x);
        x = x * 1.0625 - 0.01;
    }
    union { double d; uint64_t u; } u = {.d = acc};
    pr("poly sum bits %016lx\n", u.u);
    volatile float f = 0.1f;
    float s = 0;
    for (int i = 0; i < 1000; i++) {
        s += f;
    }
    union { float f; uint32_t u; } v = {.f = s};
    pr("float sum of 1000 x 0.1f bits %08x\n", v.u);
    check32("  (expected sum)", v.u, 0x42c7ff83);
}

int main(void)
{
    pr("fpu: F and D extensions\n");
    spec_checks();
    nan_boxing();
    fcsr_checks();
    fs_checks();
    arith_sweeps();
    convert_sweeps();
    no_rm_tables();
    compiled_code();
    check("dynamic rounding mode mismatches", dyn_failures, 0);
    return finish("fpu");
}
