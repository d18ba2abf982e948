//! The x87 transcendental instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X and
//! FYL2XP1, with their special cases from the Intel manuals.
//!
//! Results are computed in a 128-bit significand format ([`Big`]) with series expansions, then
//! rounded once to 64 bits by the rounding mode, so they are correctly rounded except when the
//! exact result lies within about 2^-60 ulp of a rounding boundary: inside the hardware's
//! documented error of one ulp. Arguments of the trigonometric instructions are reduced modulo
//! π/2 with a 383-bit π (exact for every argument below 2^63, where the hardware stops and sets
//! C2), so results stay accurate near multiples of π where the hardware's 66-bit π loses bits.

use core::ops::{Add, Div, Mul, Neg, Sub};

use super::float80::{
    check_denormal, check_nan1, check_nan2, invalid, norm256, round_pack, shr256, Ctx, Rounding,
    Unpacked, F80, ZE,
};

/// A nonnegative-or-negative number with a 128-bit significand: `m × 2^(exp − 127)`, `m`
/// normalized (bit 127 set) unless the value is zero. Arithmetic jams lost bits into bit 0, so
/// the error of each operation stays below one unit of the last place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Big {
    pub neg: bool,
    pub exp: i32,
    pub m: u128,
}

/// π, ln 2 and log2(e) to 128 bits (rounded to nearest).
const PI: Big = Big {
    neg: false,
    exp: 1,
    m: 0xc90fdaa22168c234c4c6628b80dc1cd1,
};
const LN2: Big = Big {
    neg: false,
    exp: -1,
    m: 0xb17217f7d1cf79abc9e3b39803f2f6af,
};
const LOG2E: Big = Big {
    neg: false,
    exp: 0,
    m: 0xb8aa3b295c17f0bbbe87fed0691d3e89,
};
/// √2 × 2^127 (rounded down): the split point of the logarithm's argument reduction.
const SQRT2_M: u128 = 0xb504f333f9de6484597d89b3754abe9f;

/// π/2 × 2^383, truncated, as six 64-bit limbs, most significant first.
const PIO2_383: [u64; 6] = [
    0xC90FDAA22168C234,
    0xC4C6628B80DC1CD1,
    0x29024E088A67CC74,
    0x020BBEA63B139B22,
    0x514A08798E3404DD,
    0xEF9519B3CD3A431B,
];

impl Big {
    pub const ZERO: Big = Big {
        neg: false,
        exp: 0,
        m: 0,
    };
    pub const ONE: Big = Big {
        neg: false,
        exp: 0,
        m: 1 << 127,
    };

    /// Normalize `m × 2^(exp − 127)`.
    pub fn new(neg: bool, exp: i32, m: u128) -> Big {
        if m == 0 {
            return Big { neg, exp: 0, m: 0 };
        }
        let lz = m.leading_zeros();
        Big {
            neg,
            exp: exp - lz as i32,
            m: m << lz,
        }
    }

    pub fn from_unpacked(u: Unpacked) -> Big {
        Big {
            neg: u.sign,
            exp: u.exp,
            m: (u.sig as u128) << 64,
        }
    }

    /// A finite extended value, exactly.
    pub fn from_f80(x: F80) -> Big {
        if x.is_zero() {
            return Big {
                neg: x.sign(),
                ..Big::ZERO
            };
        }
        Big::from_unpacked(x.unpack())
    }

    pub fn from_u64(v: u64) -> Big {
        Big::new(false, 127, v as u128)
    }

    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    pub fn abs(self) -> Big {
        Big { neg: false, ..self }
    }

    /// × 2^n.
    pub fn scale(self, n: i32) -> Big {
        if self.is_zero() {
            self
        } else {
            Big {
                exp: self.exp + n,
                ..self
            }
        }
    }

    pub fn div_u64(self, d: u64) -> Big {
        self.div(Big::from_u64(d))
    }

    /// Below 2^-n relative to `reference`, or zero: negligible in a sum.
    fn negligible(self, reference: Big, n: i32) -> bool {
        self.is_zero() || (!reference.is_zero() && self.exp < reference.exp - n)
    }

    /// Round to an extended value (64-bit precision), marking the result inexact.
    pub fn to_f80(self, ctx: &mut Ctx) -> F80 {
        if self.is_zero() {
            return F80::ZERO.with_sign(self.neg);
        }
        let mut c = ctx.full();
        let r = round_pack(&mut c, self.neg, self.exp, self.m | 1);
        ctx.flags |= c.flags;
        ctx.up = c.up;
        r
    }
}

impl Neg for Big {
    type Output = Big;
    fn neg(self) -> Big {
        Big {
            neg: !self.neg,
            ..self
        }
    }
}

impl Mul for Big {
    type Output = Big;
    fn mul(self, o: Big) -> Big {
        if self.is_zero() || o.is_zero() {
            return Big {
                neg: self.neg != o.neg,
                ..Big::ZERO
            };
        }
        let (a1, a0) = ((self.m >> 64) as u64 as u128, self.m as u64 as u128);
        let (b1, b0) = ((o.m >> 64) as u64 as u128, o.m as u64 as u128);
        let lo = a0 * b0;
        let mid1 = a1 * b0;
        let mid2 = a0 * b1;
        let hi = a1 * b1;
        // Sum into a 256-bit (h, l).
        let (l, c1) = lo.overflowing_add(mid1 << 64);
        let (l, c2) = l.overflowing_add(mid2 << 64);
        let h = hi + (mid1 >> 64) + (mid2 >> 64) + c1 as u128 + c2 as u128;
        match norm256(h, l) {
            Some((m, lz)) => Big {
                neg: self.neg != o.neg,
                exp: self.exp + o.exp + 1 - lz,
                m,
            },
            None => Big::ZERO,
        }
    }
}

impl Add for Big {
    type Output = Big;
    fn add(self, o: Big) -> Big {
        if o.is_zero() {
            return self;
        }
        if self.is_zero() {
            return o;
        }
        let (big, small) = if (self.exp, self.m) >= (o.exp, o.m) {
            (self, o)
        } else {
            (o, self)
        };
        let d = (big.exp - small.exp) as u32;
        // 256-bit window, one spare bit on top for the carry.
        let (ah, al) = shr256(big.m, 1);
        let (bh, bl) = shr256(small.m, 1u32.saturating_add(d).min(300));
        let (h, l) = if big.neg == small.neg {
            let (l, c) = al.overflowing_add(bl);
            (ah + bh + c as u128, l)
        } else {
            let (l, b) = al.overflowing_sub(bl);
            (ah - bh - b as u128, l)
        };
        match norm256(h, l) {
            Some((m, lz)) => Big {
                neg: big.neg,
                exp: big.exp + 1 - lz,
                m,
            },
            None => Big::ZERO,
        }
    }
}

impl Sub for Big {
    type Output = Big;
    fn sub(self, o: Big) -> Big {
        self.add(o.neg())
    }
}

impl Div for Big {
    type Output = Big;
    fn div(self, o: Big) -> Big {
        if self.is_zero() || o.is_zero() {
            return Big {
                neg: self.neg != o.neg,
                ..Big::ZERO
            };
        }
        let mut e = self.exp - o.exp;
        let mut r = self.m;
        let mut carry = false;
        if r < o.m {
            carry = r >> 127 != 0;
            r <<= 1;
            e -= 1;
        }
        let mut q = 0u128;
        for _ in 0..128 {
            q <<= 1;
            if carry || r >= o.m {
                r = r.wrapping_sub(o.m);
                q |= 1;
            }
            carry = r >> 127 != 0;
            r <<= 1;
        }
        q |= (r != 0 || carry) as u128;
        Big {
            neg: self.neg != o.neg,
            exp: e,
            m: q,
        }
    }
}

// ---- series ----

/// e^x − 1 for |x| below about 1.
fn expm1(x: Big) -> Big {
    let mut sum = x;
    let mut term = x;
    let mut k = 2u64;
    loop {
        term = term.mul(x).div_u64(k);
        let done = term.negligible(sum, 132);
        sum = sum.add(term);
        if done {
            return sum;
        }
        k += 1;
        if k > 200 {
            return sum;
        }
    }
}

/// atanh(s) = s + s³/3 + s⁵/5 + … for |s| well below 1.
fn atanh(s: Big) -> Big {
    let s2 = s.mul(s);
    let mut sum = s;
    let mut p = s;
    let mut k = 3u64;
    loop {
        p = p.mul(s2);
        let term = p.div_u64(k);
        let done = term.negligible(sum, 132);
        sum = sum.add(term);
        if done {
            return sum;
        }
        k += 2;
        if k > 400 {
            return sum;
        }
    }
}

/// Natural logarithm of `1 + f` through 2·atanh(f / (2 + f)); accurate for small `f`.
fn ln1p(f: Big) -> Big {
    let s = f.div(f.add(Big::from_u64(2)));
    atanh(s).scale(1)
}

/// log2(x) for x > 0.
fn log2(x: Big) -> Big {
    // x = mant × 2^e with mant in [√½, √2).
    let mut e = x.exp;
    let mut mant = Big {
        neg: false,
        exp: 0,
        m: x.m,
    };
    if x.m > SQRT2_M {
        mant.exp = -1;
        e += 1;
    }
    let f = mant.sub(Big::ONE);
    let l = ln1p(f).mul(LOG2E);
    let ei = Big::new(e < 0, 127, e.unsigned_abs() as u128);
    ei.add(l)
}

/// atan(t) for 0 ≤ t ≤ 1.
fn atan_unit(t: Big) -> Big {
    if t.is_zero() {
        return t;
    }
    // Above ½, use atan(t) = π/4 + atan((t − 1)/(t + 1)).
    let (base, u) = if t.exp >= -1 {
        (PI.scale(-2), t.sub(Big::ONE).div(t.add(Big::ONE)))
    } else {
        (Big::ZERO, t)
    };
    let u2 = u.mul(u);
    let mut sum = u;
    let mut p = u;
    let mut k = 3u64;
    loop {
        p = p.mul(u2).neg();
        let term = p.div_u64(k);
        let done = term.negligible(sum, 132);
        sum = sum.add(term);
        if done {
            break;
        }
        k += 2;
        if k > 400 {
            break;
        }
    }
    base.add(sum)
}

/// sin and cos of |r| ≤ π/4.
fn sin_cos_small(r: Big) -> (Big, Big) {
    let r2 = r.mul(r);
    let mut s = r;
    let mut term = r;
    let mut k = 1u64;
    loop {
        term = term.mul(r2).div_u64((2 * k) * (2 * k + 1)).neg();
        let done = term.negligible(s, 132);
        s = s.add(term);
        if done {
            break;
        }
        k += 1;
        if k > 100 {
            break;
        }
    }
    let mut c = Big::ONE;
    let mut term = Big::ONE;
    let mut k = 1u64;
    loop {
        term = term.mul(r2).div_u64((2 * k - 1) * (2 * k)).neg();
        let done = term.negligible(c, 132);
        c = c.add(term);
        if done {
            break;
        }
        k += 1;
        if k > 100 {
            break;
        }
    }
    (s, c)
}

// ---- argument reduction ----

/// Little-endian 64-bit limbs, enough for the products of the reduction.
type Limbs = [u64; 8];

fn limbs_shl(a: &Limbs, n: u32) -> Limbs {
    let mut r = [0u64; 8];
    let (w, b) = ((n / 64) as usize, n % 64);
    for i in (0..8).rev() {
        if i < w {
            continue;
        }
        let mut v = a[i - w] << b;
        if b != 0 && i > w {
            v |= a[i - w - 1] >> (64 - b);
        }
        r[i] = v;
    }
    r
}

fn limbs_ge(a: &Limbs, b: &Limbs) -> bool {
    for i in (0..8).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn limbs_sub(a: &mut Limbs, b: &Limbs) {
    let mut borrow = 0u64;
    for i in 0..8 {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (o1 || o2) as u64;
    }
}

fn limbs_bits(a: &Limbs) -> u32 {
    for i in (0..8).rev() {
        if a[i] != 0 {
            return i as u32 * 64 + 64 - a[i].leading_zeros();
        }
    }
    0
}

/// |x| = k·π/2 + r with |r| ≤ π/4: (r, k mod 4). `x` finite, nonzero, below 2^63.
fn reduce(u: Unpacked) -> (Big, u8) {
    let ax = Big::from_unpacked(Unpacked { sign: false, ..u });
    // |x| ≤ π/4 needs no reduction (0.785... > 0.75 = the test below is conservative).
    if u.exp < -1 || (u.exp == -1 && u.sig <= 0xC000_0000_0000_0000) {
        return (ax, 0);
    }
    // X = |x| × 2^383 as an integer: sig × 2^(exp − 63 + 383).
    let mut x: Limbs = [0; 8];
    x[0] = u.sig;
    let mut x = limbs_shl(&x, (u.exp - 63 + 383) as u32);
    let mut p: Limbs = [0; 8];
    for (i, l) in PIO2_383.iter().enumerate() {
        p[5 - i] = *l;
    }
    let mut k: u64 = 0;
    let xb = limbs_bits(&x);
    let pb = limbs_bits(&p);
    if xb >= pb {
        for i in (0..=(xb - pb)).rev() {
            let ps = limbs_shl(&p, i);
            if limbs_ge(&x, &ps) {
                limbs_sub(&mut x, &ps);
                k |= 1 << i;
            }
        }
    }
    // Round the quotient to nearest: if 2R > P, use R − P.
    let twice = limbs_shl(&x, 1);
    let mut neg = false;
    if !limbs_ge(&p, &twice) {
        let mut d = p;
        limbs_sub(&mut d, &x);
        x = d;
        k = k.wrapping_add(1);
        neg = true;
    }
    let bits = limbs_bits(&x);
    if bits == 0 {
        return (Big::ZERO, (k & 3) as u8);
    }
    // Top 128 bits of the remainder, with the rest jammed.
    let shift = bits.saturating_sub(128);
    let mut m: u128 = 0;
    let mut sticky = false;
    for i in 0..8 {
        for b in 0..64 {
            let pos = i * 64 + b;
            let bit = (x[i as usize] >> b) & 1;
            if bit == 0 {
                continue;
            }
            if pos >= shift {
                m |= 1u128 << (pos - shift);
            } else {
                sticky = true;
            }
        }
    }
    // The value is m × 2^(shift − 383).
    let r = Big::new(neg, shift as i32 - 383 + 127, m | sticky as u128);
    (r, (k & 3) as u8)
}

/// sin and cos of a finite value below 2^63 in magnitude.
fn sin_cos(x: F80) -> (Big, Big) {
    if x.is_zero() {
        return (Big::from_f80(x), Big::ONE);
    }
    let u = x.unpack();
    let (r, k) = reduce(u);
    let (s, c) = sin_cos_small(r);
    let (s, c) = match k {
        0 => (s, c),
        1 => (c, s.neg()),
        2 => (s.neg(), c.neg()),
        _ => (c.neg(), s),
    };
    (if u.sign { s.neg() } else { s }, c)
}

// ---- the instructions ----

/// What a trigonometric instruction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trig<T> {
    Value(T),
    /// The operand is 2^63 or more in magnitude: C2 = 1, the stack is unchanged.
    OutOfRange,
    /// An unmasked exception: nothing is stored.
    Abort,
}

/// The common front of FSIN/FCOS/FSINCOS/FPTAN: NaNs, infinities, range, denormals.
fn trig_front(ctx: &mut Ctx, a: F80) -> Result<(), Trig<F80>> {
    if let Err(r) = check_nan1(ctx, a) {
        return Err(r.map_or(Trig::Abort, Trig::Value));
    }
    if a.is_inf() {
        return Err(invalid(ctx).map_or(Trig::Abort, Trig::Value));
    }
    if !a.is_zero() && a.unpack().exp >= 63 {
        return Err(Trig::OutOfRange);
    }
    if check_denormal(ctx, &[a]) {
        return Err(Trig::Abort);
    }
    Ok(())
}

/// FSIN.
pub fn fsin(ctx: &mut Ctx, a: F80) -> Trig<F80> {
    if let Err(t) = trig_front(ctx, a) {
        return t;
    }
    ctx.up = false;
    if a.is_zero() {
        return Trig::Value(a);
    }
    Trig::Value(sin_cos(a).0.to_f80(ctx))
}

/// FCOS.
pub fn fcos(ctx: &mut Ctx, a: F80) -> Trig<F80> {
    if let Err(t) = trig_front(ctx, a) {
        return t;
    }
    ctx.up = false;
    if a.is_zero() {
        return Trig::Value(F80::ONE);
    }
    Trig::Value(sin_cos(a).1.to_f80(ctx))
}

/// FSINCOS: (sin, cos).
pub fn fsincos(ctx: &mut Ctx, a: F80) -> Trig<(F80, F80)> {
    match trig_front(ctx, a) {
        Err(Trig::Value(v)) => return Trig::Value((v, v)),
        Err(Trig::OutOfRange) => return Trig::OutOfRange,
        Err(Trig::Abort) => return Trig::Abort,
        Ok(()) => {}
    }
    ctx.up = false;
    if a.is_zero() {
        return Trig::Value((a, F80::ONE));
    }
    let (s, c) = sin_cos(a);
    let mut cs = *ctx;
    let sv = s.to_f80(&mut cs);
    let cv = c.to_f80(ctx);
    ctx.flags |= cs.flags;
    Trig::Value((sv, cv))
}

/// FPTAN: tan (the caller pushes 1.0).
pub fn fptan(ctx: &mut Ctx, a: F80) -> Trig<F80> {
    if let Err(t) = trig_front(ctx, a) {
        return t;
    }
    ctx.up = false;
    if a.is_zero() {
        return Trig::Value(a);
    }
    let (s, c) = sin_cos(a);
    Trig::Value(s.div(c).to_f80(ctx))
}

/// FPATAN: atan(y / x) in the quadrant of (x, y).
pub fn fpatan(ctx: &mut Ctx, y: F80, x: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, y, x) {
        return r;
    }
    let pi = |c: &mut Ctx, n: i32, times3: bool, neg: bool| {
        let v = if times3 { PI.mul(Big::from_u64(3)) } else { PI };
        Big { neg, ..v.scale(n) }.to_f80(c)
    };
    ctx.up = false;
    let (sy, sx) = (y.sign(), x.sign());
    if y.is_inf() {
        if x.is_inf() {
            // ±π/4 or ±3π/4.
            return Some(pi(ctx, -2, sx, sy));
        }
        if check_denormal(ctx, &[x]) {
            return None;
        }
        return Some(pi(ctx, -1, false, sy));
    }
    if x.is_inf() {
        if check_denormal(ctx, &[y]) {
            return None;
        }
        return Some(if sx {
            pi(ctx, 0, false, sy)
        } else {
            F80::ZERO.with_sign(sy)
        });
    }
    if y.is_zero() {
        if check_denormal(ctx, &[x]) {
            return None;
        }
        return Some(if sx {
            pi(ctx, 0, false, sy)
        } else {
            F80::ZERO.with_sign(sy)
        });
    }
    if check_denormal(ctx, &[x, y]) {
        return None;
    }
    if x.is_zero() {
        return Some(pi(ctx, -1, false, sy));
    }
    let (ay, ax) = (Big::from_f80(y).abs(), Big::from_f80(x).abs());
    let a = if (ay.exp, ay.m) <= (ax.exp, ax.m) {
        atan_unit(ay.div(ax))
    } else {
        PI.scale(-1).sub(atan_unit(ax.div(ay)))
    };
    let a = if sx { PI.sub(a) } else { a };
    Some(Big { neg: sy, ..a }.to_f80(ctx))
}

/// F2XM1: 2^x − 1 (specified for −1 ≤ x ≤ 1; computed for any x).
pub fn f2xm1(ctx: &mut Ctx, a: F80) -> Option<F80> {
    if let Err(r) = check_nan1(ctx, a) {
        return r;
    }
    ctx.up = false;
    if a.is_inf() {
        return Some(if a.sign() { F80::ONE.neg() } else { a });
    }
    if a.is_zero() {
        return Some(a);
    }
    if check_denormal(ctx, &[a]) {
        return None;
    }
    let u = a.unpack();
    if u.sig == 1 << 63 && u.exp == 0 {
        // 2^1 − 1 = 1 and 2^−1 − 1 = −½ exactly.
        return Some(if u.sign {
            F80::new(true, 0x3FFE, 1 << 63)
        } else {
            F80::ONE
        });
    }
    let x = Big::from_unpacked(u);
    if u.exp < 0 {
        return Some(expm1(x.mul(LN2)).to_f80(ctx));
    }
    // Out of the documented range: 2^x − 1 = 2^n (1 + expm1(f ln 2)) − 1.
    let (n, _, _) = super::float80::to_integer(Rounding::Nearest, u);
    let n = n.min(20000) as i32;
    let n = if u.sign { -n } else { n };
    let nb = Big::new(n < 0, 127, n.unsigned_abs() as u128);
    let f = x.sub(nb);
    let v = Big::ONE.add(expm1(f.mul(LN2))).scale(n).sub(Big::ONE);
    Some(v.to_f80(ctx))
}

/// FYL2X: y × log2(x).
pub fn fyl2x(ctx: &mut Ctx, y: F80, x: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, y, x) {
        return r;
    }
    ctx.up = false;
    if x.sign() && !x.is_zero() {
        return invalid(ctx);
    }
    if x.is_zero() {
        if y.is_zero() {
            return invalid(ctx);
        }
        if y.is_inf() {
            return Some(F80::INFINITY.with_sign(!y.sign()));
        }
        if check_denormal(ctx, &[y]) {
            return None;
        }
        ctx.raise(ZE);
        if !ctx.masked(ZE) {
            return None;
        }
        return Some(F80::INFINITY.with_sign(!y.sign()));
    }
    if x.is_inf() {
        if y.is_zero() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[y]) {
            return None;
        }
        return Some(F80::INFINITY.with_sign(y.sign()));
    }
    let is_one = x.se == 0x3FFF && x.sig == 1 << 63;
    if is_one && y.is_inf() {
        return invalid(ctx);
    }
    if check_denormal(ctx, &[x, y]) {
        return None;
    }
    let below_one = x.exp() < 0x3FFF;
    if y.is_inf() {
        return Some(F80::INFINITY.with_sign(y.sign() != below_one));
    }
    if y.is_zero() || is_one {
        return Some(F80::ZERO.with_sign(y.sign() != below_one));
    }
    let ux = x.unpack();
    if ux.sig == 1 << 63 {
        // A power of two: log2 is the exponent, exactly; one rounding of the product.
        let mut c = ctx.full();
        let r = super::float80::mul(&mut c, y, F80::from_i64(ux.exp as i64));
        ctx.flags |= c.flags;
        ctx.up = c.up;
        return r;
    }
    Some(
        Big::from_f80(y)
            .mul(log2(Big::from_unpacked(ux)))
            .to_f80(ctx),
    )
}

/// FYL2XP1: y × log2(x + 1) (specified for |x| < 1 − √½; computed for any x > −1).
pub fn fyl2xp1(ctx: &mut Ctx, y: F80, x: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, y, x) {
        return r;
    }
    ctx.up = false;
    let bx = if x.is_inf() {
        None
    } else {
        Some(Big::from_f80(x))
    };
    // Where 1 + x stands against 0 and 1.
    let above = !x.sign() && !x.is_zero();
    let minus_one_or_less = match bx {
        None => x.sign(),
        Some(b) => b.neg && !b.abs().sub(Big::ONE).neg,
    };
    if minus_one_or_less {
        return invalid(ctx);
    }
    if x.is_zero() {
        if y.is_inf() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[y]) {
            return None;
        }
        return Some(F80::ZERO.with_sign(y.sign() != x.sign()));
    }
    if x.is_inf() {
        if y.is_zero() {
            return invalid(ctx);
        }
        return Some(F80::INFINITY.with_sign(y.sign()));
    }
    if check_denormal(ctx, &[x, y]) {
        return None;
    }
    // Below zero the logarithm is negative.
    let flip = !above;
    if y.is_inf() {
        return Some(F80::INFINITY.with_sign(y.sign() != flip));
    }
    if y.is_zero() {
        return Some(F80::ZERO.with_sign(y.sign() != flip));
    }
    let xb = Big::from_f80(x);
    let l = if xb.exp < -2 {
        ln1p(xb).mul(LOG2E)
    } else {
        log2(Big::ONE.add(xb))
    };
    Some(Big::from_f80(y).mul(l).to_f80(ctx))
}

/// A constant's 128-bit significand and exponent by FLDxx: 0 = log2(10), 1 = log2(e), 2 = π,
/// 3 = log10(2), 4 = ln(2).
pub fn constant_bits(which: u8) -> (u128, i32) {
    match which {
        0 => (0xd49a784bcd1b8afe492bf6ff4dafdb4c, 1),
        1 => (0xb8aa3b295c17f0bbbe87fed0691d3e88, 0),
        2 => (0xc90fdaa22168c234c4c6628b80dc1cd1, 1),
        3 => (0x9a209a84fbcff7988f8959ac0b7c9178, -2),
        _ => (0xb17217f7d1cf79abc9e3b39803f2f6af, -1),
    }
}
