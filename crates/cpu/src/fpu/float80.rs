//! The x87 double extended-precision format (1 sign bit, 15-bit exponent, 64-bit significand
//! with an explicit integer bit) in software, with the x87's own rules: precision control (the
//! significand is rounded to 24, 53 or 64 bits while the exponent keeps its full range), the
//! four rounding modes, the C1 "rounded up" indicator, the masked and unmasked responses to the
//! six exceptions (including the 2^±24576 bias-adjusted results of unmasked overflow and
//! underflow), pseudo-denormals, unsupported encodings and the x87 NaN propagation rules.
//!
//! Every operation takes a [`Ctx`] (rounding mode, precision, exception masks) and accumulates the
//! exceptions it detects there. Operations whose result may be withheld (an unmasked invalid
//! operation, zero divide or denormal operand) return `None` in that case.

use core::cmp::Ordering;
use core::ops::Neg;

/// Invalid operation.
pub const IE: u16 = 0x01;
/// Denormal operand.
pub const DE: u16 = 0x02;
/// Zero divide.
pub const ZE: u16 = 0x04;
/// Overflow.
pub const OE: u16 = 0x08;
/// Underflow.
pub const UE: u16 = 0x10;
/// Precision (inexact result).
pub const PE: u16 = 0x20;

/// Exponent bias of the extended format.
pub const BIAS: i32 = 16383;
/// Smallest exponent of a normal extended number (unbiased).
pub const EMIN: i32 = 1 - BIAS;
/// Largest exponent of a finite extended number (unbiased).
pub const EMAX: i32 = 0x7FFE - BIAS;
/// The exponent adjustment of unmasked overflow and underflow results on the register stack.
pub const WRAP: i32 = 24576;

const J: u64 = 1 << 63;
const QUIET: u64 = 1 << 62;

/// An 80-bit extended-precision value, as stored in an x87 register or in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct F80 {
    /// Sign (bit 15) and biased exponent (bits 0-14).
    pub se: u16,
    /// Significand with the explicit integer bit in bit 63.
    pub sig: u64,
}

/// The rounding mode (control word bits 10-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Nearest,
    Down,
    Up,
    Zero,
}

impl Rounding {
    pub fn from_rc(rc: u16) -> Rounding {
        match rc & 3 {
            0 => Rounding::Nearest,
            1 => Rounding::Down,
            2 => Rounding::Up,
            _ => Rounding::Zero,
        }
    }
}

/// The class of a value, as FXAM and the tag word see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Unnormal, pseudo-NaN, pseudo-infinity: not supported since the 387.
    Unsupported,
    Nan,
    Normal,
    Infinity,
    Zero,
    /// Denormal or pseudo-denormal.
    Denormal,
}

/// The result of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Less,
    Equal,
    Greater,
    Unordered,
}

/// Rounding and exception state of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    pub rc: Rounding,
    /// Significand precision in bits: 24, 53 or 64.
    pub prec: u32,
    /// Exception masks (control word bits 0-5): a set bit masks that exception.
    pub masks: u16,
    /// Exceptions detected so far.
    pub flags: u16,
    /// The last rounding rounded the magnitude up (the x87's C1 after arithmetic).
    pub up: bool,
}

impl Ctx {
    /// A context from an x87 control word (precision control applies).
    pub fn from_cw(cw: u16) -> Ctx {
        let prec = match (cw >> 8) & 3 {
            0 => 24,
            2 => 53,
            _ => 64,
        };
        Ctx {
            rc: Rounding::from_rc(cw >> 10),
            prec,
            masks: cw & 0x3F,
            flags: 0,
            up: false,
        }
    }

    /// A context with the given rounding, full precision and all exceptions masked.
    pub fn new(rc: Rounding) -> Ctx {
        Ctx {
            rc,
            prec: 64,
            masks: 0x3F,
            flags: 0,
            up: false,
        }
    }

    /// The same rounding and masks at full 64-bit precision (for the operations that precision
    /// control does not affect).
    pub fn full(&self) -> Ctx {
        Ctx { prec: 64, ..*self }
    }

    #[inline]
    pub fn raise(&mut self, f: u16) {
        self.flags |= f;
    }

    #[inline]
    pub fn masked(&self, f: u16) -> bool {
        self.masks & f == f
    }

    /// Raise an exception and tell whether it is unmasked (the operation must then stop).
    #[inline]
    fn fault(&mut self, f: u16) -> bool {
        self.flags |= f;
        !self.masked(f)
    }

    /// Unmasked exceptions raised so far.
    pub fn unmasked(&self) -> u16 {
        self.flags & !self.masks & 0x3F
    }
}

/// A finite nonzero value taken apart: `sig × 2^(exp − 63)`, `sig` normalized (bit 63 set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    pub sign: bool,
    pub exp: i32,
    pub sig: u64,
}

impl F80 {
    pub const ZERO: F80 = F80 { se: 0, sig: 0 };
    pub const NEG_ZERO: F80 = F80 { se: 0x8000, sig: 0 };
    pub const ONE: F80 = F80 { se: 0x3FFF, sig: J };
    pub const INFINITY: F80 = F80 { se: 0x7FFF, sig: J };
    pub const NEG_INFINITY: F80 = F80 { se: 0xFFFF, sig: J };
    /// The real indefinite: the QNaN the FPU returns for a masked invalid operation.
    pub const INDEFINITE: F80 = F80 {
        se: 0xFFFF,
        sig: 0xC000_0000_0000_0000,
    };

    pub const fn new(sign: bool, exp: u16, sig: u64) -> F80 {
        F80 {
            se: ((sign as u16) << 15) | (exp & 0x7FFF),
            sig,
        }
    }

    pub fn from_bits(b: u128) -> F80 {
        F80 {
            se: (b >> 64) as u16,
            sig: b as u64,
        }
    }

    pub fn to_bits(self) -> u128 {
        ((self.se as u128) << 64) | self.sig as u128
    }

    pub fn from_le_bytes(b: [u8; 10]) -> F80 {
        let mut s = [0u8; 8];
        s.copy_from_slice(&b[..8]);
        F80 {
            sig: u64::from_le_bytes(s),
            se: u16::from_le_bytes([b[8], b[9]]),
        }
    }

    pub fn to_le_bytes(self) -> [u8; 10] {
        let mut b = [0u8; 10];
        b[..8].copy_from_slice(&self.sig.to_le_bytes());
        b[8..].copy_from_slice(&self.se.to_le_bytes());
        b
    }

    #[inline]
    pub fn sign(self) -> bool {
        self.se & 0x8000 != 0
    }
    /// The biased exponent field.
    #[inline]
    pub fn exp(self) -> u16 {
        self.se & 0x7FFF
    }
    pub fn abs(self) -> F80 {
        F80 {
            se: self.se & 0x7FFF,
            sig: self.sig,
        }
    }
    pub fn with_sign(self, sign: bool) -> F80 {
        F80 {
            se: (self.se & 0x7FFF) | ((sign as u16) << 15),
            sig: self.sig,
        }
    }

    pub fn is_nan(self) -> bool {
        self.exp() == 0x7FFF && self.sig & J != 0 && self.sig << 1 != 0
    }
    pub fn is_snan(self) -> bool {
        self.is_nan() && self.sig & QUIET == 0
    }
    pub fn is_qnan(self) -> bool {
        self.is_nan() && self.sig & QUIET != 0
    }
    pub fn is_inf(self) -> bool {
        self.exp() == 0x7FFF && self.sig == J
    }
    pub fn is_zero(self) -> bool {
        self.exp() == 0 && self.sig == 0
    }
    /// A denormal or pseudo-denormal (exponent field 0, significand nonzero).
    pub fn is_denormal(self) -> bool {
        self.exp() == 0 && self.sig != 0
    }
    /// Unnormals, pseudo-NaNs and pseudo-infinities: invalid operands since the 387.
    pub fn is_unsupported(self) -> bool {
        self.exp() != 0 && self.sig & J == 0
    }
    /// A finite number that is neither zero nor unsupported.
    pub fn is_finite_nonzero(self) -> bool {
        self.exp() != 0x7FFF && !self.is_zero() && !self.is_unsupported()
    }

    pub fn class(self) -> Class {
        if self.is_unsupported() {
            Class::Unsupported
        } else if self.exp() == 0x7FFF {
            if self.sig << 1 == 0 {
                Class::Infinity
            } else {
                Class::Nan
            }
        } else if self.exp() == 0 {
            if self.sig == 0 {
                Class::Zero
            } else {
                Class::Denormal
            }
        } else {
            Class::Normal
        }
    }

    /// This NaN made quiet.
    pub fn quiet(self) -> F80 {
        F80 {
            se: self.se,
            sig: self.sig | QUIET,
        }
    }

    /// Take a finite nonzero value apart (denormals are normalized; a pseudo-denormal has the
    /// same value as with exponent field 1).
    pub fn unpack(self) -> Unpacked {
        let e = self.exp() as i32;
        let (mut exp, mut sig) = if e == 0 {
            (EMIN, self.sig)
        } else {
            (e - BIAS, self.sig)
        };
        if sig != 0 {
            let lz = sig.leading_zeros();
            sig <<= lz;
            exp -= lz as i32;
        }
        Unpacked {
            sign: self.sign(),
            exp,
            sig,
        }
    }

    /// A value from integer parts: `(-1)^sign × m × 2^e`, rounded (exact when `m` fits).
    pub fn from_parts(ctx: &mut Ctx, sign: bool, m: u128, e: i32) -> F80 {
        if m == 0 {
            return if sign { F80::NEG_ZERO } else { F80::ZERO };
        }
        let lz = m.leading_zeros();
        round_pack(ctx, sign, e + 127 - lz as i32, m << lz)
    }

    /// Exact conversion of a signed integer.
    pub fn from_i64(v: i64) -> F80 {
        let mut ctx = Ctx::new(Rounding::Nearest);
        F80::from_parts(&mut ctx, v < 0, v.unsigned_abs() as u128, 0)
    }

    /// Convert to a host `f64` (for display and tests; rounds to nearest).
    pub fn to_f64(self) -> f64 {
        let mut ctx = Ctx::new(Rounding::Nearest);
        f64::from_bits(to_f64_bits(&mut ctx, self).unwrap_or(0x7FF8_0000_0000_0000))
    }

    /// Convert from a host `f64` (exact).
    pub fn from_f64(v: f64) -> F80 {
        let mut ctx = Ctx::new(Rounding::Nearest);
        from_f64_bits(&mut ctx, v.to_bits())
    }
}

impl core::ops::Neg for F80 {
    type Output = F80;
    /// Flip the sign (FCHS): no exceptions, NaNs included.
    fn neg(self) -> F80 {
        F80 {
            se: self.se ^ 0x8000,
            sig: self.sig,
        }
    }
}

// ---- rounding ----

/// Round `sig × 2^(exp − 127)` (`sig` normalized, bit 127 set, with any sticky bit already in bit
/// 0) to `prec` bits. With `denorm`, values below 2^emin are denormalized first. Returns the
/// exponent and the 64-bit significand (left-aligned; bit 63 clear for a denormal result, whose
/// exponent is then `emin`), whether the result is inexact and whether it was rounded up in
/// magnitude.
fn round_core(
    rc: Rounding,
    sign: bool,
    exp: i32,
    sig: u128,
    prec: u32,
    emin: i32,
    denorm: bool,
) -> (i32, u64, bool, bool) {
    let extra = if denorm && exp < emin {
        (emin - exp) as u64
    } else {
        0
    };
    let total = (128 - prec) as u64 + extra;
    let (kept, rem, half) = if total >= 129 {
        (0u128, 1u128, 2u128)
    } else if total == 128 {
        (0, sig, 1u128 << 127)
    } else {
        let t = total as u32;
        (sig >> t, sig & ((1u128 << t) - 1), 1u128 << (t - 1))
    };
    let inexact = rem != 0;
    let inc = match rc {
        Rounding::Nearest => rem > half || (rem == half && kept & 1 == 1),
        Rounding::Zero => false,
        Rounding::Up => inexact && !sign,
        Rounding::Down => inexact && sign,
    };
    let mut kept = kept + inc as u128;
    let mut e = if extra > 0 { emin } else { exp };
    if kept >> prec != 0 {
        // Carry out of the top: only possible for a normal result.
        kept >>= 1;
        e += 1;
    }
    ((e), (kept << (64 - prec)) as u64, inexact, inc)
}

/// The largest finite significand at a precision.
fn max_sig(prec: u32) -> u64 {
    u64::MAX << (64 - prec)
}

/// Round and pack an extended-precision result for the register stack: precision control, the
/// masked responses to overflow and underflow, and the bias-adjusted unmasked ones. Sets the
/// exception flags and `ctx.up`.
pub fn round_pack(ctx: &mut Ctx, sign: bool, exp: i32, sig: u128) -> F80 {
    let prec = ctx.prec;
    let (e1, m1, inexact, up) = round_core(ctx.rc, sign, exp, sig, prec, EMIN, false);
    if e1 > EMAX {
        if !ctx.masked(OE) {
            ctx.raise(OE);
            if inexact {
                ctx.raise(PE);
            }
            ctx.up = up;
            return F80::new(sign, (e1 - WRAP + BIAS).clamp(1, 0x7FFE) as u16, m1);
        }
        ctx.raise(OE | PE);
        let to_inf = match ctx.rc {
            Rounding::Nearest => true,
            Rounding::Zero => false,
            Rounding::Up => !sign,
            Rounding::Down => sign,
        };
        ctx.up = to_inf;
        return if to_inf {
            F80::new(sign, 0x7FFF, J)
        } else {
            F80::new(sign, 0x7FFE, max_sig(prec))
        };
    }
    if e1 < EMIN {
        // Tiny after rounding with an unbounded exponent.
        if !ctx.masked(UE) {
            ctx.raise(UE);
            if inexact {
                ctx.raise(PE);
            }
            ctx.up = up;
            return F80::new(sign, (e1 + WRAP + BIAS).clamp(1, 0x7FFE) as u16, m1);
        }
        let (e2, m2, inexact2, up2) = round_core(ctx.rc, sign, exp, sig, prec, EMIN, true);
        if inexact2 {
            ctx.raise(UE | PE);
        }
        ctx.up = up2;
        let field = if m2 & J != 0 { e2 + BIAS } else { 0 };
        return F80::new(sign, field as u16, m2);
    }
    if exp < EMIN {
        // Tiny before rounding but rounded up to the smallest normal: the denormalized rounding
        // gives the same value; only the flags need it.
        let (_, _, inexact2, up2) = round_core(ctx.rc, sign, exp, sig, prec, EMIN, true);
        if inexact2 {
            ctx.raise(PE);
        }
        ctx.up = up2;
        return F80::new(sign, (e1 + BIAS) as u16, m1);
    }
    if inexact {
        ctx.raise(PE);
    }
    ctx.up = up;
    F80::new(sign, (e1 + BIAS) as u16, m1)
}

/// A NaN result from NaN operands by the x87 rules: an SNaN is quieted, a QNaN wins over an
/// SNaN, and of two NaNs of the same kind the one with the larger significand wins.
pub fn propagate_nan(a: F80, b: F80) -> F80 {
    let r = match (a.is_nan(), b.is_nan()) {
        (true, false) => a,
        (false, true) => b,
        (false, false) => F80::INDEFINITE,
        (true, true) => {
            if a.is_qnan() != b.is_qnan() {
                if a.is_qnan() {
                    a
                } else {
                    b
                }
            } else {
                let (ma, mb) = (a.sig | QUIET, b.sig | QUIET);
                match ma.cmp(&mb) {
                    Ordering::Greater => a,
                    Ordering::Less => b,
                    Ordering::Equal => {
                        if a.se <= b.se {
                            a
                        } else {
                            b
                        }
                    }
                }
            }
        }
    };
    r.quiet()
}

/// The pre-computation checks of a two-operand operation: unsupported and SNaN operands (#IA),
/// then QNaN operands. `Err` carries the finished result (or `None` when an unmasked exception
/// withholds it).
pub fn check_nan2(ctx: &mut Ctx, a: F80, b: F80) -> Result<(), Option<F80>> {
    if a.is_unsupported() || b.is_unsupported() || a.is_snan() || b.is_snan() {
        if ctx.fault(IE) {
            return Err(None);
        }
        if a.is_nan() || b.is_nan() {
            return Err(Some(propagate_nan(a, b)));
        }
        return Err(Some(F80::INDEFINITE));
    }
    if a.is_nan() || b.is_nan() {
        return Err(Some(propagate_nan(a, b)));
    }
    Ok(())
}

/// The one-operand form of [`check_nan2`].
pub fn check_nan1(ctx: &mut Ctx, a: F80) -> Result<(), Option<F80>> {
    if a.is_unsupported() || a.is_snan() {
        if ctx.fault(IE) {
            return Err(None);
        }
        return Err(Some(if a.is_nan() {
            a.quiet()
        } else {
            F80::INDEFINITE
        }));
    }
    if a.is_nan() {
        return Err(Some(a));
    }
    Ok(())
}

/// A masked invalid operation's result, or `None` when #IA is unmasked.
pub fn invalid(ctx: &mut Ctx) -> Option<F80> {
    if ctx.fault(IE) {
        None
    } else {
        Some(F80::INDEFINITE)
    }
}

/// Report denormal operands; `true` means #D is unmasked and the operation stops.
pub fn check_denormal(ctx: &mut Ctx, ops: &[F80]) -> bool {
    if ops.iter().any(|x| x.is_denormal()) {
        return ctx.fault(DE);
    }
    false
}

fn signed_zero(neg: bool) -> F80 {
    if neg {
        F80::NEG_ZERO
    } else {
        F80::ZERO
    }
}

fn inf(neg: bool) -> F80 {
    F80::new(neg, 0x7FFF, J)
}

/// `m` shifted right by `d` within a 256-bit window (high, low), with the bits shifted out of
/// the window jammed into bit 0.
pub(crate) fn shr256(m: u128, d: u32) -> (u128, u128) {
    if d == 0 {
        (m, 0)
    } else if d < 128 {
        (m >> d, m << (128 - d))
    } else if d < 256 {
        let s = d - 128;
        let lost = s > 0 && m & ((1u128 << s) - 1) != 0;
        (0, (if s == 0 { m } else { m >> s }) | lost as u128)
    } else {
        (0, (m != 0) as u128)
    }
}

/// Normalize a 256-bit (high, low) magnitude into a 128-bit significand with the lower bits
/// jammed, returning the left shift applied (negative: none possible, the value is zero).
pub(crate) fn norm256(hi: u128, lo: u128) -> Option<(u128, i32)> {
    if hi != 0 {
        let lz = hi.leading_zeros();
        let h = if lz == 0 {
            hi
        } else {
            (hi << lz) | (lo >> (128 - lz))
        };
        let rest = if lz == 0 { lo } else { lo << lz };
        Some((h | (rest != 0) as u128, lz as i32))
    } else if lo != 0 {
        let lz = lo.leading_zeros();
        Some((lo << lz, 128 + lz as i32))
    } else {
        None
    }
}

/// Add two finite nonzero unpacked values exactly and round. Returns the sign, exponent and
/// normalized 128-bit significand (with sticky) of the exact sum, or `None` for an exact zero.
fn add_exact(a: Unpacked, b: Unpacked) -> Option<(bool, i32, u128)> {
    let (big, small) = if (a.exp, a.sig) >= (b.exp, b.sig) {
        (a, b)
    } else {
        (b, a)
    };
    let d = (big.exp - small.exp) as u32;
    // Both in a 256-bit window whose top bit has weight 2^(big.exp + 1).
    let ah = (big.sig as u128) << 63;
    let (bh, bl) = shr256((small.sig as u128) << 63, d);
    let (h, l) = if big.sign == small.sign {
        (ah + bh, bl)
    } else {
        let (l, borrow) = 0u128.overflowing_sub(bl);
        (ah - bh - borrow as u128, l)
    };
    let (sig, lz) = norm256(h, l)?;
    Some((big.sign, big.exp + 1 - lz, sig))
}

/// FADD/FSUB: `a + b` (the caller negates `b` for a subtraction).
pub fn add(ctx: &mut Ctx, a: F80, b: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, a, b) {
        return r;
    }
    if a.is_inf() || b.is_inf() {
        if a.is_inf() && b.is_inf() && a.sign() != b.sign() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[a, b]) {
            return None;
        }
        return Some(if a.is_inf() { a } else { b });
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    ctx.up = false;
    match (a.is_zero(), b.is_zero()) {
        (true, true) => {
            let neg = if a.sign() == b.sign() {
                a.sign()
            } else {
                ctx.rc == Rounding::Down
            };
            return Some(signed_zero(neg));
        }
        (true, false) => return Some(round_value(ctx, b)),
        (false, true) => return Some(round_value(ctx, a)),
        _ => {}
    }
    match add_exact(a.unpack(), b.unpack()) {
        Some((sign, exp, sig)) => Some(round_pack(ctx, sign, exp, sig)),
        None => Some(signed_zero(ctx.rc == Rounding::Down)),
    }
}

/// A finite nonzero value rounded to the context's precision (as an arithmetic result).
fn round_value(ctx: &mut Ctx, a: F80) -> F80 {
    let u = a.unpack();
    round_pack(ctx, u.sign, u.exp, (u.sig as u128) << 64)
}

pub fn sub(ctx: &mut Ctx, a: F80, b: F80) -> Option<F80> {
    // Negating a NaN would change which operand wins nothing, but keep NaNs untouched.
    let nb = if b.is_nan() { b } else { b.neg() };
    add(ctx, a, nb)
}

/// FMUL.
pub fn mul(ctx: &mut Ctx, a: F80, b: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, a, b) {
        return r;
    }
    let sign = a.sign() != b.sign();
    if a.is_inf() || b.is_inf() {
        if a.is_zero() || b.is_zero() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[a, b]) {
            return None;
        }
        return Some(inf(sign));
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    ctx.up = false;
    if a.is_zero() || b.is_zero() {
        return Some(signed_zero(sign));
    }
    let (ua, ub) = (a.unpack(), b.unpack());
    let p = ua.sig as u128 * ub.sig as u128;
    let lz = p.leading_zeros();
    Some(round_pack(
        ctx,
        sign,
        ua.exp + ub.exp + 1 - lz as i32,
        p << lz,
    ))
}

/// The quotient of two normalized significands as a normalized 128-bit significand with
/// sticky, and the exponent adjustment (0 when `a >= b`, else −1).
fn div_sig(a: u64, b: u64) -> (u128, i32) {
    let n = (a as u128) << 64;
    let (q1, r1) = (n / b as u128, n % b as u128);
    let n2 = r1 << 64;
    let (q2, r2) = (n2 / b as u128, n2 % b as u128);
    if q1 >> 64 != 0 {
        let sticky = (q2 & 1 != 0) || r2 != 0;
        ((q1 << 63) | (q2 >> 1) | sticky as u128, 0)
    } else {
        ((q1 << 64) | q2 | (r2 != 0) as u128, -1)
    }
}

/// FDIV: `a / b`.
pub fn div(ctx: &mut Ctx, a: F80, b: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, a, b) {
        return r;
    }
    let sign = a.sign() != b.sign();
    if a.is_inf() {
        if b.is_inf() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[b]) {
            return None;
        }
        return Some(inf(sign));
    }
    if b.is_inf() {
        if check_denormal(ctx, &[a]) {
            return None;
        }
        return Some(signed_zero(sign));
    }
    if b.is_zero() {
        if a.is_zero() {
            return invalid(ctx);
        }
        if ctx.fault(ZE) {
            return None;
        }
        return Some(inf(sign));
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    ctx.up = false;
    if a.is_zero() {
        return Some(signed_zero(sign));
    }
    let (ua, ub) = (a.unpack(), b.unpack());
    let (q, adj) = div_sig(ua.sig, ub.sig);
    Some(round_pack(ctx, sign, ua.exp - ub.exp + adj, q))
}

/// Integer square root of a 128-bit number: the root and the remainder `n − root²`.
pub(crate) fn isqrt128(n: u128) -> (u128, u128) {
    let mut x = 0u128;
    let mut rem = n;
    let mut bit = 1u128 << 126;
    while bit > n {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= x + bit {
            rem -= x + bit;
            x = (x >> 1) + bit;
        } else {
            x >>= 1;
        }
        bit >>= 2;
    }
    (x, rem)
}

/// FSQRT.
pub fn sqrt(ctx: &mut Ctx, a: F80) -> Option<F80> {
    if let Err(r) = check_nan1(ctx, a) {
        return r;
    }
    if a.is_zero() {
        return Some(a);
    }
    if a.sign() {
        return invalid(ctx);
    }
    if a.is_inf() {
        return Some(a);
    }
    if check_denormal(ctx, &[a]) {
        return None;
    }
    let u = a.unpack();
    // value = sig × 2^e with e = exp − 63; make the exponent even.
    let e = u.exp - 63;
    let (n, half) = if e & 1 == 0 {
        ((u.sig as u128) << 64, (e - 64) / 2)
    } else {
        ((u.sig as u128) << 63, (e - 63) / 2)
    };
    let (r, rem) = isqrt128(n);
    // The root has 64 bits; the next bit is set when the fraction exceeds one half (never
    // exactly a half), and anything left makes the sticky bit.
    let sig = (r << 64) | if rem > r { 1u128 << 63 } else { 0 } | (rem != 0) as u128;
    ctx.up = false;
    Some(round_pack(ctx, false, half + 63, sig))
}

/// Compare two values. `quiet` (FUCOM) raises #IA only for SNaNs and unsupported operands;
/// otherwise (FCOM) any NaN raises it. `None`: unmasked exception, no result.
pub fn compare(ctx: &mut Ctx, a: F80, b: F80, quiet: bool) -> Option<Cmp> {
    let bad = |x: F80| x.is_unsupported() || x.is_snan() || (!quiet && x.is_nan());
    if bad(a) || bad(b) {
        if ctx.fault(IE) {
            return None;
        }
        return Some(Cmp::Unordered);
    }
    if a.is_nan() || b.is_nan() {
        return Some(Cmp::Unordered);
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    Some(cmp_values(a, b))
}

/// Order two non-NaN supported values.
pub fn cmp_values(a: F80, b: F80) -> Cmp {
    if a.is_zero() && b.is_zero() {
        return Cmp::Equal;
    }
    let key = |x: F80| -> (i32, i32, u64) {
        // Sign, then magnitude (infinity, normals, denormals, zero).
        if x.is_zero() {
            return (0, 0, 0);
        }
        let s = if x.sign() { -1 } else { 1 };
        if x.is_inf() {
            return (s, i32::MAX, 0);
        }
        let u = x.unpack();
        (s, u.exp, u.sig)
    };
    let (ka, kb) = (key(a), key(b));
    let ord = if ka.0 != kb.0 {
        ka.0.cmp(&kb.0)
    } else {
        let m = (ka.1, ka.2).cmp(&(kb.1, kb.2));
        if ka.0 < 0 {
            m.reverse()
        } else {
            m
        }
    };
    match ord {
        Ordering::Less => Cmp::Less,
        Ordering::Equal => Cmp::Equal,
        Ordering::Greater => Cmp::Greater,
    }
}

/// FRNDINT: round to an integer by the rounding mode (always 64-bit precision).
pub fn round_int(ctx: &mut Ctx, a: F80) -> Option<F80> {
    if let Err(r) = check_nan1(ctx, a) {
        return r;
    }
    if a.is_inf() || a.is_zero() {
        return Some(a);
    }
    if check_denormal(ctx, &[a]) {
        return None;
    }
    let u = a.unpack();
    ctx.up = false;
    if u.exp >= 63 {
        return Some(a);
    }
    let (n, inexact, up) = to_integer(ctx.rc, u);
    if inexact {
        ctx.raise(PE);
    }
    ctx.up = up;
    let mut c = *ctx;
    let r = F80::from_parts(&mut c, u.sign, n, 0);
    Some(if n == 0 { signed_zero(u.sign) } else { r })
}

/// Round the magnitude of a finite nonzero value to an integer: (magnitude, inexact, rounded
/// up). Values of 2^64 and more saturate (callers check the range first).
pub fn to_integer(rc: Rounding, u: Unpacked) -> (u128, bool, bool) {
    if u.exp >= 63 {
        let sh = (u.exp - 63).min(64) as u32;
        return ((u.sig as u128) << sh, false, false);
    }
    // value = sig × 2^(exp − 63): drop 63 − exp fraction bits.
    let drop = (63 - u.exp) as u32;
    let s = (u.sig as u128) << 64;
    let total = drop + 64;
    let (int, rem, half) = if total >= 129 {
        (0u128, 1u128, 2u128)
    } else if total == 128 {
        (0, s, 1u128 << 127)
    } else {
        (s >> total, s & ((1u128 << total) - 1), 1u128 << (total - 1))
    };
    let inexact = rem != 0;
    let inc = match rc {
        Rounding::Nearest => rem > half || (rem == half && int & 1 == 1),
        Rounding::Zero => false,
        Rounding::Up => inexact && !u.sign,
        Rounding::Down => inexact && u.sign,
    };
    (int + inc as u128, inexact, inc)
}

/// FSCALE: `a × 2^trunc(b)` (64-bit precision).
pub fn scale(ctx: &mut Ctx, a: F80, b: F80) -> Option<F80> {
    if let Err(r) = check_nan2(ctx, a, b) {
        return r;
    }
    if b.is_inf() {
        if b.sign() {
            if a.is_inf() {
                return invalid(ctx);
            }
            if check_denormal(ctx, &[a]) {
                return None;
            }
            return Some(signed_zero(a.sign()));
        }
        if a.is_zero() {
            return invalid(ctx);
        }
        if check_denormal(ctx, &[a]) {
            return None;
        }
        return Some(inf(a.sign()));
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    ctx.up = false;
    if a.is_inf() || a.is_zero() {
        return Some(a);
    }
    let n: i64 = if b.is_zero() {
        0
    } else {
        let ub = b.unpack();
        let (m, _, _) = to_integer(Rounding::Zero, ub);
        let m = m.min(1 << 20) as i64;
        if ub.sign {
            -m
        } else {
            m
        }
    };
    let u = a.unpack();
    let mut c = ctx.full();
    let r = round_pack(&mut c, u.sign, u.exp + n as i32, (u.sig as u128) << 64);
    ctx.flags |= c.flags;
    ctx.up = c.up;
    Some(r)
}

/// FXTRACT: (exponent, significand). `None`: unmasked exception.
pub fn extract(ctx: &mut Ctx, a: F80) -> Option<(F80, F80)> {
    if a.is_unsupported() || a.is_snan() {
        if ctx.fault(IE) {
            return None;
        }
        let r = if a.is_nan() {
            a.quiet()
        } else {
            F80::INDEFINITE
        };
        return Some((r, r));
    }
    if a.is_nan() {
        return Some((a, a));
    }
    if a.is_inf() {
        return Some((F80::INFINITY, a));
    }
    if a.is_zero() {
        if ctx.fault(ZE) {
            return None;
        }
        return Some((F80::NEG_INFINITY, a));
    }
    if check_denormal(ctx, &[a]) {
        return None;
    }
    let u = a.unpack();
    Some((
        F80::from_i64(u.exp as i64),
        F80::new(u.sign, BIAS as u16, u.sig),
    ))
}

/// The outcome of FPREM/FPREM1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remainder {
    pub value: F80,
    /// The low three bits of the quotient (for C0, C3, C1).
    pub q: u8,
    /// The reduction is incomplete (C2).
    pub partial: bool,
}

/// FPREM (`nearest` false: quotient truncated) and FPREM1 (IEEE remainder).
pub fn rem(ctx: &mut Ctx, a: F80, b: F80, nearest: bool) -> Option<Remainder> {
    let done = |v: F80| Remainder {
        value: v,
        q: 0,
        partial: false,
    };
    if let Err(r) = check_nan2(ctx, a, b) {
        return r.map(done);
    }
    if a.is_inf() || b.is_zero() {
        return invalid(ctx).map(done);
    }
    if check_denormal(ctx, &[a, b]) {
        return None;
    }
    ctx.up = false;
    if b.is_inf() || a.is_zero() {
        return Some(done(a));
    }
    let (ua, ub) = (a.unpack(), b.unpack());
    let d = ua.exp - ub.exp;
    if d < -1 {
        return Some(done(round_exact(ctx, a)));
    }
    let (shift, partial) = if d >= 64 {
        ((d & 31) | 32, true)
    } else {
        (d, false)
    };
    // num / den with num = sigA << (shift + 1), den = sigB << 1; remainder weight
    // 2^(eb − 64 + (d − shift)).
    let num = (ua.sig as u128) << ((shift + 1) as u32);
    let den = (ub.sig as u128) << 1;
    let mut q = num / den;
    let mut r = num % den;
    let mut sign = ua.sign;
    if nearest && !partial && (2 * r > den || (2 * r == den && q & 1 == 1)) {
        r = den - r;
        q += 1;
        sign = !sign;
    }
    let weight = ub.exp - 64 + (d - shift);
    let mut c = ctx.full();
    let value = if r == 0 {
        signed_zero(ua.sign)
    } else {
        F80::from_parts(&mut c, sign, r, weight)
    };
    ctx.flags |= c.flags & (UE | PE);
    Some(Remainder {
        value,
        q: (q & 7) as u8,
        partial,
    })
}

/// A finite value passed through as an exact result (a pseudo-denormal becomes normal,
/// denormals stay). Used where an operation returns an operand unchanged.
fn round_exact(ctx: &mut Ctx, a: F80) -> F80 {
    if a.is_zero() {
        return a;
    }
    let mut c = ctx.full();
    let r = round_value(&mut c, a);
    ctx.flags |= c.flags & UE;
    r
}

// ---- conversions ----

/// Load a single-precision value (exact): #IA for SNaNs, #D for denormals.
pub fn from_f32_bits(ctx: &mut Ctx, v: u32) -> F80 {
    let sign = v >> 31 != 0;
    let e = ((v >> 23) & 0xFF) as i32;
    let f = (v & 0x7F_FFFF) as u64;
    from_ieee(ctx, sign, e, f, 23, 127, 0xFF)
}

/// Load a double-precision value (exact).
pub fn from_f64_bits(ctx: &mut Ctx, v: u64) -> F80 {
    let sign = v >> 63 != 0;
    let e = ((v >> 52) & 0x7FF) as i32;
    let f = v & 0xF_FFFF_FFFF_FFFF;
    from_ieee(ctx, sign, e, f, 52, 1023, 0x7FF)
}

fn from_ieee(ctx: &mut Ctx, sign: bool, e: i32, f: u64, fbits: u32, bias: i32, emax: i32) -> F80 {
    if e == emax {
        if f == 0 {
            return inf(sign);
        }
        let payload = J | (f << (63 - fbits));
        let n = F80::new(sign, 0x7FFF, payload);
        if n.is_snan() {
            ctx.raise(IE);
            return n.quiet();
        }
        return n;
    }
    if e == 0 {
        if f == 0 {
            return signed_zero(sign);
        }
        ctx.raise(DE);
        let lz = f.leading_zeros();
        let exp = (1 - bias) - (lz as i32 - (63 - fbits as i32));
        return F80::new(sign, (exp + BIAS) as u16, f << lz);
    }
    F80::new(sign, (e - bias + BIAS) as u16, J | (f << (63 - fbits)))
}

/// Round an extended value to an IEEE format for a memory store. `None` when an unmasked
/// exception withholds the store (invalid, overflow or underflow).
fn to_ieee(ctx: &mut Ctx, a: F80, fbits: u32, bias: i32, emax_field: u64) -> Option<u64> {
    let ebits = if fbits == 23 { 8 } else { 11 };
    let sign = (a.sign() as u64) << (fbits + ebits);
    let inf_bits = emax_field << fbits;
    let qnan_bit = 1u64 << (fbits - 1);
    if a.is_unsupported() || a.is_snan() {
        if ctx.fault(IE) {
            return None;
        }
        if a.is_unsupported() {
            return Some((1u64 << (fbits + ebits)) | inf_bits | qnan_bit);
        }
    }
    if a.is_nan() {
        let payload = (a.sig << 1) >> (64 - fbits);
        return Some(sign | inf_bits | payload | qnan_bit);
    }
    if a.is_inf() {
        return Some(sign | inf_bits);
    }
    if a.is_zero() {
        return Some(sign);
    }
    let u = a.unpack();
    let prec = fbits + 1;
    let emin = 1 - bias;
    let emax = emax_field as i32 - 1 - bias;
    let sig = (u.sig as u128) << 64;
    let (e1, m1, inexact, up) = round_core(ctx.rc, u.sign, u.exp, sig, prec, emin, false);
    if e1 > emax {
        if ctx.fault(OE) {
            return None;
        }
        ctx.raise(PE);
        let to_inf = match ctx.rc {
            Rounding::Nearest => true,
            Rounding::Zero => false,
            Rounding::Up => !u.sign,
            Rounding::Down => u.sign,
        };
        ctx.up = to_inf;
        return Some(if to_inf {
            sign | inf_bits
        } else {
            sign | ((emax_field - 1) << fbits) | ((1u64 << fbits) - 1)
        });
    }
    if e1 < emin {
        if ctx.fault(UE) {
            return None;
        }
        let (_, m2, inexact2, up2) = round_core(ctx.rc, u.sign, u.exp, sig, prec, emin, true);
        if inexact2 {
            ctx.raise(UE | PE);
        }
        ctx.up = up2;
        let frac = m2 >> (64 - prec);
        // A carry into the integer bit makes the smallest normal (exponent field 1).
        return Some(sign | frac);
    }
    if u.exp < emin {
        let (_, _, inexact2, up2) = round_core(ctx.rc, u.sign, u.exp, sig, prec, emin, true);
        if inexact2 {
            ctx.raise(PE);
        }
        ctx.up = up2;
    } else {
        if inexact {
            ctx.raise(PE);
        }
        ctx.up = up;
    }
    let frac = (m1 >> (64 - prec)) & ((1u64 << fbits) - 1);
    Some(sign | (((e1 + bias) as u64) << fbits) | frac)
}

/// FST m32.
pub fn to_f32_bits(ctx: &mut Ctx, a: F80) -> Option<u32> {
    to_ieee(ctx, a, 23, 127, 0xFF).map(|v| v as u32)
}

/// FST m64.
pub fn to_f64_bits(ctx: &mut Ctx, a: F80) -> Option<u64> {
    to_ieee(ctx, a, 52, 1023, 0x7FF)
}

/// FIST: round to a signed integer of `bits` (16, 32, 64) by the rounding mode. A NaN, an
/// infinity or an out-of-range value is #IA: the integer indefinite when masked, `None` when
/// not.
pub fn to_int(ctx: &mut Ctx, a: F80, bits: u32) -> Option<i64> {
    let indefinite = i64::MIN >> (64 - bits);
    if a.is_nan() || a.is_inf() || a.is_unsupported() {
        return if ctx.fault(IE) {
            None
        } else {
            Some(indefinite)
        };
    }
    ctx.up = false;
    if a.is_zero() {
        return Some(0);
    }
    let u = a.unpack();
    if u.exp >= 64 {
        return if ctx.fault(IE) {
            None
        } else {
            Some(indefinite)
        };
    }
    let (m, inexact, up) = to_integer(ctx.rc, u);
    let limit = 1u128 << (bits - 1);
    if m > limit || (m == limit && !u.sign) {
        return if ctx.fault(IE) {
            None
        } else {
            Some(indefinite)
        };
    }
    if inexact {
        ctx.raise(PE);
    }
    ctx.up = up;
    let v = m as i128;
    Some((if u.sign { -v } else { v }) as i64)
}

/// FBLD: packed BCD (9 bytes of two digits, the sign in bit 7 of the tenth byte) to extended.
/// Digits above 9 are taken at face value (the result of invalid BCD is undefined).
pub fn from_bcd(b: [u8; 10]) -> F80 {
    let mut v: u64 = 0;
    for i in (0..9).rev() {
        v = v * 100 + (b[i] >> 4) as u64 * 10 + (b[i] & 15) as u64;
    }
    let sign = b[9] & 0x80 != 0;
    if v == 0 {
        return signed_zero(sign);
    }
    let mut ctx = Ctx::new(Rounding::Nearest);
    F80::from_parts(&mut ctx, sign, v as u128, 0)
}

/// The packed BCD indefinite stored by a masked invalid FBSTP.
pub const BCD_INDEFINITE: [u8; 10] = [0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF];

/// FBSTP: round to an integer and store 18 BCD digits. `None`: unmasked #IA.
pub fn to_bcd(ctx: &mut Ctx, a: F80) -> Option<[u8; 10]> {
    let bad = |ctx: &mut Ctx| {
        if ctx.fault(IE) {
            None
        } else {
            Some(BCD_INDEFINITE)
        }
    };
    if a.is_nan() || a.is_inf() || a.is_unsupported() {
        return bad(ctx);
    }
    ctx.up = false;
    let mut out = [0u8; 10];
    out[9] = if a.sign() { 0x80 } else { 0 };
    if a.is_zero() {
        return Some(out);
    }
    let u = a.unpack();
    if u.exp >= 64 {
        return bad(ctx);
    }
    let (m, inexact, up) = to_integer(ctx.rc, u);
    if m >= 1_000_000_000_000_000_000 {
        return bad(ctx);
    }
    if inexact {
        ctx.raise(PE);
    }
    ctx.up = up;
    let mut v = m as u64;
    for byte in out.iter_mut().take(9) {
        let lo = v % 10;
        v /= 10;
        let hi = v % 10;
        v /= 10;
        *byte = ((hi << 4) | lo) as u8;
    }
    Some(out)
}

/// A constant given to 128 bits (value = `m × 2^(exp − 127)`), rounded by the context's
/// rounding mode to 64 bits: how FLDPI and its kin load.
pub fn constant(rc: Rounding, m: u128, exp: i32) -> F80 {
    let mut ctx = Ctx::new(rc);
    // The tail beyond 128 bits is nonzero for every irrational constant.
    round_pack(&mut ctx, false, exp, m | 1)
}
