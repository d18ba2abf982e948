//! EFLAGS with lazily computed arithmetic flags.
//!
//! The common ALU instructions do not compute CF/PF/AF/ZF/SF/OF; they record the operation, its
//! operands and result, and the flags are worked out only when something reads them.

pub const CF: u32 = 1 << 0;
pub const FIXED1: u32 = 1 << 1;
pub const PF: u32 = 1 << 2;
pub const AF: u32 = 1 << 4;
pub const ZF: u32 = 1 << 6;
pub const SF: u32 = 1 << 7;
pub const TF: u32 = 1 << 8;
pub const IF: u32 = 1 << 9;
pub const DF: u32 = 1 << 10;
pub const OF: u32 = 1 << 11;
pub const IOPL: u32 = 3 << 12;
pub const NT: u32 = 1 << 14;
pub const RF: u32 = 1 << 16;
pub const VM: u32 = 1 << 17;
pub const AC: u32 = 1 << 18;
pub const VIF: u32 = 1 << 19;
pub const VIP: u32 = 1 << 20;
pub const ID: u32 = 1 << 21;
/// Bits that always read as zero.
pub const RESERVED0: u32 = (1 << 3) | (1 << 5) | 0xFFC0_0000;

/// The six arithmetic status flags.
pub const ARITH: u32 = CF | PF | AF | ZF | SF | OF;

/// The operation whose result the lazy flags describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LazyOp {
    /// a + b (+ carry in), result r.
    Add,
    /// a - b (- borrow in), result r.
    Sub,
    /// Logical operation: CF = OF = 0, AF = 0.
    Logic,
    /// A shift: SF, ZF, PF from r, CF = a & 1, OF = b & 1, AF = 0.
    Shift,
}

#[derive(Debug, Clone, Copy)]
pub struct Flags {
    /// Flag bits that are not lazy.
    bits: u32,
    /// Which arithmetic flags must be computed from the lazy record.
    lazy_mask: u32,
    op: LazyOp,
    /// Operand size in bits minus one (7, 15, 31): the sign bit position.
    top: u32,
    a: u32,
    b: u32,
    r: u32,
}

#[inline]
fn parity(v: u32) -> bool {
    (v as u8).count_ones() & 1 == 0
}

impl Default for Flags {
    fn default() -> Self {
        Flags::new()
    }
}

impl Flags {
    pub fn new() -> Flags {
        Flags {
            bits: FIXED1,
            lazy_mask: 0,
            op: LazyOp::Logic,
            top: 7,
            a: 0,
            b: 0,
            r: 0,
        }
    }

    /// Record the result of an ALU operation of `size` bytes; all six arithmetic flags follow it.
    #[inline]
    pub fn set_lazy(&mut self, op: LazyOp, size: u32, a: u32, b: u32, r: u32) {
        self.lazy_mask = ARITH;
        self.op = op;
        self.top = size * 8 - 1;
        self.a = a;
        self.b = b;
        self.r = r;
    }

    /// Like [`set_lazy`](Self::set_lazy) but CF keeps its current value (INC, DEC).
    #[inline]
    pub fn set_lazy_keep_cf(&mut self, op: LazyOp, size: u32, a: u32, b: u32, r: u32) {
        let cf = self.cf();
        self.bits = (self.bits & !CF) | cf as u32;
        self.set_lazy(op, size, a, b, r);
        self.lazy_mask = ARITH & !CF;
    }

    fn compute(&self) -> u32 {
        let top = self.top;
        let (a, b, r) = (self.a, self.b, self.r);
        let mask = if top == 31 {
            u32::MAX
        } else {
            (1u32 << (top + 1)) - 1
        };
        let mut f = 0;
        let rm = r & mask;
        if rm == 0 {
            f |= ZF;
        }
        if (r >> top) & 1 != 0 {
            f |= SF;
        }
        if parity(r) {
            f |= PF;
        }
        match self.op {
            LazyOp::Add => {
                if (((a & b) | ((a | b) & !r)) >> top) & 1 != 0 {
                    f |= CF;
                }
                if (((a ^ r) & (b ^ r)) >> top) & 1 != 0 {
                    f |= OF;
                }
                f |= (a ^ b ^ r) & AF;
            }
            LazyOp::Sub => {
                if (((!a & b) | ((!a | b) & r)) >> top) & 1 != 0 {
                    f |= CF;
                }
                if (((a ^ b) & (a ^ r)) >> top) & 1 != 0 {
                    f |= OF;
                }
                f |= (a ^ b ^ r) & AF;
            }
            LazyOp::Logic => {}
            LazyOp::Shift => f |= ((a & 1) * CF) | ((b & 1) * OF),
        }
        f
    }

    /// The whole EFLAGS value.
    #[inline]
    pub fn get(&self) -> u32 {
        if self.lazy_mask == 0 {
            self.bits
        } else {
            (self.bits & !self.lazy_mask) | (self.compute() & self.lazy_mask)
        }
    }

    /// The flags that are never lazy (IF, TF, DF, IOPL, NT, RF, VM, AC, VIF, VIP, ID) without
    /// working out the arithmetic ones: what the interpreter checks on every instruction.
    #[inline]
    pub fn control(&self) -> u32 {
        self.bits & !ARITH
    }

    /// Replace the whole EFLAGS value (no model rules applied here).
    #[inline]
    pub fn set(&mut self, v: u32) {
        self.bits = v;
        self.lazy_mask = 0;
    }

    /// Set or clear the given flag bits. Lazy flags outside `mask` stay lazy: the record they
    /// come from does not change.
    #[inline]
    pub fn set_bits(&mut self, mask: u32, on: bool) {
        self.lazy_mask &= !mask;
        if on {
            self.bits |= mask;
        } else {
            self.bits &= !mask;
        }
    }

    /// Replace the arithmetic flags selected by `mask` with those in `v` (a rotate sets CF and
    /// OF this way, and SF, ZF, AF and PF stay lazy).
    #[inline]
    pub fn set_masked(&mut self, mask: u32, v: u32) {
        self.bits = (self.bits & !mask) | (v & mask);
        self.lazy_mask &= !mask;
    }

    #[inline]
    pub fn cf(&self) -> bool {
        if self.lazy_mask & CF != 0 {
            let (a, b, r, top) = (self.a, self.b, self.r, self.top);
            match self.op {
                LazyOp::Add => (((a & b) | ((a | b) & !r)) >> top) & 1 != 0,
                LazyOp::Sub => (((!a & b) | ((!a | b) & r)) >> top) & 1 != 0,
                LazyOp::Logic => false,
                LazyOp::Shift => a & 1 != 0,
            }
        } else {
            self.bits & CF != 0
        }
    }

    #[inline]
    pub fn zf(&self) -> bool {
        if self.lazy_mask & ZF != 0 {
            let mask = if self.top == 31 {
                u32::MAX
            } else {
                (1u32 << (self.top + 1)) - 1
            };
            self.r & mask == 0
        } else {
            self.bits & ZF != 0
        }
    }

    #[inline]
    pub fn sf(&self) -> bool {
        if self.lazy_mask & SF != 0 {
            (self.r >> self.top) & 1 != 0
        } else {
            self.bits & SF != 0
        }
    }

    #[inline]
    pub fn of(&self) -> bool {
        if self.lazy_mask & OF != 0 {
            let (a, b, r, top) = (self.a, self.b, self.r, self.top);
            match self.op {
                LazyOp::Add => (((a ^ r) & (b ^ r)) >> top) & 1 != 0,
                LazyOp::Sub => (((a ^ b) & (a ^ r)) >> top) & 1 != 0,
                LazyOp::Logic => false,
                LazyOp::Shift => b & 1 != 0,
            }
        } else {
            self.bits & OF != 0
        }
    }

    #[inline]
    pub fn pf(&self) -> bool {
        self.get() & PF != 0
    }

    #[inline]
    pub fn af(&self) -> bool {
        self.get() & AF != 0
    }

    #[inline]
    pub fn df(&self) -> bool {
        self.bits & DF != 0
    }

    /// Evaluate condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc).
    #[inline(always)]
    pub fn condition(&self, cc: u8) -> bool {
        // The common case: every arithmetic flag follows an ADD, SUB or logical operation
        // (what CMP, TEST and the ALU leave before a Jcc).
        if self.lazy_mask == ARITH && self.op != LazyOp::Shift {
            return self.lazy_condition(cc >> 1) != (cc & 1 != 0);
        }
        let r = match cc >> 1 {
            0 => self.of(),
            1 => self.cf(),
            2 => self.zf(),
            3 => self.cf() || self.zf(),
            4 => self.sf(),
            5 => self.pf(),
            6 => self.sf() != self.of(),
            _ => self.zf() || (self.sf() != self.of()),
        };
        r != (cc & 1 != 0)
    }

    /// Condition `c` (0 O, 1 B, 2 Z, 3 BE, 4 S, 5 P, 6 L, 7 LE) straight from the lazy record
    /// of an ADD, SUB or logical operation: the operands and result moved up so that their
    /// sign bit is bit 31, which leaves nothing above it to mask and zero below.
    #[inline(always)]
    fn lazy_condition(&self, c: u8) -> bool {
        let up = 31 - self.top;
        let r = self.r << up;
        // Each condition works out only the flags it reads: a JZ after a CMP needs neither CF
        // nor OF, whose formulas cost as much again as the rest.
        let cf = || {
            let (a, b) = (self.a << up, self.b << up);
            let cf = match self.op {
                LazyOp::Add => (a & b) | ((a | b) & !r),
                LazyOp::Sub => (!a & b) | ((!a | b) & r),
                _ => 0,
            };
            cf >> 31 != 0
        };
        let of = || {
            let (a, b) = (self.a << up, self.b << up);
            let of = match self.op {
                LazyOp::Add => (a ^ r) & (b ^ r),
                LazyOp::Sub => (a ^ b) & (a ^ r),
                _ => 0,
            };
            of >> 31 != 0
        };
        let (sf, zf) = (r >> 31 != 0, r == 0);
        match c {
            0 => of(),
            1 => cf(),
            2 => zf,
            3 => zf || cf(),
            4 => sf,
            5 => parity(self.r),
            6 => sf != of(),
            _ => zf || sf != of(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_flags_byte() {
        let mut f = Flags::new();
        f.set_lazy(LazyOp::Add, 1, 0xFF, 0x01, 0x100);
        let v = f.get();
        assert_ne!(v & CF, 0);
        assert_ne!(v & ZF, 0);
        assert_ne!(v & AF, 0);
        assert_eq!(v & OF, 0);
        f.set_lazy(LazyOp::Add, 1, 0x7F, 0x01, 0x80);
        let v = f.get();
        assert_ne!(v & OF, 0);
        assert_ne!(v & SF, 0);
        assert_eq!(v & CF, 0);
    }

    /// Condition `cc` worked out from the whole EFLAGS value, the long way.
    fn condition_from_bits(f: u32, cc: u8) -> bool {
        let (cf, zf, sf, of, pf) = (
            f & CF != 0,
            f & ZF != 0,
            f & SF != 0,
            f & OF != 0,
            f & PF != 0,
        );
        let r = match cc >> 1 {
            0 => of,
            1 => cf,
            2 => zf,
            3 => cf || zf,
            4 => sf,
            5 => pf,
            6 => sf != of,
            _ => zf || sf != of,
        };
        r != (cc & 1 != 0)
    }

    #[test]
    fn conditions_from_the_lazy_record_match_the_flags() {
        let mut x: u32 = 0x1234_5678;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for i in 0..20_000 {
            let size = [1, 2, 4][i % 3];
            let mask = if size == 4 {
                u32::MAX
            } else {
                (1 << (size * 8)) - 1
            };
            // Small and edge values as well as random ones.
            let pick = |v: u32, k: u32| match k % 4 {
                0 => v & mask,
                1 => v & 3,
                2 => mask >> 1,
                _ => mask - (v & 1),
            };
            let (ka, kb) = (next(), next());
            let (a, b) = (pick(next(), ka), pick(next(), kb));
            let carry = next() & 1;
            let (op, r) = match i % 5 {
                0 => (LazyOp::Add, a.wrapping_add(b)),
                1 => (LazyOp::Add, a.wrapping_add(b).wrapping_add(carry)),
                2 => (LazyOp::Sub, a.wrapping_sub(b)),
                3 => (LazyOp::Sub, a.wrapping_sub(b).wrapping_sub(carry)),
                _ => (LazyOp::Logic, a & b),
            };
            let mut f = Flags::new();
            f.set_lazy(op, size, a, b, r);
            let bits = f.get();
            for cc in 0..16 {
                assert_eq!(
                    f.condition(cc),
                    condition_from_bits(bits, cc),
                    "{op:?} size {size} a {a:#x} b {b:#x} r {r:#x} cc {cc}"
                );
            }
        }
    }

    #[test]
    fn sub_borrow_and_keep_cf() {
        let mut f = Flags::new();
        f.set_lazy(LazyOp::Sub, 2, 0, 1, 0u32.wrapping_sub(1));
        assert!(f.cf());
        assert!(f.sf());
        f.set_lazy_keep_cf(LazyOp::Add, 2, 5, 1, 6);
        assert!(f.cf(), "INC keeps CF");
        assert!(!f.zf());
    }
}
