package dev.nucleo.cpu;

import java.math.BigInteger;

/**
 * IEEE-754 binary32/binary64 arithmetic with the RISC-V F and D rules.
 *
 * <p>Operands and results are raw bit patterns: float bits in an {@code int}, double bits in a
 * {@code long} (NaN-boxing is the caller's business). Each operation takes an already resolved
 * rounding mode and ORs the exception flags it raises into {@link #flags}. NaN results are always
 * the canonical NaN, and underflow is signalled when a result is tiny <em>after</em> rounding and
 * inexact.
 *
 * <p>How it is computed: Java arithmetic only rounds to nearest-even, so binary64 operations
 * first take the native result and recover the sign of the rounding error with an error-free
 * transform (TwoSum for sums, an fma residual for products, quotients and square roots). That
 * yields the inexact flag, and the directed modes then move at most one ulp. Binary32 operations
 * are evaluated in binary64 with the same error terms; an inexact intermediate that lands on a
 * binary32 rounding boundary is nudged one binary64 ulp towards the exact value, which makes the
 * final narrowing a single correct rounding in every mode. Whatever the binary64 fast paths cannot
 * prove safe (results near the subnormal or overflow range, infinities and NaNs, fma in
 * round-to-max-magnitude) is computed exactly with {@link BigInteger} and rounded by
 * {@link #roundPack}.
 */
public final class Fpu {
    /** Accrued exception flags in the fflags layout. */
    public int flags;

    public static final int NV = 0x10, DZ = 0x08, OF = 0x04, UF = 0x02, NX = 0x01;
    public static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

    static final int CANONICAL_NAN_S = 0x7fc0_0000;
    static final long CANONICAL_NAN_D = 0x7ff8_0000_0000_0000L;

    private static final int SIGN_S = 0x8000_0000;
    private static final int INF_S = 0x7f80_0000;
    private static final int QUIET_S = 0x0040_0000;
    private static final long SIGN_D = 0x8000_0000_0000_0000L;
    private static final long INF_D = 0x7ff0_0000_0000_0000L;
    private static final long QUIET_D = 0x0008_0000_0000_0000L;
    private static final long MANT_D = 0x000f_ffff_ffff_ffffL;
    private static final long HIDDEN_D = 0x0010_0000_0000_0000L;

    /** Binary64 significand bits below binary32 precision + 1: clear on every binary32 float and midpoint. */
    private static final long BELOW_S_GRID = 0x0fff_ffffL;
    /** From this magnitude up, fma residuals of products/quotients/roots cannot underflow. */
    private static final double EFT_MIN = 0x1p-969;
    /** Below this magnitude the fma error expansion cannot overflow. */
    private static final double EFT_MAX = 0x1p1020;
    /** Sum operands below this magnitude keep every TwoSum step finite. */
    private static final double TWO_SUM_LIMIT = 0x1p1022;
    private static final long TWO_POW_53 = 1L << 53;

    // ------------------------------------------------------------------ binary32 arithmetic

    public int addS(int a, int b, int rm) {
        double x = f2d(a), y = f2d(b), s = x + y;
        if (s != s) {
            return nanS(a, b, !isNaNS(a) && !isNaNS(b));          // inf - inf
        }
        double err = Double.isInfinite(s) ? 0 : sumError(x, y, s);
        if (s == 0) {
            s = zeroSum(x, y, rm);
        }
        return roundToFloat(offGrid(s, err), rm);
    }

    public int subS(int a, int b, int rm) {
        return addS(a, b ^ SIGN_S, rm);
    }

    public int mulS(int a, int b, int rm) {
        double p = f2d(a) * f2d(b);                                   // exact: 48-bit product
        if (p != p) {
            return nanS(a, b, !isNaNS(a) && !isNaNS(b));          // 0 * inf
        }
        return roundToFloat(p, rm);
    }

    public int divS(int a, int b, int rm) {
        double x = f2d(a), y = f2d(b), q = x / y;
        if (q != q) {
            return nanS(a, b, !isNaNS(a) && !isNaNS(b));          // 0/0, inf/inf
        }
        if (y == 0) {
            if (!Double.isInfinite(x)) {
                flags |= DZ;
            }
            return roundToFloat(q, rm);
        }
        if (needsResidual(q)) {                                       // only exact quotients, in fact
            double r = Math.fma(-q, y, x);                            // x - q*y; exact quotient is q + r/y
            q = offGrid(q, y > 0 ? r : -r);
        }
        return roundToFloat(q, rm);
    }

    public int sqrtS(int a, int rm) {
        if (isNaNS(a)) {
            return nanS(a, a, false);
        }
        double x = f2d(a);
        if (x < 0) {
            return nanS(a, a, true);
        }
        double s = Math.sqrt(x);
        if (needsResidual(s)) {
            s = offGrid(s, Math.fma(-s, s, x));
        }
        return roundToFloat(s, rm);
    }

    public int fmaddS(int a, int b, int c, int rm) {
        return fmaS(a, b, c, rm);
    }

    public int fmsubS(int a, int b, int c, int rm) {
        return fmaS(a, b, c ^ SIGN_S, rm);
    }

    public int fnmsubS(int a, int b, int c, int rm) {
        return fmaS(a ^ SIGN_S, b, c, rm);
    }

    public int fnmaddS(int a, int b, int c, int rm) {
        return fmaS(a ^ SIGN_S, b, c ^ SIGN_S, rm);
    }

    private int fmaS(int a, int b, int c, int rm) {
        double x = f2d(a), y = f2d(b), z = f2d(c);
        double p = x * y;                                             // exact
        double s = p + z;
        if (s != s) {
            boolean anyNaN = isNaNS(a) || isNaNS(b) || isNaNS(c);
            boolean invalid = zeroTimesInf(x, y) || !anyNaN;          // 0*inf even with a qNaN addend
            if (invalid || isSNaNS(a) || isSNaNS(b) || isSNaNS(c)) {
                flags |= NV;
            }
            return CANONICAL_NAN_S;
        }
        double err = Double.isInfinite(s) ? 0 : sumError(p, z, s);
        if (s == 0) {
            s = zeroSum(p, z, rm);
        }
        return roundToFloat(offGrid(s, err), rm);
    }

    public int minS(int a, int b) {
        return minMaxS(a, b, true);
    }

    public int maxS(int a, int b) {
        return minMaxS(a, b, false);
    }

    private int minMaxS(int a, int b, boolean min) {
        boolean na = isNaNS(a), nb = isNaNS(b);
        if (isSNaNS(a) || isSNaNS(b)) {
            flags |= NV;
        }
        if (na) {
            return nb ? CANONICAL_NAN_S : b;
        }
        if (nb) {
            return a;
        }
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b);
        if (x != y) {
            return (x < y) == min ? a : b;
        }
        return min ? a | b : a & b;                                    // only +0/-0 differ: -0 < +0
    }

    public long feqS(int a, int b) {
        if (isSNaNS(a) || isSNaNS(b)) {
            flags |= NV;
        }
        return Float.intBitsToFloat(a) == Float.intBitsToFloat(b) ? 1 : 0;
    }

    public long fltS(int a, int b) {
        if (isNaNS(a) || isNaNS(b)) {
            flags |= NV;
            return 0;
        }
        return Float.intBitsToFloat(a) < Float.intBitsToFloat(b) ? 1 : 0;
    }

    public long fleS(int a, int b) {
        if (isNaNS(a) || isNaNS(b)) {
            flags |= NV;
            return 0;
        }
        return Float.intBitsToFloat(a) <= Float.intBitsToFloat(b) ? 1 : 0;
    }

    public static long classS(int a) {
        int exp = (a >>> 23) & 0xff, man = a & 0x7f_ffff;
        return fclass(a < 0, exp == 0xff, exp == 0, man == 0, (man & QUIET_S) != 0);
    }

    // ------------------------------------------------------------------ binary32 conversions

    public long cvtWS(int a, int rm) {
        return toInt32(f2d(a), rm);
    }

    public long cvtWuS(int a, int rm) {
        return toUint32(f2d(a), rm);
    }

    public long cvtLS(int a, int rm) {
        return toInt64(f2d(a), rm);
    }

    public long cvtLuS(int a, int rm) {
        return toUint64(f2d(a), rm);
    }

    public int cvtSW(long x, int rm) {
        return roundToFloat((int) x, rm);
    }

    public int cvtSWu(long x, int rm) {
        return roundToFloat(x & 0xffff_ffffL, rm);
    }

    public int cvtSL(long x, int rm) {
        if (x >= -TWO_POW_53 && x <= TWO_POW_53) {
            return roundToFloat(x, rm);                               // exact in double
        }
        return (int) fromLong(x < 0, x < 0 ? -x : x, rm, false);
    }

    public int cvtSLu(long x, int rm) {
        if (x >= 0 && x <= TWO_POW_53) {
            return roundToFloat(x, rm);
        }
        return (int) fromLong(false, x, rm, false);
    }

    public int cvtSD(long d, int rm) {
        if (isNaND(d)) {
            return nanS(0, 0, isSNaND(d));
        }
        return roundToFloat(Double.longBitsToDouble(d), rm);
    }

    public long cvtDS(int s) {
        if (isNaNS(s)) {
            return nanD(0, 0, isSNaNS(s));
        }
        return Double.doubleToRawLongBits(f2d(s));                     // widening is exact
    }

    // ------------------------------------------------------------------ binary64 arithmetic

    public long addD(long a, long b, int rm) {
        double x = d(a), y = d(b);
        if (Math.abs(x) < TWO_SUM_LIMIT && Math.abs(y) < TWO_SUM_LIMIT) {
            double s = x + y, err = sumError(x, y, s);                // a tiny sum is always exact
            if (rm == RNE) {
                return nearest(s, err);                               // Java's zero sign is the RNE one
            }
            if (err != 0) {
                return directed(s, err, rm == RMM && isTie(s, err), rm);
            }
            return bits(s == 0 ? zeroSum(x, y, rm) : s);
        }
        return addSlowD(a, b, rm);
    }

    public long subD(long a, long b, int rm) {
        return addD(a, b ^ SIGN_D, rm);
    }

    public long mulD(long a, long b, int rm) {
        double x = d(a), y = d(b), p = x * y, ap = Math.abs(p);
        if (ap >= EFT_MIN && ap < Double.MAX_VALUE) {
            double err = Math.fma(x, y, -p);                          // exact product error
            if (rm == RNE) {
                return nearest(p, err);
            }
            return err != 0 ? directed(p, err, rm == RMM && isTie(p, err), rm) : bits(p);
        }
        return mulSlowD(a, b, rm);
    }

    public long divD(long a, long b, int rm) {
        double x = d(a), y = d(b), q = x / y, aq = Math.abs(q);
        if (aq > Double.MIN_NORMAL && aq < Double.MAX_VALUE && Math.abs(x) >= EFT_MIN) {
            double r = Math.fma(-q, y, x);                            // sign of x/y - q is sign(r*y)
            if (rm == RNE) {
                return nearest(q, r);
            }
            return r != 0 ? directed(q, y > 0 ? r : -r, false, rm) : bits(q);   // never a tie
        }
        return divSlowD(a, b, rm);
    }

    public long sqrtD(long a, int rm) {
        double x = d(a);
        if (x >= EFT_MIN && x <= Double.MAX_VALUE) {
            double s = Math.sqrt(x), r = Math.fma(-s, s, x);
            if (rm == RNE) {
                return nearest(s, r);
            }
            return r != 0 ? directed(s, r, false, rm) : bits(s);      // never a tie
        }
        return sqrtSlowD(a, rm);
    }

    public long fmaddD(long a, long b, long c, int rm) {
        return fmaD(a, b, c, rm);
    }

    public long fmsubD(long a, long b, long c, int rm) {
        return fmaD(a, b, c ^ SIGN_D, rm);
    }

    public long fnmsubD(long a, long b, long c, int rm) {
        return fmaD(a ^ SIGN_D, b, c, rm);
    }

    public long fnmaddD(long a, long b, long c, int rm) {
        return fmaD(a ^ SIGN_D, b, c ^ SIGN_D, rm);
    }

    private long fmaD(long a, long b, long c, int rm) {
        double x = d(a), y = d(b), z = d(c);
        double r = Math.fma(x, y, z), ar = Math.abs(r);
        if (rm != RMM && ar > Double.MIN_NORMAL && ar < EFT_MAX) {
            double p = x * y, ap = Math.abs(p);
            if (ap >= EFT_MIN && ap < EFT_MAX && Math.abs(z) < EFT_MAX) {
                double dir = fmaErrorSign(x, y, z, p, r);
                if (rm == RNE) {
                    return nearest(r, dir);
                }
                return dir != 0 ? directed(r, dir, false, rm) : bits(r);
            }
        }
        return fmaSlowD(a, b, c, rm);
    }

    /**
     * A double with the exact sign of x*y + z - r (zero when r is exact). x*y = p + e is split with
     * an fma, then the terms are summed into a non-overlapping expansion (Shewchuk's
     * Grow-Expansion, twice), whose sign is that of its largest nonzero component.
     */
    private static double fmaErrorSign(double x, double y, double z, double p, double r) {
        double e = Math.fma(x, y, -p);
        double q0 = z + e, h0 = sumError(z, e, q0);
        double h2 = q0 + p, h1 = sumError(q0, p, h2);
        double t0 = h0 - r, g0 = sumError(-r, h0, t0);
        double t1 = t0 + h1, g1 = sumError(t0, h1, t1);
        double g3 = t1 + h2, g2 = sumError(t1, h2, g3);
        return g3 != 0 ? g3 : g2 != 0 ? g2 : g1 != 0 ? g1 : g0;
    }

    public long minD(long a, long b) {
        return minMaxD(a, b, true);
    }

    public long maxD(long a, long b) {
        return minMaxD(a, b, false);
    }

    private long minMaxD(long a, long b, boolean min) {
        boolean na = isNaND(a), nb = isNaND(b);
        if (isSNaND(a) || isSNaND(b)) {
            flags |= NV;
        }
        if (na) {
            return nb ? CANONICAL_NAN_D : b;
        }
        if (nb) {
            return a;
        }
        double x = d(a), y = d(b);
        if (x != y) {
            return (x < y) == min ? a : b;
        }
        return min ? a | b : a & b;
    }

    public long feqD(long a, long b) {
        if (isSNaND(a) || isSNaND(b)) {
            flags |= NV;
        }
        return d(a) == d(b) ? 1 : 0;
    }

    public long fltD(long a, long b) {
        if (isNaND(a) || isNaND(b)) {
            flags |= NV;
            return 0;
        }
        return d(a) < d(b) ? 1 : 0;
    }

    public long fleD(long a, long b) {
        if (isNaND(a) || isNaND(b)) {
            flags |= NV;
            return 0;
        }
        return d(a) <= d(b) ? 1 : 0;
    }

    public static long classD(long a) {
        int exp = (int) (a >>> 52) & 0x7ff;
        long man = a & MANT_D;
        return fclass(a < 0, exp == 0x7ff, exp == 0, man == 0, (man & QUIET_D) != 0);
    }

    // ------------------------------------------------------------------ binary64 conversions

    public long cvtWD(long a, int rm) {
        return toInt32(d(a), rm);
    }

    public long cvtWuD(long a, int rm) {
        return toUint32(d(a), rm);
    }

    public long cvtLD(long a, int rm) {
        return toInt64(d(a), rm);
    }

    public long cvtLuD(long a, int rm) {
        return toUint64(d(a), rm);
    }

    public long cvtDW(long x, int rm) {
        return bits((int) x);
    }

    public long cvtDWu(long x, int rm) {
        return bits(x & 0xffff_ffffL);
    }

    public long cvtDL(long x, int rm) {
        if (x >= -TWO_POW_53 && x <= TWO_POW_53) {
            return bits(x);
        }
        return fromLong(x < 0, x < 0 ? -x : x, rm, true);
    }

    public long cvtDLu(long x, int rm) {
        if (x >= 0 && x <= TWO_POW_53) {
            return bits(x);
        }
        return fromLong(false, x, rm, true);
    }

    // ------------------------------------------------------------------ fast-path helpers

    /**
     * Rounds a binary64 value to binary32. Callers pass the exact value or one prepared by
     * {@link #offGrid}, so this single rounding is correct in every mode, flags included.
     */
    private int roundToFloat(double v, int rm) {
        float f = (float) v, af = Math.abs(f);
        if (af > Float.MIN_NORMAL && af < Float.MAX_VALUE) {         // no overflow, not tiny
            double err = v - f;                                       // exact (Sterbenz)
            flags |= err != 0 ? NX : 0;
            if (rm != RNE && err != 0) {
                f = directedS(f, err, rm);
            }
            return Float.floatToRawIntBits(f);
        }
        if (v == 0 || Double.isInfinite(v)) {
            return Float.floatToRawIntBits(f);
        }
        long b = Double.doubleToRawLongBits(v);
        int field = (int) (b >>> 52) & 0x7ff;
        long man = b & MANT_D;
        if (field != 0) {
            return (int) roundPack(b < 0, field - 1023, (man | HIDDEN_D) << 10, rm, false);
        }
        int lz = Long.numberOfLeadingZeros(man);                     // binary64 subnormal input
        return (int) roundPack(b < 0, -1011 - lz, man << (lz - 1), rm, false);
    }

    /** Adjusts the nearest-even result f when the exact value is f + err (err != 0, f normal). */
    private static float directedS(float f, double err, int rm) {
        return switch (rm) {
            case RTZ -> (err < 0) == (f > 0) ? Math.nextAfter(f, 0.0) : f;
            case RDN -> err < 0 ? Math.nextDown(f) : f;
            case RUP -> err > 0 ? Math.nextUp(f) : f;
            case RMM -> {
                float n = err > 0 ? Math.nextUp(f) : Math.nextDown(f);
                boolean tie = (double) n - f == 2 * err;
                yield tie && Math.abs(n) > Math.abs(f) ? n : f;
            }
            default -> f;
        };
    }

    /** The nearest-even result r of a value r + err: only NX can arise (the caller excluded OF/UF). */
    private long nearest(double r, double err) {
        flags |= err != 0 ? NX : 0;
        return bits(r);
    }

    /** Sets NX and turns the nearest-even result s into the rm result; dir != 0 has the sign of exact - s. */
    private long directed(double s, double dir, boolean tie, int rm) {
        flags |= NX;
        double r = switch (rm) {
            case RTZ -> (dir < 0) == (s > 0) ? Math.nextAfter(s, 0.0) : s;
            case RDN -> dir < 0 ? Math.nextDown(s) : s;
            case RUP -> dir > 0 ? Math.nextUp(s) : s;
            case RMM -> {
                double n = dir > 0 ? Math.nextUp(s) : Math.nextDown(s);
                yield tie && Math.abs(n) > Math.abs(s) ? n : s;
            }
            default -> s;
        };
        return bits(r);
    }

    /** True when s + err lies exactly halfway between s and its neighbour in err's direction. */
    private static boolean isTie(double s, double err) {
        double n = err > 0 ? Math.nextUp(s) : Math.nextDown(s);
        return n - s == 2 * err;
    }

    /**
     * Exact error of the rounded sum s = a + b (Knuth's branch-free TwoSum). Callers keep the
     * operands below 2^1022 in magnitude, where none of its steps can overflow.
     */
    private static double sumError(double a, double b, double s) {
        double bv = s - a, av = s - bv;
        return (a - av) + (b - bv);
    }

    /**
     * Prepares a binary64 intermediate s = RN(exact) for narrowing. Every binary32 rounding
     * boundary (floats and midpoints, also with unbounded exponent) has its low 28 binary64
     * significand bits clear; off those, s is on the same side of every boundary as the exact value.
     * On one while inexact (dir = sign of exact - s), step one binary64 ulp towards the exact value.
     */
    private static double offGrid(double s, double dir) {
        if ((Double.doubleToRawLongBits(s) & BELOW_S_GRID) != 0 || dir == 0) {
            return s;
        }
        return dir > 0 ? Math.nextUp(s) : Math.nextDown(s);
    }

    /** Whether a nonzero finite double lands on the binary32 rounding grid, where the residual matters. */
    private static boolean needsResidual(double v) {
        return (Double.doubleToRawLongBits(v) & BELOW_S_GRID) == 0 && v != 0 && !Double.isInfinite(v);
    }

    /**
     * The sign of an exact zero sum of terms signed like p and z: zeros of equal sign keep it,
     * anything else (mixed zeros, cancelling nonzero terms) gives +0, or -0 when rounding down.
     */
    private static double zeroSum(double p, double z, int rm) {
        if (p == 0 && z == 0 && Double.doubleToRawLongBits(p) == Double.doubleToRawLongBits(z)) {
            return p;
        }
        return rm == RDN ? -0.0 : 0.0;
    }

    private static boolean zeroTimesInf(double x, double y) {
        return (Double.isInfinite(x) && y == 0) || (x == 0 && Double.isInfinite(y));
    }

    // ------------------------------------------------------------------ exact binary64 paths

    private long addSlowD(long a, long b, int rm) {
        if (isNaND(a) || isNaND(b)) {
            return nanD(a, b, false);
        }
        boolean ia = isInfD(a), ib = isInfD(b);
        if (ia || ib) {
            if (ia && ib && (a ^ b) < 0) {
                return nanD(a, b, true);
            }
            return ia ? a : b;
        }
        return exactSum(signed(a, sigD(a)), expD(a), signed(b, sigD(b)), expD(b), d(a), d(b), rm);
    }

    private long mulSlowD(long a, long b, int rm) {
        if (isNaND(a) || isNaND(b)) {
            return nanD(a, b, false);
        }
        long sign = (a ^ b) & SIGN_D;
        if (isInfD(a) || isInfD(b)) {
            return isZeroD(a) || isZeroD(b) ? nanD(a, b, true) : sign | INF_D;
        }
        if (isZeroD(a) || isZeroD(b)) {
            return sign;
        }
        BigInteger product = BigInteger.valueOf(sigD(a)).multiply(BigInteger.valueOf(sigD(b)));
        return roundBig(sign != 0, product, expD(a) + expD(b), false, rm);
    }

    private long divSlowD(long a, long b, int rm) {
        if (isNaND(a) || isNaND(b)) {
            return nanD(a, b, false);
        }
        long sign = (a ^ b) & SIGN_D;
        if (isInfD(a)) {
            return isInfD(b) ? nanD(a, b, true) : sign | INF_D;
        }
        if (isInfD(b)) {
            return sign;
        }
        if (isZeroD(b)) {
            if (isZeroD(a)) {
                return nanD(a, b, true);
            }
            flags |= DZ;
            return sign | INF_D;
        }
        if (isZeroD(a)) {
            return sign;
        }
        BigInteger num = BigInteger.valueOf(sigD(a)), den = BigInteger.valueOf(sigD(b));
        int k = Math.max(0, 66 + den.bitLength() - num.bitLength());  // quotient gets >= 66 bits
        BigInteger[] qr = num.shiftLeft(k).divideAndRemainder(den);
        return roundBig(sign != 0, qr[0], expD(a) - expD(b) - k, qr[1].signum() != 0, rm);
    }

    private long sqrtSlowD(long a, int rm) {
        if (isNaND(a)) {
            return nanD(a, a, false);
        }
        if (isZeroD(a)) {
            return a;                                                 // sqrt(-0) = -0
        }
        if (a < 0) {
            return nanD(a, a, true);
        }
        if (isInfD(a)) {
            return a;
        }
        BigInteger sig = BigInteger.valueOf(sigD(a));
        int e = expD(a);
        int k = Math.max(0, 130 - sig.bitLength());                   // root gets >= 65 bits
        if (((e - k) & 1) != 0) {
            k++;                                                      // keep the exponent even
        }
        BigInteger[] rr = sig.shiftLeft(k).sqrtAndRemainder();
        return roundBig(false, rr[0], (e - k) / 2, rr[1].signum() != 0, rm);
    }

    private long fmaSlowD(long a, long b, long c, int rm) {
        boolean zeroInf = (isInfD(a) && isZeroD(b)) || (isZeroD(a) && isInfD(b));
        if (isNaND(a) || isNaND(b) || isNaND(c)) {
            if (zeroInf || isSNaND(a) || isSNaND(b) || isSNaND(c)) {
                flags |= NV;
            }
            return CANONICAL_NAN_D;
        }
        if (zeroInf) {
            return nanD(a, b, true);
        }
        long productSign = (a ^ b) & SIGN_D;
        if (isInfD(a) || isInfD(b)) {
            if (isInfD(c) && (c & SIGN_D) != productSign) {
                return nanD(a, c, true);                              // inf - inf
            }
            return productSign | INF_D;
        }
        if (isInfD(c)) {
            return c;
        }
        if (isZeroD(a) || isZeroD(b)) {                              // exact zero product
            return isZeroD(c) ? bits(zeroSum(productSign != 0 ? -0.0 : 0.0, d(c), rm)) : c;
        }
        BigInteger product = BigInteger.valueOf(sigD(a)).multiply(BigInteger.valueOf(sigD(b)));
        return exactSum(productSign != 0 ? product.negate() : product, expD(a) + expD(b),
                signed(c, sigD(c)), expD(c), productSign != 0 ? -1.0 : 1.0, d(c), rm);
    }

    /** Rounds x*2^ex + y*2^ey; zx/zy carry the operand signs for the exact-zero rule. */
    private long exactSum(BigInteger x, int ex, BigInteger y, int ey, double zx, double zy, int rm) {
        int e = Math.min(ex, ey);
        BigInteger sum = x.shiftLeft(ex - e).add(y.shiftLeft(ey - e));
        if (sum.signum() == 0) {
            return bits(zeroSum(zx, zy, rm));
        }
        return roundBig(sum.signum() < 0, sum.abs(), e, false, rm);
    }

    /** Rounds (mag + sticky*tiny) * 2^exp2 to binary64; mag must be nonzero. */
    private long roundBig(boolean neg, BigInteger mag, int exp2, boolean sticky, int rm) {
        int len = mag.bitLength();
        long sig;
        if (len > 63) {
            int drop = len - 63;
            sig = mag.shiftRight(drop).longValue();
            if (sticky || mag.getLowestSetBit() < drop) {
                sig |= 1;
            }
        } else {
            sig = mag.longValue() << (63 - len);
            if (sticky) {
                sig |= 1;
            }
        }
        return roundPack(neg, exp2 + len - 1, sig, rm, true);
    }

    // ------------------------------------------------------------------ core rounding

    /**
     * Rounds the value sig * 2^(exp-62) to binary32 or binary64 and packs it. sig lies in
     * [2^62, 2^63) and its bit 0 is sticky (OR of everything below), which is enough for every
     * mode. Raises NX, UF (tiny after rounding and inexact) and OF.
     */
    private long roundPack(boolean neg, int exp, long sig, int rm, boolean dbl) {
        int prec = dbl ? 53 : 24, emax = dbl ? 1023 : 127, emin = 1 - emax;
        long sign = neg ? (dbl ? SIGN_D : 0x8000_0000L) : 0;
        if (exp > emax) {
            return overflow(sign, rm, prec, emax);
        }
        int extra = 63 - prec;
        int shift = exp >= emin ? extra : extra + Math.min(emin - exp, 64);
        long m = roundShift(sig, shift, neg, rm);
        boolean inexact = shift > 63 || (sig & ((1L << shift) - 1)) != 0;
        int e = Math.max(exp, emin);
        if (m == 1L << prec) {                                        // carried into the next binade
            m >>>= 1;
            if (++e > emax) {
                return overflow(sign, rm, prec, emax);
            }
        }
        if (inexact) {
            flags |= NX;
            if (exp < emin - 1 || (exp == emin - 1 && roundShift(sig, extra, neg, rm) < 1L << prec)) {
                flags |= UF;                                          // tiny even with unbounded exponent
            }
        }
        return sign | ((((long) (e + emax - 1)) << (prec - 1)) + m);  // the hidden bit bumps the exponent
    }

    private long overflow(long sign, int rm, int prec, int emax) {
        flags |= OF | NX;
        long inf = ((long) (2 * emax + 1)) << (prec - 1);
        boolean toMax = rm == RTZ || rm == (sign != 0 ? RUP : RDN);
        return sign | (toMax ? inf - 1 : inf);
    }

    /** sig >>> shift, rounded per rm using the shifted-out bits. */
    private static long roundShift(long sig, int shift, boolean neg, int rm) {
        if (shift > 63) {                                             // below half an ulp, nonzero
            return (rm == RUP && !neg) || (rm == RDN && neg) ? 1 : 0;
        }
        long q = sig >>> shift;
        long rem = sig & ((1L << shift) - 1);
        long half = 1L << (shift - 1);
        boolean up = switch (rm) {
            case RNE -> rem > half || (rem == half && (q & 1) != 0);
            case RTZ -> false;
            case RDN -> neg && rem != 0;
            case RUP -> !neg && rem != 0;
            default -> rem >= half;
        };
        return up ? q + 1 : q;
    }

    /** Converts the unsigned magnitude mag (nonzero) to binary32/64. */
    private long fromLong(boolean neg, long mag, int rm, boolean dbl) {
        int lz = Long.numberOfLeadingZeros(mag);
        long sig = lz == 0 ? (mag >>> 1) | (mag & 1) : mag << (lz - 1);
        return roundPack(neg, 63 - lz, sig, rm, dbl);
    }

    // ------------------------------------------------------------------ integer conversions

    private long toInt32(double x, int rm) {
        if (x != x) {
            return invalid(Integer.MAX_VALUE);
        }
        double r = roundToIntegral(x, rm);
        if (r > Integer.MAX_VALUE) {
            return invalid(Integer.MAX_VALUE);
        }
        if (r < Integer.MIN_VALUE) {
            return invalid(Integer.MIN_VALUE);
        }
        return inexactIf(r != x, (long) r);
    }

    /** RV64 sign-extends the 32-bit unsigned result. */
    private long toUint32(double x, int rm) {
        if (x != x) {
            return invalid(-1L);
        }
        double r = roundToIntegral(x, rm);
        if (r > 0xffff_ffffL) {
            return invalid(-1L);
        }
        if (r < 0) {
            return invalid(0);
        }
        return inexactIf(r != x, (int) (long) r);
    }

    private long toInt64(double x, int rm) {
        if (x != x) {
            return invalid(Long.MAX_VALUE);
        }
        double r = roundToIntegral(x, rm);
        if (r >= 0x1p63) {
            return invalid(Long.MAX_VALUE);
        }
        if (r < -0x1p63) {
            return invalid(Long.MIN_VALUE);
        }
        return inexactIf(r != x, (long) r);
    }

    private long toUint64(double x, int rm) {
        if (x != x) {
            return invalid(-1L);
        }
        double r = roundToIntegral(x, rm);
        if (r >= 0x1p64) {
            return invalid(-1L);
        }
        if (r < 0) {
            return invalid(0);
        }
        return inexactIf(r != x, r >= 0x1p63 ? (long) (r - 0x1p63) | Long.MIN_VALUE : (long) r);
    }

    private long invalid(long saturated) {
        flags |= NV;
        return saturated;
    }

    private long inexactIf(boolean inexact, long value) {
        if (inexact) {
            flags |= NX;
        }
        return value;
    }

    private static double roundToIntegral(double x, int rm) {
        return switch (rm) {
            case RNE -> Math.rint(x);
            case RTZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RDN -> Math.floor(x);
            case RUP -> Math.ceil(x);
            default -> {
                double ax = Math.abs(x), t = Math.floor(ax);
                yield Math.copySign(ax - t >= 0.5 ? t + 1 : t, x);    // ax - t is exact
            }
        };
    }

    // ------------------------------------------------------------------ bits and NaNs

    private static long fclass(boolean neg, boolean maxExp, boolean zeroExp, boolean zeroMan, boolean quiet) {
        int bit;
        if (maxExp) {
            bit = !zeroMan ? (quiet ? 9 : 8) : neg ? 0 : 7;
        } else if (zeroExp) {
            bit = zeroMan ? (neg ? 3 : 4) : (neg ? 2 : 5);
        } else {
            bit = neg ? 1 : 6;
        }
        return 1L << bit;
    }

    private int nanS(int a, int b, boolean invalid) {
        if (invalid || isSNaNS(a) || isSNaNS(b)) {
            flags |= NV;
        }
        return CANONICAL_NAN_S;
    }

    private long nanD(long a, long b, boolean invalid) {
        if (invalid || isSNaND(a) || isSNaND(b)) {
            flags |= NV;
        }
        return CANONICAL_NAN_D;
    }

    private static boolean isNaNS(int a) {
        return (a & ~SIGN_S) > INF_S;
    }

    private static boolean isSNaNS(int a) {
        return isNaNS(a) && (a & QUIET_S) == 0;
    }

    private static boolean isNaND(long a) {
        return (a & ~SIGN_D) > INF_D;
    }

    private static boolean isSNaND(long a) {
        return isNaND(a) && (a & QUIET_D) == 0;
    }

    private static boolean isInfD(long a) {
        return (a & ~SIGN_D) == INF_D;
    }

    private static boolean isZeroD(long a) {
        return (a & ~SIGN_D) == 0;
    }

    /** Integer significand of a finite double (value = sigD * 2^expD). */
    private static long sigD(long a) {
        long man = a & MANT_D;
        return (a & INF_D) == 0 ? man : man | HIDDEN_D;
    }

    private static int expD(long a) {
        int field = (int) (a >>> 52) & 0x7ff;
        return field == 0 ? -1074 : field - 1075;
    }

    private static BigInteger signed(long a, long sig) {
        BigInteger v = BigInteger.valueOf(sig);
        return a < 0 ? v.negate() : v;
    }

    private static double f2d(int a) {
        return Float.intBitsToFloat(a);
    }

    private static double d(long a) {
        return Double.longBitsToDouble(a);
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }
}
