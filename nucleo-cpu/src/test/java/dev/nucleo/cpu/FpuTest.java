package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link Fpu}: hand-picked IEEE-754/RISC-V corner cases, plus randomized comparison of
 * every operation in every rounding mode against an independent BigDecimal reference.
 */
class FpuTest {
    private static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
    private static final int NV = Fpu.NV, DZ = Fpu.DZ, OF = Fpu.OF, UF = Fpu.UF, NX = Fpu.NX;

    private static final int QNAN_S = 0x7fc0_0000, SNAN_S = 0x7f80_0001, NEG_QNAN_S = 0xffc0_1234;
    private static final long QNAN_D = 0x7ff8_0000_0000_0000L, SNAN_D = 0x7ff0_0000_0000_0001L;
    private static final int PINF_S = 0x7f80_0000, NINF_S = 0xff80_0000;
    private static final long PINF_D = 0x7ff0_0000_0000_0000L, NINF_D = 0xfff0_0000_0000_0000L;

    /** An operation result and the flags it raised. */
    record R(long bits, int flags) {
        @Override
        public String toString() {
            return "0x%x %s".formatted(bits, flagNames(flags));
        }
    }

    interface Op {
        long run(Fpu fpu);
    }

    private static R run(Op op) {
        Fpu fpu = new Fpu();
        long v = op.run(fpu);
        return new R(v, fpu.flags);
    }

    /** Runs an op with a binary32 result, keeping only its 32 bits. */
    private static R runS(Op op) {
        R r = run(op);
        return new R(r.bits & 0xffff_ffffL, r.flags);
    }

    private static R s(float v, int flags) {
        return new R(Float.floatToRawIntBits(v) & 0xffff_ffffL, flags);
    }

    private static R sBits(int v, int flags) {
        return new R(v & 0xffff_ffffL, flags);
    }

    private static R d(double v, int flags) {
        return new R(Double.doubleToRawLongBits(v), flags);
    }

    private static int fb(float v) {
        return Float.floatToRawIntBits(v);
    }

    private static long db(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static String flagNames(int f) {
        StringBuilder sb = new StringBuilder("[");
        String[] names = {"NX", "UF", "OF", "DZ", "NV"};
        for (int i = 4; i >= 0; i--) {
            if ((f & (1 << i)) != 0) {
                sb.append(sb.length() > 1 ? " " : "").append(names[i]);
            }
        }
        return sb.append(']').toString();
    }

    // =================================================================== hand-picked cases

    @Test
    void simpleArithmeticIsExact() {
        assertEquals(s(3.5f, 0), runS(f -> f.addS(fb(1.25f), fb(2.25f), RNE)));
        assertEquals(s(-1f, 0), runS(f -> f.subS(fb(1.25f), fb(2.25f), RNE)));
        assertEquals(s(6f, 0), runS(f -> f.mulS(fb(1.5f), fb(4f), RTZ)));
        assertEquals(s(0.375f, 0), runS(f -> f.divS(fb(1.5f), fb(4f), RUP)));
        assertEquals(s(3f, 0), runS(f -> f.sqrtS(fb(9f), RDN)));
        assertEquals(s(7f, 0), runS(f -> f.fmaddS(fb(2f), fb(3f), fb(1f), RMM)));
        assertEquals(d(3.5, 0), run(f -> f.addD(db(1.25), db(2.25), RNE)));
        assertEquals(d(-1, 0), run(f -> f.subD(db(1.25), db(2.25), RNE)));
        assertEquals(d(6, 0), run(f -> f.mulD(db(1.5), db(4), RTZ)));
        assertEquals(d(0.375, 0), run(f -> f.divD(db(1.5), db(4), RUP)));
        assertEquals(d(3, 0), run(f -> f.sqrtD(db(9), RDN)));
        assertEquals(d(7, 0), run(f -> f.fmaddD(db(2), db(3), db(1), RMM)));
    }

    @Test
    void fusedVariantsNegateTheRightTerms() {
        assertEquals(s(5f, 0), runS(f -> f.fmsubS(fb(2f), fb(3f), fb(1f), RNE)));      // 2*3-1
        assertEquals(s(-5f, 0), runS(f -> f.fnmsubS(fb(2f), fb(3f), fb(1f), RNE)));    // -(2*3)+1
        assertEquals(s(-7f, 0), runS(f -> f.fnmaddS(fb(2f), fb(3f), fb(1f), RNE)));    // -(2*3)-1
        assertEquals(d(5, 0), run(f -> f.fmsubD(db(2), db(3), db(1), RNE)));
        assertEquals(d(-5, 0), run(f -> f.fnmsubD(db(2), db(3), db(1), RNE)));
        assertEquals(d(-7, 0), run(f -> f.fnmaddD(db(2), db(3), db(1), RNE)));
    }

    @Test
    void oneThirdInEveryRoundingMode() {
        float lo = 0x1.555554p-2f, hi = 0x1.555556p-2f;                    // 1/3 lies between these
        assertEquals(s(hi, NX), runS(f -> f.divS(fb(1f), fb(3f), RNE)));
        assertEquals(s(lo, NX), runS(f -> f.divS(fb(1f), fb(3f), RTZ)));
        assertEquals(s(lo, NX), runS(f -> f.divS(fb(1f), fb(3f), RDN)));
        assertEquals(s(hi, NX), runS(f -> f.divS(fb(1f), fb(3f), RUP)));
        assertEquals(s(hi, NX), runS(f -> f.divS(fb(1f), fb(3f), RMM)));
        assertEquals(s(-lo, NX), runS(f -> f.divS(fb(-1f), fb(3f), RTZ)));
        assertEquals(s(-hi, NX), runS(f -> f.divS(fb(-1f), fb(3f), RDN)));
        assertEquals(s(-lo, NX), runS(f -> f.divS(fb(-1f), fb(3f), RUP)));
        double dlo = 0x1.5555555555555p-2, dhi = 0x1.5555555555556p-2;
        assertEquals(d(dlo, NX), run(f -> f.divD(db(1), db(3), RNE)));
        assertEquals(d(dlo, NX), run(f -> f.divD(db(1), db(3), RTZ)));
        assertEquals(d(dhi, NX), run(f -> f.divD(db(1), db(3), RUP)));
        assertEquals(d(-dhi, NX), run(f -> f.divD(db(-1), db(3), RDN)));
        assertEquals(d(-dlo, NX), run(f -> f.divD(db(-1), db(3), RMM)));
    }

    @Test
    void tiesGoToEvenOrAwayFromZero() {
        // 1 + 2^-24 is halfway between 1 and 1 + 2^-23 in binary32
        int one = fb(1f), half = fb(0x1p-24f);
        assertEquals(s(1f, NX), runS(f -> f.addS(one, half, RNE)));
        assertEquals(s(0x1.000002p0f, NX), runS(f -> f.addS(one, half, RMM)));
        assertEquals(s(-0x1.000002p0f, NX), runS(f -> f.addS(one ^ 0x8000_0000, half ^ 0x8000_0000, RMM)));
        assertEquals(s(1f, NX), runS(f -> f.addS(one, half, RTZ)));
        assertEquals(s(0x1.000002p0f, NX), runS(f -> f.addS(one, half, RUP)));
        assertEquals(d(1, NX), run(f -> f.addD(db(1), db(0x1p-53), RNE)));
        assertEquals(d(0x1.0000000000001p0, NX), run(f -> f.addD(db(1), db(0x1p-53), RMM)));
        assertEquals(d(0x1.0000000000002p0, NX), run(f -> f.addD(db(0x1.0000000000001p0), db(0x1p-53), RNE)));
        // fma tie: 1*1 + 2^-53
        assertEquals(d(1, NX), run(f -> f.fmaddD(db(1), db(1), db(0x1p-53), RNE)));
        assertEquals(d(0x1.0000000000001p0, NX), run(f -> f.fmaddD(db(1), db(1), db(0x1p-53), RMM)));
        // product tie: (1 + 2^-52) * (1 + 2^-1)... 3*(1+2^-52)/2 has its lowest bit at 2^-53
        double x = 0x1.0000000000001p0;
        assertEquals(d(0x1.8000000000002p0, NX), run(f -> f.mulD(db(x), db(1.5), RNE)));
        assertEquals(d(0x1.8000000000002p0, NX), run(f -> f.mulD(db(x), db(1.5), RMM)));
        assertEquals(d(0x1.8000000000001p0, NX), run(f -> f.mulD(db(x), db(1.5), RTZ)));
    }

    @Test
    void exactZeroSumsTakeTheSignRule() {
        for (int rm = 0; rm < 5; rm++) {
            int m = rm;
            float zero = rm == RDN ? -0f : 0f;
            assertEquals(s(zero, 0), runS(f -> f.addS(fb(1.5f), fb(-1.5f), m)), "rm " + m);
            assertEquals(s(zero, 0), runS(f -> f.subS(fb(2f), fb(2f), m)));
            assertEquals(s(zero, 0), runS(f -> f.addS(fb(0f), fb(-0f), m)));
            assertEquals(s(-0f, 0), runS(f -> f.addS(fb(-0f), fb(-0f), m)));
            assertEquals(s(0f, 0), runS(f -> f.addS(fb(0f), fb(0f), m)));
            assertEquals(s(zero, 0), runS(f -> f.fmaddS(fb(2f), fb(3f), fb(-6f), m)));
            assertEquals(s(-0f, 0), runS(f -> f.fmaddS(fb(-0f), fb(3f), fb(-0f), m)));
            assertEquals(s(zero, 0), runS(f -> f.fmaddS(fb(-0f), fb(3f), fb(0f), m)));
            double dz = rm == RDN ? -0.0 : 0.0;
            assertEquals(d(dz, 0), run(f -> f.addD(db(1.5), db(-1.5), m)));
            assertEquals(d(dz, 0), run(f -> f.addD(db(0.0), db(-0.0), m)));
            assertEquals(d(-0.0, 0), run(f -> f.subD(db(-0.0), db(0.0), m)));
            assertEquals(d(dz, 0), run(f -> f.fmaddD(db(2), db(3), db(-6), m)));
            assertEquals(d(dz, 0), run(f -> f.fmsubD(db(0.0), db(3), db(0.0), m)));
            assertEquals(d(-0.0, 0), run(f -> f.fnmaddD(db(0.0), db(3), db(0.0), m)));
            assertEquals(d(-0.0, 0), run(f -> f.mulD(db(-0.0), db(3), m)));
            assertEquals(d(-0.0, 0), run(f -> f.sqrtD(db(-0.0), m)));
            assertEquals(s(-0f, 0), runS(f -> f.sqrtS(fb(-0f), m)));
        }
    }

    @Test
    void nanResultsAreCanonicalAndSignalOnlyWhenRequired() {
        assertEquals(sBits(QNAN_S, 0), runS(f -> f.addS(NEG_QNAN_S, fb(1f), RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.addS(fb(1f), SNAN_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.addS(PINF_S, NINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.subS(PINF_S, PINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.mulS(fb(0f), NINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.divS(fb(0f), fb(-0f), RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.divS(PINF_S, NINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.sqrtS(fb(-1f), RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.sqrtS(NINF_S, RNE)));
        assertEquals(sBits(QNAN_S, 0), runS(f -> f.sqrtS(QNAN_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.sqrtS(SNAN_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.fmaddS(fb(0f), PINF_S, QNAN_S, RNE)));   // 0*inf + qNaN
        assertEquals(sBits(QNAN_S, 0), runS(f -> f.fmaddS(fb(2f), PINF_S, QNAN_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.fmaddS(fb(2f), PINF_S, NINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.fmsubS(fb(2f), PINF_S, PINF_S, RNE)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.fmaddS(fb(2f), fb(1f), SNAN_S, RNE)));
        assertEquals(sBits(PINF_S, 0), runS(f -> f.fnmsubS(fb(2f), NINF_S, PINF_S, RNE)));
        assertEquals(new R(QNAN_D, 0), run(f -> f.addD(QNAN_D | Long.MIN_VALUE, db(1), RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.addD(db(1), SNAN_D, RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.addD(PINF_D, NINF_D, RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.mulD(PINF_D, db(-0.0), RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.divD(db(0.0), db(0.0), RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.divD(NINF_D, NINF_D, RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.sqrtD(db(-1e-300), RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.sqrtD(SNAN_D, RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.fmaddD(PINF_D, db(0.0), QNAN_D, RNE)));
        assertEquals(new R(QNAN_D, 0), run(f -> f.fmaddD(QNAN_D, db(0.0), db(1), RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.fnmaddD(db(3), PINF_D, NINF_D, RNE)));  // -inf - -inf
        assertEquals(new R(NINF_D, 0), run(f -> f.fnmaddD(db(3), PINF_D, PINF_D, RNE)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.fmaddD(db(1), db(1), SNAN_D, RNE)));
    }

    /** Every combination of special operands: values as Java computes them, NaNs canonical, NV/DZ exact. */
    @Test
    void specialOperandMatrix() {
        long[] dv = {db(0.0), db(-0.0), db(1.0), db(-1.5), db(Double.MIN_VALUE), db(-Double.MAX_VALUE),
            PINF_D, NINF_D, QNAN_D, SNAN_D};
        int[] sv = {fb(0f), fb(-0f), fb(1f), fb(-1.5f), fb(Float.MIN_VALUE), fb(-Float.MAX_VALUE),
            PINF_S, NINF_S, QNAN_S, SNAN_S};
        int n = dv.length, snan = n - 1;
        for (int i = 0; i < n; i++) {
            int ii = i;
            double x = Double.longBitsToDouble(dv[i]);
            float fx = Float.intBitsToFloat(sv[i]);
            boolean sqrtNv = i == snan || x < 0;
            special("sqrtD " + i, Math.sqrt(x), sqrtNv, 0, run(f -> f.sqrtD(dv[ii], RNE)));
            specialS("sqrtS " + i, (float) Math.sqrt(fx), sqrtNv, 0, runS(f -> f.sqrtS(sv[ii], RNE)));
            for (int j = 0; j < n; j++) {
                int jj = j;
                double y = Double.longBitsToDouble(dv[j]);
                float fy = Float.intBitsToFloat(sv[j]);
                // the classification is the same in both formats
                boolean sig = i == snan || j == snan, nan = Double.isNaN(x) || Double.isNaN(y);
                boolean infX = Double.isInfinite(x), infY = Double.isInfinite(y);
                boolean addNv = sig || (!nan && infX && infY && (x > 0) != (y > 0));
                boolean mulNv = sig || (!nan && ((x == 0 && infY) || (y == 0 && infX)));
                boolean divNv = sig || (!nan && ((x == 0 && y == 0) || (infX && infY)));
                int dz = !nan && y == 0 && x != 0 && !infX ? DZ : 0;
                String ctx = "operands " + i + ", " + j;
                special(ctx + " addD", x + y, addNv, 0, run(f -> f.addD(dv[ii], dv[jj], RNE)));
                special(ctx + " mulD", x * y, mulNv, 0, run(f -> f.mulD(dv[ii], dv[jj], RNE)));
                special(ctx + " divD", x / y, divNv, dz, run(f -> f.divD(dv[ii], dv[jj], RNE)));
                specialS(ctx + " addS", fx + fy, addNv, 0, runS(f -> f.addS(sv[ii], sv[jj], RNE)));
                specialS(ctx + " mulS", fx * fy, mulNv, 0, runS(f -> f.mulS(sv[ii], sv[jj], RNE)));
                specialS(ctx + " divS", fx / fy, divNv, dz, runS(f -> f.divS(sv[ii], sv[jj], RNE)));
                for (int k = 0; k < n; k++) {
                    int kk = k;
                    double z = Double.longBitsToDouble(dv[k]);
                    boolean productInf = infX || infY, productNeg = (x < 0) != (y < 0);
                    boolean cancel = !nan && !Double.isNaN(z) && productInf && Double.isInfinite(z) && productNeg != (z < 0);
                    boolean fmaNv = mulNv || k == snan || cancel;
                    String c3 = ctx + ", " + k;
                    special(c3 + " fmaD", Math.fma(x, y, z), fmaNv, 0, run(f -> f.fmaddD(dv[ii], dv[jj], dv[kk], RNE)));
                    specialS(c3 + " fmaS", Math.fma(fx, fy, Float.intBitsToFloat(sv[k])), fmaNv, 0,
                            runS(f -> f.fmaddS(sv[ii], sv[jj], sv[kk], RNE)));
                }
            }
        }
    }

    private static void special(String ctx, double java, boolean nv, int dz, R got) {
        long want = Double.isNaN(java) ? QNAN_D : db(java);
        assertEquals(want, got.bits, ctx);
        assertEquals((nv ? NV : 0) | dz, got.flags & (NV | DZ), ctx);
    }

    private static void specialS(String ctx, float java, boolean nv, int dz, R got) {
        long want = Float.isNaN(java) ? QNAN_S : fb(java) & 0xffff_ffffL;
        assertEquals(want, got.bits, ctx);
        assertEquals((nv ? NV : 0) | dz, got.flags & (NV | DZ), ctx);
    }

    @Test
    void infinitiesAndDivideByZero() {
        assertEquals(sBits(PINF_S, DZ), runS(f -> f.divS(fb(1f), fb(0f), RNE)));
        assertEquals(sBits(NINF_S, DZ), runS(f -> f.divS(fb(-1f), fb(0f), RTZ)));
        assertEquals(sBits(NINF_S, 0), runS(f -> f.divS(PINF_S, fb(-0f), RNE)));
        assertEquals(s(-0f, 0), runS(f -> f.divS(fb(1f), NINF_S, RNE)));
        assertEquals(s(0f, 0), runS(f -> f.divS(fb(0f), fb(5f), RNE)));
        assertEquals(sBits(PINF_S, 0), runS(f -> f.addS(PINF_S, fb(-1e30f), RDN)));
        assertEquals(sBits(PINF_S, 0), runS(f -> f.sqrtS(PINF_S, RNE)));
        assertEquals(new R(NINF_D, DZ), run(f -> f.divD(db(-1), db(0.0), RNE)));
        assertEquals(new R(PINF_D, DZ), run(f -> f.divD(db(-1e-310), db(-0.0), RNE)));
        assertEquals(new R(PINF_D, 0), run(f -> f.divD(NINF_D, db(-0.0), RNE)));
        assertEquals(d(0.0, 0), run(f -> f.divD(db(5), PINF_D, RNE)));
        assertEquals(new R(NINF_D, 0), run(f -> f.mulD(NINF_D, db(1e-300), RUP)));
        assertEquals(new R(PINF_D, 0), run(f -> f.sqrtD(PINF_D, RNE)));
        assertEquals(new R(PINF_D, 0), run(f -> f.fmaddD(db(1), db(1), PINF_D, RTZ)));
    }

    @Test
    void overflowDependsOnRoundingMode() {
        int max = fb(Float.MAX_VALUE);
        assertEquals(sBits(PINF_S, OF | NX), runS(f -> f.addS(max, max, RNE)));
        assertEquals(s(Float.MAX_VALUE, OF | NX), runS(f -> f.addS(max, max, RTZ)));
        assertEquals(s(Float.MAX_VALUE, OF | NX), runS(f -> f.addS(max, max, RDN)));
        assertEquals(sBits(PINF_S, OF | NX), runS(f -> f.addS(max, max, RUP)));
        assertEquals(sBits(PINF_S, OF | NX), runS(f -> f.addS(max, max, RMM)));
        assertEquals(sBits(NINF_S, OF | NX), runS(f -> f.mulS(max, fb(-2f), RDN)));
        assertEquals(s(-Float.MAX_VALUE, OF | NX), runS(f -> f.mulS(max, fb(-2f), RUP)));
        // just above MAX but below the rounding threshold: inexact, no overflow
        assertEquals(s(Float.MAX_VALUE, NX), runS(f -> f.addS(max, fb(1e20f), RNE)));
        assertEquals(sBits(PINF_S, OF | NX), runS(f -> f.addS(max, fb(1e20f), RUP)));
        long dmax = db(Double.MAX_VALUE);
        assertEquals(new R(PINF_D, OF | NX), run(f -> f.mulD(dmax, db(1.5), RNE)));
        assertEquals(d(Double.MAX_VALUE, OF | NX), run(f -> f.mulD(dmax, db(1.5), RTZ)));
        assertEquals(new R(NINF_D, OF | NX), run(f -> f.divD(db(-1e300), db(1e-300), RMM)));
        assertEquals(d(-Double.MAX_VALUE, OF | NX), run(f -> f.divD(db(-1e300), db(1e-300), RUP)));
        assertEquals(new R(PINF_D, OF | NX), run(f -> f.fmaddD(dmax, db(1), dmax, RNE)));
        assertEquals(d(Double.MAX_VALUE, NX), run(f -> f.fmaddD(dmax, db(1), db(1), RNE)));
        assertEquals(new R(PINF_D, OF | NX), run(f -> f.fmaddD(dmax, db(1), db(1), RUP)));
        assertEquals(d(Double.MAX_VALUE, OF | NX), run(f -> f.addD(dmax, dmax, RDN)));
        // MAX - 1.5 ulp is a tie just below MAX: a naive TwoSum would overflow internally
        long minusUlps = db(-0x1.8p971);
        double maxLess1 = Math.nextDown(Double.MAX_VALUE), maxLess2 = Math.nextDown(maxLess1);
        assertEquals(d(maxLess1, NX), run(f -> f.addD(dmax, minusUlps, RNE)));
        assertEquals(d(maxLess2, NX), run(f -> f.addD(dmax, minusUlps, RDN)));
        assertEquals(d(maxLess2, NX), run(f -> f.addD(minusUlps, dmax, RTZ)));
        assertEquals(d(maxLess1, NX), run(f -> f.addD(dmax, minusUlps, RMM)));
        assertEquals(d(-maxLess2, NX), run(f -> f.subD(minusUlps ^ Long.MIN_VALUE, dmax, RUP)));
        assertEquals(s(Float.MAX_VALUE, OF | NX), runS(f -> f.cvtSD(db(1e39), RTZ)));
        assertEquals(sBits(NINF_S, OF | NX), runS(f -> f.cvtSD(db(-1e39), RNE)));
    }

    @Test
    void underflowIsTinyAfterRoundingAndInexact() {
        // exact subnormal results raise nothing
        assertEquals(s(0x1p-140f, 0), runS(f -> f.mulS(fb(0x1p-70f), fb(0x1p-70f), RNE)));
        assertEquals(d(0x1p-1070, 0), run(f -> f.mulD(db(0x1p-535), db(0x1p-535), RNE)));
        assertEquals(d(0x1p-1074, 0), run(f -> f.subD(db(0x1.0000000000001p-1022), db(0x1p-1022), RNE)));
        // inexact subnormal results raise UF and NX
        assertEquals(s(0x1p-149f, UF | NX), runS(f -> f.mulS(fb(0x1.8p-75f), fb(0x1p-75f), RNE)));
        assertEquals(s(0f, UF | NX), runS(f -> f.mulS(fb(0x1p-75f), fb(0x1p-75f), RNE)));
        assertEquals(s(0x1p-149f, UF | NX), runS(f -> f.mulS(fb(0x1p-75f), fb(0x1p-75f), RUP)));
        assertEquals(s(-0f, UF | NX), runS(f -> f.mulS(fb(-0x1p-75f), fb(0x1p-75f), RUP)));
        assertEquals(s(-0x1p-149f, UF | NX), runS(f -> f.mulS(fb(-0x1p-75f), fb(0x1p-75f), RDN)));
        assertEquals(d(0x1p-1074, UF | NX), run(f -> f.divD(db(0x1p-1074), db(1.5), RNE)));
        assertEquals(d(0.0, UF | NX), run(f -> f.divD(db(0x1p-1074), db(3), RNE)));
        // 2^-126 - 2^-151: rounds to 2^-126 even with an unbounded exponent, so not tiny (RNE)
        double justBelow = 0x1p-126 - 0x1p-151;
        assertEquals(s(0x1p-126f, NX), runS(f -> f.cvtSD(db(justBelow), RNE)));
        assertEquals(s(0x1p-126f - 0x1p-149f, UF | NX), runS(f -> f.cvtSD(db(justBelow), RTZ)));
        assertEquals(s(0x1p-126f, NX), runS(f -> f.cvtSD(db(justBelow), RUP)));
        // 2^-126 - 2^-150 is tiny after rounding (exact at 24 bits), yet rounds to 2^-126 subnormally
        double tiny = 0x1p-126 - 0x1p-150;
        assertEquals(s(0x1p-126f, UF | NX), runS(f -> f.cvtSD(db(tiny), RNE)));
        assertEquals(s(0x1p-126f, UF | NX), runS(f -> f.cvtSD(db(tiny), RMM)));
        // same boundary in binary64 via a product: (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075
        long oneMinus = db(Math.nextDown(1.0));
        assertEquals(d(0x1p-1022, UF | NX), run(f -> f.mulD(oneMinus, db(0x1p-1022), RNE)));
        assertEquals(d(Math.nextDown(0x1p-1022), UF | NX), run(f -> f.mulD(oneMinus, db(0x1p-1022), RDN)));
        // 2^-1022 - 2^-1077 rounds to 2^-1022 even with an unbounded exponent: not tiny
        // (2^55 - 1) * 2^-1077 = 31 * 1162219258676257 * 2^-1077
        long p = db(31 * 0x1p-540), q = db(1162219258676257.0 * 0x1p-537);
        assertEquals(d(0x1p-1022, NX), run(f -> f.mulD(p, q, RNE)));
        assertEquals(d(0x1p-1022, NX), run(f -> f.fmaddD(p, q, db(0.0), RUP)));
        assertEquals(d(Math.nextDown(0x1p-1022), UF | NX), run(f -> f.mulD(p, q, RTZ)));
    }

    @Test
    void minMaxFollowRiscV22() {
        assertEquals(s(-0f, 0), runS(f -> f.minS(fb(0f), fb(-0f))));
        assertEquals(s(-0f, 0), runS(f -> f.minS(fb(-0f), fb(0f))));
        assertEquals(s(0f, 0), runS(f -> f.maxS(fb(-0f), fb(0f))));
        assertEquals(s(0f, 0), runS(f -> f.maxS(fb(0f), fb(-0f))));
        assertEquals(s(-2f, 0), runS(f -> f.minS(fb(1f), fb(-2f))));
        assertEquals(s(1f, 0), runS(f -> f.maxS(fb(1f), fb(-2f))));
        assertEquals(s(1f, 0), runS(f -> f.minS(QNAN_S, fb(1f))));
        assertEquals(s(1f, NV), runS(f -> f.maxS(fb(1f), SNAN_S)));
        assertEquals(sBits(QNAN_S, 0), runS(f -> f.minS(NEG_QNAN_S, QNAN_S)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.maxS(SNAN_S, QNAN_S)));
        assertEquals(sBits(NINF_S, 0), runS(f -> f.minS(NINF_S, fb(-1e38f))));
        assertEquals(d(-0.0, 0), run(f -> f.minD(db(0.0), db(-0.0))));
        assertEquals(d(0.0, 0), run(f -> f.maxD(db(-0.0), db(0.0))));
        assertEquals(d(-3, 0), run(f -> f.minD(db(-3), db(2))));
        assertEquals(d(2, 0), run(f -> f.maxD(db(-3), db(2))));
        assertEquals(d(2, 0), run(f -> f.maxD(QNAN_D, db(2))));
        assertEquals(d(2, NV), run(f -> f.minD(db(2), SNAN_D)));
        assertEquals(new R(QNAN_D, NV), run(f -> f.minD(SNAN_D, SNAN_D)));
    }

    @Test
    void comparisonsAndTheirNaNFlags() {
        assertEquals(new R(1, 0), run(f -> f.feqS(fb(0f), fb(-0f))));
        assertEquals(new R(0, 0), run(f -> f.fltS(fb(-0f), fb(0f))));
        assertEquals(new R(1, 0), run(f -> f.fleS(fb(-0f), fb(0f))));
        assertEquals(new R(1, 0), run(f -> f.fltS(fb(-1f), fb(2f))));
        assertEquals(new R(0, 0), run(f -> f.fleS(fb(3f), fb(2f))));
        assertEquals(new R(0, 0), run(f -> f.feqS(QNAN_S, QNAN_S)));
        assertEquals(new R(0, NV), run(f -> f.feqS(fb(1f), SNAN_S)));
        assertEquals(new R(0, NV), run(f -> f.fltS(QNAN_S, fb(1f))));
        assertEquals(new R(0, NV), run(f -> f.fleS(fb(1f), QNAN_S)));
        assertEquals(new R(1, 0), run(f -> f.feqD(db(0.0), db(-0.0))));
        assertEquals(new R(1, 0), run(f -> f.fltD(NINF_D, db(-1e308))));
        assertEquals(new R(1, 0), run(f -> f.fleD(db(2), db(2))));
        assertEquals(new R(0, 0), run(f -> f.feqD(QNAN_D, db(1))));
        assertEquals(new R(0, NV), run(f -> f.feqD(SNAN_D, db(1))));
        assertEquals(new R(0, NV), run(f -> f.fltD(QNAN_D, QNAN_D)));
        assertEquals(new R(0, NV), run(f -> f.fleD(db(1), SNAN_D)));
    }

    @Test
    void classifiesAllTenCategories() {
        assertEquals(1 << 0, Fpu.classS(NINF_S));
        assertEquals(1 << 1, Fpu.classS(fb(-1f)));
        assertEquals(1 << 2, Fpu.classS(fb(-0x1p-140f)));
        assertEquals(1 << 3, Fpu.classS(fb(-0f)));
        assertEquals(1 << 4, Fpu.classS(fb(0f)));
        assertEquals(1 << 5, Fpu.classS(fb(Float.MIN_VALUE)));
        assertEquals(1 << 6, Fpu.classS(fb(Float.MAX_VALUE)));
        assertEquals(1 << 7, Fpu.classS(PINF_S));
        assertEquals(1 << 8, Fpu.classS(SNAN_S));
        assertEquals(1 << 9, Fpu.classS(NEG_QNAN_S));
        assertEquals(1 << 0, Fpu.classD(NINF_D));
        assertEquals(1 << 1, Fpu.classD(db(-Double.MIN_NORMAL)));
        assertEquals(1 << 2, Fpu.classD(db(-Double.MIN_VALUE)));
        assertEquals(1 << 3, Fpu.classD(db(-0.0)));
        assertEquals(1 << 4, Fpu.classD(db(0.0)));
        assertEquals(1 << 5, Fpu.classD(db(0x1p-1030)));
        assertEquals(1 << 6, Fpu.classD(db(1)));
        assertEquals(1 << 7, Fpu.classD(PINF_D));
        assertEquals(1 << 8, Fpu.classD(SNAN_D | Long.MIN_VALUE));
        assertEquals(1 << 9, Fpu.classD(QNAN_D));
    }

    @Test
    void floatToIntegerConversionsSaturate() {
        assertEquals(new R(0x7fff_ffffL, NV), run(f -> f.cvtWS(fb(3e9f), RNE)));
        assertEquals(new R(0xffff_ffff_8000_0000L, NV), run(f -> f.cvtWS(NINF_S, RNE)));
        assertEquals(new R(0x7fff_ffffL, NV), run(f -> f.cvtWS(QNAN_S, RNE)));
        assertEquals(new R(0x7fff_ffffL, NV), run(f -> f.cvtWS(NEG_QNAN_S, RNE)));
        assertEquals(new R(-2147483648L, 0), run(f -> f.cvtWS(fb(-0x1p31f), RNE)));
        assertEquals(new R(-3, NX), run(f -> f.cvtWS(fb(-2.5f), RDN)));
        assertEquals(new R(-2, NX), run(f -> f.cvtWS(fb(-2.5f), RNE)));
        assertEquals(new R(-3, NX), run(f -> f.cvtWS(fb(-2.5f), RMM)));
        assertEquals(new R(-2, NX), run(f -> f.cvtWS(fb(-2.5f), RTZ)));
        assertEquals(new R(0, NV), run(f -> f.cvtWuS(fb(-1f), RNE)));
        assertEquals(new R(0, NX), run(f -> f.cvtWuS(fb(-0.4f), RTZ)));
        assertEquals(new R(0, NV), run(f -> f.cvtWuS(fb(-0.6f), RNE)));
        assertEquals(new R(0xffff_ffff_b2d0_5e00L, 0), run(f -> f.cvtWuS(fb(3e9f), RNE)));   // sign-extended
        assertEquals(new R(-1L, NV), run(f -> f.cvtWuS(fb(5e9f), RNE)));
        assertEquals(new R(-1L, NV), run(f -> f.cvtWuS(QNAN_S, RNE)));
        assertEquals(new R(Long.MAX_VALUE, NV), run(f -> f.cvtLS(fb(0x1p63f), RNE)));
        assertEquals(new R(Long.MIN_VALUE, 0), run(f -> f.cvtLS(fb(-0x1p63f), RNE)));
        assertEquals(new R(Long.MAX_VALUE, NV), run(f -> f.cvtLS(SNAN_S, RNE)));
        assertEquals(new R(Long.MIN_VALUE, NV), run(f -> f.cvtLS(NINF_S, RNE)));
        assertEquals(new R(-1L, NV), run(f -> f.cvtLuS(PINF_S, RNE)));
        assertEquals(new R(-1L, NV), run(f -> f.cvtLuS(QNAN_S, RNE)));
        assertEquals(new R(0, NV), run(f -> f.cvtLuS(NINF_S, RNE)));
        assertEquals(new R(0x8000_0000_0000_0000L, 0), run(f -> f.cvtLuS(fb(0x1p63f), RNE)));
        assertEquals(new R(1, NX), run(f -> f.cvtLuS(fb(0.5f), RMM)));
        assertEquals(new R(0, NX), run(f -> f.cvtLuS(fb(0.5f), RNE)));
        assertEquals(new R(2147483647L, NX), run(f -> f.cvtWD(db(2147483647.5), RTZ)));
        assertEquals(new R(2147483647L, NV), run(f -> f.cvtWD(db(2147483647.5), RUP)));
        assertEquals(new R(-2147483648L, NX), run(f -> f.cvtWD(db(-2147483648.9), RTZ)));
        assertEquals(new R(-2147483648L, NV), run(f -> f.cvtWD(db(-2147483648.9), RDN)));
        assertEquals(new R(0xffff_ffff_ffff_ffffL, NX), run(f -> f.cvtWuD(db(4294967294.5), RUP)));
        assertEquals(new R(0, NX), run(f -> f.cvtWuD(db(-0.9), RTZ)));
        assertEquals(new R(0, 0), run(f -> f.cvtWuD(db(-0.0), RNE)));
        assertEquals(new R(-1L, NV), run(f -> f.cvtWuD(QNAN_D, RNE)));
        assertEquals(new R(0, NX), run(f -> f.cvtLD(db(0.49999999999999994), RMM)));
        assertEquals(new R(Long.MAX_VALUE, NV), run(f -> f.cvtLD(db(0x1p63), RNE)));
        assertEquals(new R(0x7fff_ffff_ffff_fc00L, 0), run(f -> f.cvtLD(db(Math.nextDown(0x1p63)), RNE)));
        assertEquals(new R(0xffff_ffff_ffff_f800L, 0), run(f -> f.cvtLuD(db(Math.nextDown(0x1p64)), RNE)));
        assertEquals(new R(-1L, NV), run(f -> f.cvtLuD(db(0x1p64), RNE)));
        assertEquals(new R(0, NV), run(f -> f.cvtLuD(db(-1), RTZ)));
        assertEquals(new R(Long.MAX_VALUE, NV), run(f -> f.cvtLD(QNAN_D, RNE)));
    }

    @Test
    void integerToFloatConversionsRound() {
        assertEquals(s(16777216f, NX), runS(f -> f.cvtSW(16777217, RNE)));
        assertEquals(s(16777218f, NX), runS(f -> f.cvtSW(16777217, RUP)));
        assertEquals(s(16777218f, NX), runS(f -> f.cvtSW(16777217, RMM)));
        assertEquals(s(-16777218f, NX), runS(f -> f.cvtSW(-16777217, RDN)));
        assertEquals(s(-16777216f, NX), runS(f -> f.cvtSW(-16777217, RTZ)));
        assertEquals(s(-1f, 0), runS(f -> f.cvtSW(0x1234_5678_ffff_ffffL, RNE)));          // low 32 bits only
        assertEquals(s(0x1p32f, NX), runS(f -> f.cvtSWu(0xffff_ffffL, RNE)));
        assertEquals(s(0x1.fffffep31f, NX), runS(f -> f.cvtSWu(-1L, RTZ)));
        assertEquals(s(0f, 0), runS(f -> f.cvtSW(0, RDN)));
        assertEquals(s(-0x1p63f, 0), runS(f -> f.cvtSL(Long.MIN_VALUE, RNE)));
        assertEquals(s(0x1p63f, NX), runS(f -> f.cvtSL(Long.MAX_VALUE, RNE)));
        assertEquals(s(0x1.fffffep62f, NX), runS(f -> f.cvtSL(Long.MAX_VALUE, RTZ)));
        assertEquals(s(0x1p64f, NX), runS(f -> f.cvtSLu(-1L, RUP)));
        assertEquals(s(0x1.fffffep63f, NX), runS(f -> f.cvtSLu(-1L, RDN)));
        assertEquals(d(-2147483648.0, 0), run(f -> f.cvtDW(0xffff_ffff_8000_0000L, RNE)));
        assertEquals(d(4294967295.0, 0), run(f -> f.cvtDWu(-1L, RNE)));
        assertEquals(d(-0x1p63, 0), run(f -> f.cvtDL(Long.MIN_VALUE, RNE)));
        assertEquals(d(0x1p63, NX), run(f -> f.cvtDL(Long.MAX_VALUE, RNE)));
        assertEquals(d(Math.nextDown(0x1p63), NX), run(f -> f.cvtDL(Long.MAX_VALUE, RTZ)));
        assertEquals(d(0x1p53, NX), run(f -> f.cvtDL((1L << 53) + 1, RNE)));
        assertEquals(d(0x1.0000000000001p53, NX), run(f -> f.cvtDL((1L << 53) + 1, RMM)));
        assertEquals(d(0x1p64, NX), run(f -> f.cvtDLu(-1L, RNE)));
        assertEquals(d(Math.nextDown(0x1p64), NX), run(f -> f.cvtDLu(-1L, RTZ)));
    }

    @Test
    void floatDoubleConversions() {
        assertEquals(new R(db(1.5), 0), run(f -> f.cvtDS(fb(1.5f))));
        assertEquals(new R(db(0x1p-149), 0), run(f -> f.cvtDS(fb(Float.MIN_VALUE))));
        assertEquals(new R(QNAN_D, NV), run(f -> f.cvtDS(SNAN_S)));
        assertEquals(new R(QNAN_D, 0), run(f -> f.cvtDS(NEG_QNAN_S)));
        assertEquals(new R(NINF_D, 0), run(f -> f.cvtDS(NINF_S)));
        assertEquals(sBits(QNAN_S, NV), runS(f -> f.cvtSD(SNAN_D, RNE)));
        assertEquals(sBits(QNAN_S, 0), runS(f -> f.cvtSD(QNAN_D | Long.MIN_VALUE, RNE)));
        assertEquals(s(-0f, 0), runS(f -> f.cvtSD(db(-0.0), RNE)));
        assertEquals(s(0.1f, NX), runS(f -> f.cvtSD(db(0.1), RNE)));
        assertEquals(s(Math.nextDown(0.1f), NX), runS(f -> f.cvtSD(db(0.1), RDN)));
        assertEquals(s(0f, UF | NX), runS(f -> f.cvtSD(db(1e-300), RNE)));
        assertEquals(s(Float.MIN_VALUE, UF | NX), runS(f -> f.cvtSD(db(1e-300), RUP)));
        assertEquals(s(-Float.MIN_VALUE, UF | NX), runS(f -> f.cvtSD(db(-Double.MIN_VALUE), RDN)));
        assertEquals(s(-0f, UF | NX), runS(f -> f.cvtSD(db(-Double.MIN_VALUE), RMM)));
        // just above a binary32 midpoint: one correct rounding, not two
        double aboveMid = 1 + 0x1p-24 + 0x1p-52;
        assertEquals(s(0x1.000002p0f, NX), runS(f -> f.cvtSD(db(aboveMid), RNE)));
    }

    @Test
    void singleArithmeticAvoidsDoubleRounding() {
        // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a binary32 midpoint; a tiny addend must break the tie,
        // although the binary64 sum would round back onto the midpoint
        int a = fb(0x1.001p0f);
        assertEquals(s(0x1.002002p0f, NX), runS(f -> f.fmaddS(a, a, fb(0x1p-70f), RNE)));
        assertEquals(s(0x1.002p0f, NX), runS(f -> f.fmaddS(a, a, fb(-0x1p-70f), RNE)));
        assertEquals(s(0x1.002p0f, NX), runS(f -> f.fmaddS(a, a, fb(-0x1p-70f), RMM)));
        assertEquals(s(0x1.002002p0f, NX), runS(f -> f.fmaddS(a, a, fb(0x1p-70f), RMM)));
        // the binary64 sum 1 + 2^-60 rounds to 1, yet the directed modes must see the tiny part
        assertEquals(s(1f, NX), runS(f -> f.addS(fb(1f), fb(0x1p-60f), RNE)));
        assertEquals(s(0x1.000002p0f, NX), runS(f -> f.addS(fb(1f), fb(0x1p-60f), RUP)));
        assertEquals(s(Math.nextDown(1f), NX), runS(f -> f.addS(fb(1f), fb(-0x1p-60f), RTZ)));
        assertEquals(s(1f, NX), runS(f -> f.addS(fb(1f), fb(-0x1p-60f), RMM)));
    }

    @Test
    void flagsAccumulate() {
        Fpu fpu = new Fpu();
        fpu.divS(fb(1f), fb(0f), RNE);
        fpu.addD(db(1), db(1e-30), RNE);
        fpu.sqrtD(db(-1), RNE);
        assertEquals(DZ | NX | NV, fpu.flags);
        fpu.addD(db(1), db(1), RNE);
        assertEquals(DZ | NX | NV, fpu.flags);
    }

    // =================================================================== randomized vs. reference

    private static final int ITERATIONS = Integer.getInteger("fpu.iterations", 3000);

    /** Binary32 or binary64 parameters for generators and the reference. */
    private record Fmt(boolean dbl, int prec, int emax, int manBits) {
        static final Fmt S = new Fmt(false, 24, 127, 23);
        static final Fmt D = new Fmt(true, 53, 1023, 52);

        int maxField() {
            return 2 * emax + 1;
        }

        long bits(boolean neg, int field, long man) {
            long b = ((long) field << manBits) | (man & ((1L << manBits) - 1));
            return neg ? b | (1L << (manBits + (dbl ? 11 : 8))) : b;
        }

        double value(long bits) {
            return dbl ? Double.longBitsToDouble(bits) : Float.intBitsToFloat((int) bits);
        }

        long toBits(double v) {
            return dbl ? Double.doubleToRawLongBits(v) : Float.floatToRawIntBits((float) v) & 0xffff_ffffL;
        }

        double max() {
            return dbl ? Double.MAX_VALUE : Float.MAX_VALUE;
        }

        double up(double v) {
            return dbl ? Math.nextUp(v) : Math.nextUp((float) v);
        }

        double down(double v) {
            return dbl ? Math.nextDown(v) : Math.nextDown((float) v);
        }

        double narrow(double v) {
            return dbl ? v : (float) v;
        }
    }

    /** A random finite value with a mix of exponents (including subnormal and huge) and significand patterns. */
    private static long randomFinite(Random r, Fmt fmt) {
        int bias = fmt.emax;
        int field = switch (r.nextInt(6)) {
            case 0 -> r.nextInt(fmt.maxField());
            case 1 -> r.nextInt(fmt.prec + 3);                              // subnormal and just above
            case 2 -> fmt.maxField() - 1 - r.nextInt(4);                   // near overflow
            case 3 -> bias - 40 + r.nextInt(81);
            default -> bias - 6 + r.nextInt(13);
        };
        return fmt.bits(r.nextBoolean(), field, randomMantissa(r, fmt));
    }

    private static long randomMantissa(Random r, Fmt fmt) {
        long mask = (1L << fmt.manBits) - 1;
        return switch (r.nextInt(6)) {
            case 0 -> r.nextLong() & mask & (-1L << (fmt.manBits - 1 - r.nextInt(8)));   // few bits: ties
            case 1 -> mask - r.nextInt(4);                                   // all ones: carries
            case 2 -> r.nextInt(4);                                          // near a power of two
            default -> r.nextLong() & mask;
        };
    }

    /** A value whose exponent field is about {@code field}, clamped into the finite range. */
    private static long withField(Random r, Fmt fmt, int field) {
        int f = Math.max(0, Math.min(fmt.maxField() - 1, field));
        return fmt.bits(r.nextBoolean(), f, randomMantissa(r, fmt));
    }

    private static int fieldOf(Fmt fmt, long bits) {
        return (int) (bits >>> fmt.manBits) & fmt.maxField();
    }

    /** A target exponent field for results: subnormal range, overflow boundary, or moderate. */
    private static int targetField(Random r, Fmt fmt) {
        return switch (r.nextInt(3)) {
            case 0 -> r.nextInt(fmt.prec + 6) - fmt.prec - 2;
            case 1 -> fmt.maxField() - 3 + r.nextInt(5);
            default -> fmt.emax - 10 + r.nextInt(21);
        };
    }

    /** Second operand for add: independent, nearly cancelling, or a few exponents below (ties, sticky bits). */
    private static long addPartner(Random r, Fmt fmt, long x) {
        return switch (r.nextInt(4)) {
            case 0 -> x ^ (1L << (fmt.manBits + (fmt.dbl ? 11 : 8))) ^ r.nextInt(8);
            case 1 -> withField(r, fmt, fieldOf(fmt, x) - fmt.prec - 2 + r.nextInt(5));
            case 2 -> withField(r, fmt, fieldOf(fmt, x) - r.nextInt(fmt.prec));
            default -> randomFinite(r, fmt);
        };
    }

    interface Binary {
        long apply(Fpu fpu, long a, long b, int rm);
    }

    /** Picks the second operand to go with a random first one. */
    interface Partner {
        long pick(Random r, long a);
    }

    /** Runs op on random operand pairs in all rounding modes and compares with the reference. */
    private static void randomBinary(Fmt fmt, String name, Binary op, Partner partner,
                                     BiFunction<Double, Double, Exact> exact) {
        Random r = new Random(name.hashCode() * 31L + (fmt.dbl ? 1 : 0));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS; i++) {
            long a = randomFinite(r, fmt);
            long b = partner.pick(r, a);
            for (int rm = 0; rm < 5; rm++) {
                Exact ex = exact.apply(fmt.value(a), fmt.value(b));
                R want = Reference.round(ex, fmt, rm);
                Fpu fpu = new Fpu();
                long got = op.apply(fpu, a, b, rm);
                R have = new R(fmt.dbl ? got : got & 0xffff_ffffL, fpu.flags);
                if (!want.equals(have)) {
                    failures.add("%s(0x%x, 0x%x) rm=%d [%s, %s]: want %s got %s"
                            .formatted(name, a, b, rm, fmt.value(a), fmt.value(b), want, have));
                }
            }
        }
        report(failures);
    }

    private static void report(List<String> failures) {
        if (!failures.isEmpty()) {
            List<String> first = failures.subList(0, Math.min(12, failures.size()));
            fail(failures.size() + " mismatches, first:\n" + String.join("\n", first));
        }
    }

    private static Partner addPartners(Fmt fmt) {
        return (r, a) -> addPartner(r, fmt, a);
    }

    /** Partners whose product (or quotient) lands in the subnormal range, near overflow, or nearby. */
    private static Partner mulPartners(Fmt fmt, boolean divide) {
        return (r, a) -> {
            if (r.nextInt(3) == 0) {
                return randomFinite(r, fmt);
            }
            int fa = fieldOf(fmt, a), target = targetField(r, fmt);
            return withField(r, fmt, divide ? fa - target + fmt.emax : target - fa + fmt.emax);
        };
    }

    @Test
    void randomAddS() {
        randomBinary(Fmt.S, "addS", (f, a, b, rm) -> f.addS((int) a, (int) b, rm), addPartners(Fmt.S),
                (x, y) -> Exact.of(bd(x).add(bd(y)), zeroSum(x, y)));
    }

    @Test
    void randomSubS() {
        randomBinary(Fmt.S, "subS", (f, a, b, rm) -> f.subS((int) a, (int) b, rm), addPartners(Fmt.S),
                (x, y) -> Exact.of(bd(x).subtract(bd(y)), zeroSum(x, -y)));
    }

    @Test
    void randomMulS() {
        randomBinary(Fmt.S, "mulS", (f, a, b, rm) -> f.mulS((int) a, (int) b, rm), mulPartners(Fmt.S, false),
                (x, y) -> Exact.of(bd(x).multiply(bd(y)), x * y));
    }

    @Test
    void randomDivS() {
        randomBinary(Fmt.S, "divS", (f, a, b, rm) -> f.divS((int) a, (int) b, rm),
                nonZero(mulPartners(Fmt.S, true), Fmt.S), Exact::quotient);
    }

    @Test
    void randomAddD() {
        randomBinary(Fmt.D, "addD", (f, a, b, rm) -> f.addD(a, b, rm), addPartners(Fmt.D),
                (x, y) -> Exact.of(bd(x).add(bd(y)), zeroSum(x, y)));
    }

    @Test
    void randomSubD() {
        randomBinary(Fmt.D, "subD", (f, a, b, rm) -> f.subD(a, b, rm), addPartners(Fmt.D),
                (x, y) -> Exact.of(bd(x).subtract(bd(y)), zeroSum(x, -y)));
    }

    @Test
    void randomMulD() {
        randomBinary(Fmt.D, "mulD", (f, a, b, rm) -> f.mulD(a, b, rm), mulPartners(Fmt.D, false),
                (x, y) -> Exact.of(bd(x).multiply(bd(y)), x * y));
    }

    @Test
    void randomDivD() {
        randomBinary(Fmt.D, "divD", (f, a, b, rm) -> f.divD(a, b, rm),
                nonZero(mulPartners(Fmt.D, true), Fmt.D), Exact::quotient);
    }

    // square roots take |a|, and so does the reference
    @Test
    void randomSqrtS() {
        randomBinary(Fmt.S, "sqrtS", (f, a, b, rm) -> f.sqrtS((int) a & 0x7fff_ffff, rm), (r, a) -> 0,
                (x, y) -> Exact.root(Math.abs(x)));
    }

    @Test
    void randomSqrtD() {
        randomBinary(Fmt.D, "sqrtD", (f, a, b, rm) -> f.sqrtD(a & Long.MAX_VALUE, rm), (r, a) -> 0,
                (x, y) -> Exact.root(Math.abs(x)));
    }

    private static Partner nonZero(Partner partner, Fmt fmt) {
        return (r, a) -> {
            long b = partner.pick(r, a);
            return fmt.value(b) == 0 ? fmt.toBits(1.0) : b;
        };
    }

    @Test
    void randomFmaS() {
        randomFma(Fmt.S);
    }

    @Test
    void randomFmaD() {
        randomFma(Fmt.D);
    }

    private static void randomFma(Fmt fmt) {
        Random r = new Random(fmt.dbl ? 77 : 78);
        List<String> failures = new ArrayList<>();
        String[] names = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
        for (int i = 0; i < ITERATIONS; i++) {
            long a = randomFinite(r, fmt);
            long b = r.nextInt(3) == 0 ? randomFinite(r, fmt)
                    : withField(r, fmt, targetField(r, fmt) - fieldOf(fmt, a) + fmt.emax);
            double p = fmt.value(a) * fmt.value(b);                           // approximate product
            long c = switch (r.nextInt(4)) {
                case 0 -> fmt.toBits(-fmt.narrow(p)) ^ r.nextInt(4);           // heavy cancellation
                case 1 -> addPartner(r, fmt, fmt.toBits(fmt.narrow(p)));
                case 2 -> withField(r, fmt, r.nextInt(fmt.prec + 3));         // tiny addend
                default -> randomFinite(r, fmt);
            };
            if (!Double.isFinite(fmt.value(c))) {
                c = randomFinite(r, fmt);
            }
            int variant = r.nextInt(4);
            for (int rm = 0; rm < 5; rm++) {
                double x = fmt.value(a), y = fmt.value(b), z = fmt.value(c);
                boolean negProduct = variant >= 2, negAddend = variant == 1 || variant == 3;
                double px = negProduct ? -x : x, zz = negAddend ? -z : z;
                BigDecimal exact = bd(px).multiply(bd(y)).add(bd(zz));
                double productSign = (px == 0 || y == 0) ? px * y : Math.copySign(1, px) * Math.copySign(1, y);
                R want = Reference.round(Exact.of(exact, zeroSum(productSign, zz)), fmt, rm);
                Fpu fpu = new Fpu();
                long got = fma(fpu, fmt, variant, a, b, c, rm);
                R have = new R(fmt.dbl ? got : got & 0xffff_ffffL, fpu.flags);
                if (!want.equals(have)) {
                    failures.add("%s(0x%x, 0x%x, 0x%x) rm=%d [%s, %s, %s]: want %s got %s"
                            .formatted(names[variant], a, b, c, rm, x, y, z, want, have));
                }
            }
        }
        report(failures);
    }

    private static long fma(Fpu f, Fmt fmt, int variant, long a, long b, long c, int rm) {
        if (fmt.dbl) {
            return switch (variant) {
                case 0 -> f.fmaddD(a, b, c, rm);
                case 1 -> f.fmsubD(a, b, c, rm);
                case 2 -> f.fnmsubD(a, b, c, rm);
                default -> f.fnmaddD(a, b, c, rm);
            };
        }
        int x = (int) a, y = (int) b, z = (int) c;
        return switch (variant) {
            case 0 -> f.fmaddS(x, y, z, rm);
            case 1 -> f.fmsubS(x, y, z, rm);
            case 2 -> f.fnmsubS(x, y, z, rm);
            default -> f.fnmaddS(x, y, z, rm);
        };
    }

    @Test
    void randomDoubleToSingle() {
        Random r = new Random(5);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS * 2; i++) {
            long a = r.nextInt(3) == 0 ? randomFinite(r, Fmt.D)
                    : withField(r, Fmt.D, 1023 - 160 + r.nextInt(320));      // around the binary32 range
            for (int rm = 0; rm < 5; rm++) {
                double x = Double.longBitsToDouble(a);
                R want = Reference.round(Exact.of(bd(x), x), Fmt.S, rm);
                int m = rm;
                R have = runS(f -> f.cvtSD(a, m));
                if (!want.equals(have)) {
                    failures.add("cvtSD(0x%x) rm=%d [%s]: want %s got %s".formatted(a, rm, x, want, have));
                }
            }
        }
        report(failures);
    }

    @Test
    void randomIntegerToFloat() {
        Random r = new Random(6);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS; i++) {
            long v = switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextLong() >> r.nextInt(64);
                case 2 -> (r.nextLong() >>> r.nextInt(64)) & (-1L << r.nextInt(40));   // ties
                default -> r.nextInt();
            };
            for (int rm = 0; rm < 5; rm++) {
                int m = rm;
                BigDecimal w = BigDecimal.valueOf((int) v), wu = BigDecimal.valueOf(v & 0xffff_ffffL);
                BigDecimal l = BigDecimal.valueOf(v), lu = new BigDecimal(new BigInteger(Long.toUnsignedString(v)));
                check(failures, "cvtSW", v, rm, intRef(w, Fmt.S, rm), runS(f -> f.cvtSW(v, m)));
                check(failures, "cvtSWu", v, rm, intRef(wu, Fmt.S, rm), runS(f -> f.cvtSWu(v, m)));
                check(failures, "cvtSL", v, rm, intRef(l, Fmt.S, rm), runS(f -> f.cvtSL(v, m)));
                check(failures, "cvtSLu", v, rm, intRef(lu, Fmt.S, rm), runS(f -> f.cvtSLu(v, m)));
                check(failures, "cvtDW", v, rm, intRef(w, Fmt.D, rm), run(f -> f.cvtDW(v, m)));
                check(failures, "cvtDWu", v, rm, intRef(wu, Fmt.D, rm), run(f -> f.cvtDWu(v, m)));
                check(failures, "cvtDL", v, rm, intRef(l, Fmt.D, rm), run(f -> f.cvtDL(v, m)));
                check(failures, "cvtDLu", v, rm, intRef(lu, Fmt.D, rm), run(f -> f.cvtDLu(v, m)));
            }
        }
        report(failures);
    }

    private static R intRef(BigDecimal v, Fmt fmt, int rm) {
        return Reference.round(Exact.of(v, 0.0), fmt, rm);
    }

    private static void check(List<String> failures, String name, long input, int rm, R want, R have) {
        if (!want.equals(have)) {
            failures.add("%s(0x%x) rm=%d: want %s got %s".formatted(name, input, rm, want, have));
        }
    }

    @Test
    void randomFloatToInteger() {
        Random r = new Random(7);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS * 2; i++) {
            boolean dbl = r.nextBoolean();
            Fmt fmt = dbl ? Fmt.D : Fmt.S;
            long a = r.nextInt(4) == 0 ? randomFinite(r, fmt)
                    : withField(r, fmt, fmt.emax - 3 + r.nextInt(70));        // around the integer ranges
            if (r.nextInt(4) == 0) {                                            // exact halves and near-halves
                double v = Math.round(fmt.value(a) * 2 % 0x1p40) / 2.0 + (r.nextInt(3) - 1) * 0x1p-30;
                a = fmt.toBits(v);
            }
            long bits = a;
            BigDecimal x = bd(fmt.value(a));
            for (int rm = 0; rm < 5; rm++) {
                int m = rm;
                BigInteger n = x.setScale(0, MODES[rm]).toBigIntegerExact();
                boolean exact = new BigDecimal(n).compareTo(x) == 0;
                R w = intConv(n, exact, 32, true), wu = intConv(n, exact, 32, false);
                R l = intConv(n, exact, 64, true), lu = intConv(n, exact, 64, false);
                if (dbl) {
                    check(failures, "cvtWD", bits, rm, w, run(f -> f.cvtWD(bits, m)));
                    check(failures, "cvtWuD", bits, rm, wu, run(f -> f.cvtWuD(bits, m)));
                    check(failures, "cvtLD", bits, rm, l, run(f -> f.cvtLD(bits, m)));
                    check(failures, "cvtLuD", bits, rm, lu, run(f -> f.cvtLuD(bits, m)));
                } else {
                    int s = (int) bits;
                    check(failures, "cvtWS", bits, rm, w, run(f -> f.cvtWS(s, m)));
                    check(failures, "cvtWuS", bits, rm, wu, run(f -> f.cvtWuS(s, m)));
                    check(failures, "cvtLS", bits, rm, l, run(f -> f.cvtLS(s, m)));
                    check(failures, "cvtLuS", bits, rm, lu, run(f -> f.cvtLuS(s, m)));
                }
            }
        }
        report(failures);
    }

    private static final RoundingMode[] MODES = {
        RoundingMode.HALF_EVEN, RoundingMode.DOWN, RoundingMode.FLOOR, RoundingMode.CEILING, RoundingMode.HALF_UP};

    /** Expected integer conversion: saturate with NV when out of range, else NX when inexact. */
    private static R intConv(BigInteger n, boolean exact, int width, boolean signed) {
        BigInteger span = BigInteger.ONE.shiftLeft(signed ? width - 1 : width);
        BigInteger min = signed ? span.negate() : BigInteger.ZERO, max = span.subtract(BigInteger.ONE);
        BigInteger v = n.max(min).min(max);
        int flags = !v.equals(n) ? NV : exact ? 0 : NX;
        long bits = v.longValue();
        return new R(width == 32 ? (int) bits : bits, flags);              // 32-bit results sign-extend
    }

    @Test
    void nearestEvenMatchesJavaArithmetic() {
        Random r = new Random(8);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS * 30; i++) {
            long da = randomFinite(r, Fmt.D), db = addPartner(r, Fmt.D, da), dc = randomFinite(r, Fmt.D);
            double x = Double.longBitsToDouble(da), y = Double.longBitsToDouble(db), z = Double.longBitsToDouble(dc);
            Fpu f = new Fpu();
            same(failures, "addD", da, db, db(x + y), f.addD(da, db, RNE));
            same(failures, "mulD", da, db, db(x * y), f.mulD(da, db, RNE));
            same(failures, "divD", da, db, db(x / y), f.divD(da, db, RNE));
            same(failures, "sqrtD", da, 0, db(Math.sqrt(x)), f.sqrtD(da, RNE));
            same(failures, "fmaD", da, db, db(Math.fma(x, y, z)), f.fmaddD(da, db, dc, RNE));
            same(failures, "cvtSD", da, 0, fb((float) x), f.cvtSD(da, RNE));
            int sa = (int) randomFinite(r, Fmt.S), sb = (int) addPartner(r, Fmt.S, sa), sc = (int) randomFinite(r, Fmt.S);
            float fx = Float.intBitsToFloat(sa), fy = Float.intBitsToFloat(sb), fz = Float.intBitsToFloat(sc);
            same(failures, "addS", sa, sb, fb(fx + fy), f.addS(sa, sb, RNE));
            same(failures, "mulS", sa, sb, fb(fx * fy), f.mulS(sa, sb, RNE));
            same(failures, "divS", sa, sb, fb(fx / fy), f.divS(sa, sb, RNE));
            same(failures, "sqrtS", sa, 0, fb((float) Math.sqrt(fx)), f.sqrtS(sa, RNE));
            same(failures, "fmaS", sa, sb, fb(Math.fma(fx, fy, fz)), f.fmaddS(sa, sb, sc, RNE));
            long n = r.nextLong() >> r.nextInt(64);
            same(failures, "cvtSL", n, 0, fb((float) n), f.cvtSL(n, RNE));
            same(failures, "cvtDL", n, 0, db((double) n), f.cvtDL(n, RNE));
        }
        report(failures);
    }

    /** Compares with Java's result, any NaN from Java standing for the canonical NaN. */
    private static void same(List<String> failures, String name, long a, long b, long javaBits, long got) {
        boolean single = name.endsWith("S") || name.equals("cvtSD") || name.equals("cvtSL");
        long want = single ? (Float.isNaN(Float.intBitsToFloat((int) javaBits)) ? 0x7fc0_0000 : javaBits)
                : (Double.isNaN(Double.longBitsToDouble(javaBits)) ? QNAN_D : javaBits);
        if (single ? (int) want != (int) got : want != got) {
            failures.add("%s(0x%x, 0x%x): want 0x%x got 0x%x".formatted(name, a, b, want, got));
        }
    }

    @Test
    void randomMinMaxAndCompare() {
        Random r = new Random(9);
        for (int i = 0; i < ITERATIONS; i++) {
            long a = randomFinite(r, Fmt.D), b = r.nextInt(4) == 0 ? a ^ Long.MIN_VALUE : randomFinite(r, Fmt.D);
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
            // Java's Math.min/max also order -0 below +0
            assertEquals(d(Math.min(x, y), 0), run(f -> f.minD(a, b)));
            assertEquals(d(Math.max(x, y), 0), run(f -> f.maxD(a, b)));
            assertEquals(new R(x < y ? 1 : 0, 0), run(f -> f.fltD(a, b)));
            assertEquals(new R(x <= y ? 1 : 0, 0), run(f -> f.fleD(a, b)));
            assertEquals(new R(x == y ? 1 : 0, 0), run(f -> f.feqD(a, b)));
            int sa = (int) randomFinite(r, Fmt.S), sb = r.nextInt(4) == 0 ? sa ^ 0x8000_0000 : (int) randomFinite(r, Fmt.S);
            float fx = Float.intBitsToFloat(sa), fy = Float.intBitsToFloat(sb);
            assertEquals(s(Math.min(fx, fy), 0), runS(f -> f.minS(sa, sb)));
            assertEquals(s(Math.max(fx, fy), 0), runS(f -> f.maxS(sa, sb)));
            assertEquals(new R(fx < fy ? 1 : 0, 0), run(f -> f.fltS(sa, sb)));
        }
    }

    // =================================================================== reference model

    private static BigDecimal bd(double v) {
        return new BigDecimal(v);
    }

    /**
     * How an exact zero sum x + y is signed: zeros of the same sign keep it; anything else gives
     * NaN here, meaning +0, or -0 when rounding down (see {@link Exact}).
     */
    private static double zeroSum(double x, double y) {
        return x == 0 && y == 0 && Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y) ? x : Double.NaN;
    }

    /**
     * An exact real result known through comparisons, so quotients and roots need no expansion.
     * zeroBits describes an exact zero: a signed zero to return, or NaN meaning "an exact zero
     * sum of nonzero or mixed-sign terms" (+0, or -0 when rounding down).
     */
    record Exact(int signum, ToIntFunction<BigDecimal> cmpAbs, double approxAbs, double zero) {
        static Exact of(BigDecimal v, double zero) {
            BigDecimal abs = v.abs();
            return new Exact(v.signum(), abs::compareTo, abs.doubleValue(), zero);
        }

        static Exact quotient(double x, double y) {
            BigDecimal ax = bd(Math.abs(x)), ay = bd(Math.abs(y));
            boolean neg = Math.copySign(1, x) != Math.copySign(1, y);
            int sign = x == 0 ? 0 : neg ? -1 : 1;
            double zero = neg ? -0.0 : 0.0;
            return new Exact(sign, t -> ax.compareTo(t.multiply(ay)), Math.abs(x / y), zero);
        }

        static Exact root(double x) {
            BigDecimal v = bd(x);
            return new Exact(x == 0 ? 0 : 1, t -> v.compareTo(t.multiply(t)), Math.sqrt(x), x);
        }
    }

    /**
     * Textbook IEEE rounding on BigDecimal magnitudes: locate the representable neighbours of the
     * exact value by walking from an approximation, then choose per rounding mode. Tininess is
     * judged after rounding to the target precision with an unbounded exponent.
     */
    static final class Reference {
        static R round(Exact x, Fmt fmt, int rm) {
            if (x.signum() == 0) {
                double z = Double.isNaN(x.zero()) ? (rm == RDN ? -0.0 : 0.0) : x.zero();
                return new R(fmt.toBits(z), 0);
            }
            boolean neg = x.signum() < 0;
            boolean up = (rm == RUP && !neg) || (rm == RDN && neg);
            boolean down = rm == RTZ || (rm == RDN && !neg) || (rm == RUP && neg);
            BigDecimal overflowEdge = pow2(fmt.emax + 1);
            double inf = Double.POSITIVE_INFINITY;
            if (x.cmpAbs().applyAsInt(overflowEdge) >= 0) {
                return new R(fmt.toBits(signed(down ? fmt.max() : inf, neg)), OF | NX);
            }
            double lo = lowerNeighbour(x, fmt);
            if (x.cmpAbs().applyAsInt(bd(lo)) == 0) {
                return new R(fmt.toBits(signed(lo, neg)), 0);
            }
            BigDecimal hi = lo == fmt.max() ? overflowEdge : bd(fmt.up(lo));
            boolean pickHi = choose(x, bd(lo), hi, isOdd(fmt, lo), rm, up);
            if (pickHi && lo == fmt.max()) {
                return new R(fmt.toBits(signed(inf, neg)), OF | NX);
            }
            int flags = NX | (isTiny(x, fmt, rm, up) ? UF : 0);
            return new R(fmt.toBits(signed(pickHi ? fmt.up(lo) : lo, neg)), flags);
        }

        /** Largest representable magnitude <= |x|. */
        private static double lowerNeighbour(Exact x, Fmt fmt) {
            double c = fmt.narrow(Math.min(x.approxAbs(), fmt.max()));
            while (c < fmt.max() && x.cmpAbs().applyAsInt(bd(c)) > 0) {
                c = fmt.up(c);
            }
            while (x.cmpAbs().applyAsInt(bd(c)) < 0) {
                c = fmt.down(c);
            }
            return c;
        }

        private static boolean choose(Exact x, BigDecimal lo, BigDecimal hi, boolean loOdd, int rm, boolean up) {
            int c = x.cmpAbs().applyAsInt(lo.add(hi).divide(BigDecimal.TWO));
            return switch (rm) {
                case RNE -> c > 0 || (c == 0 && loOdd);
                case RMM -> c >= 0;
                default -> up;
            };
        }

        private static boolean isTiny(Exact x, Fmt fmt, int rm, boolean up) {
            int emin = 1 - fmt.emax;
            BigDecimal minNormal = pow2(emin);
            if (x.cmpAbs().applyAsInt(minNormal) >= 0) {
                return false;
            }
            BigDecimal below = minNormal.subtract(pow2(emin - fmt.prec));     // last p-bit value below 2^emin
            if (x.cmpAbs().applyAsInt(below) <= 0) {
                return true;
            }
            return !choose(x, below, minNormal, true, rm, up);               // `below` is odd
        }

        private static boolean isOdd(Fmt fmt, double v) {
            return (fmt.toBits(v) & 1) != 0;
        }

        private static double signed(double v, boolean neg) {
            return neg ? -v : v;
        }

        private static BigDecimal pow2(int k) {
            return k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k))
                    : new BigDecimal(BigInteger.valueOf(5).pow(-k), -k);
        }
    }
}
