//! Group 3 (TEST NOT NEG MUL IMUL DIV IDIV) and the multi-operand IMUL forms.

use super::{sign_extend, size_mask, EAX, EDX};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{LazyOp, CF, OF};
use crate::{Cpu, Exception, Res};

impl Cpu {
    /// F6 / F7.
    pub(crate) fn group3<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op == 0xF6 { 1 } else { insn.osize() };
        match insn.reg() {
            0 | 1 => {
                let a = self.read_rm(bus, insn, size)?;
                self.alu(super::alu::AluOp::And, size, a, insn.imm);
                Ok(())
            }
            2 => self.not_neg(bus, insn, size, false),
            3 => self.not_neg(bus, insn, size, true),
            4 => {
                let v = self.read_rm(bus, insn, size)?;
                self.mul(size, v, false);
                Ok(())
            }
            5 => {
                let v = self.read_rm(bus, insn, size)?;
                self.mul(size, v, true);
                Ok(())
            }
            6 => {
                let v = self.read_rm(bus, insn, size)?;
                self.div(size, v, false)
            }
            _ => {
                let v = self.read_rm(bus, insn, size)?;
                self.div(size, v, true)
            }
        }
    }

    /// Set flags after a multiply: CF = OF = `overflow`; SZP follow the low half.
    #[inline]
    pub(crate) fn mul_flags(&mut self, size: u32, low: u32, overflow: bool) {
        self.flags.set_lazy(LazyOp::Logic, size, 0, 0, low);
        let f = if overflow { CF | OF } else { 0 };
        self.flags.set_masked(CF | OF, f);
    }

    /// One-operand MUL/IMUL: accumulator times `v` into AX, DX:AX or EDX:EAX.
    fn mul(&mut self, size: u32, v: u32, signed: bool) {
        let a = self.get_reg(size, EAX);
        let (prod, overflow) = if signed {
            let p = sign_extend(a, size) as i32 as i64 * sign_extend(v, size) as i32 as i64;
            let low = sign_extend(p as u32 & size_mask(size), size) as i32 as i64;
            (p as u64, low != p)
        } else {
            let p = a as u64 * (v & size_mask(size)) as u64;
            (p, p >> (size * 8) != 0)
        };
        let bits = size * 8;
        let low = prod as u32 & size_mask(size);
        let high = (prod >> bits) as u32 & size_mask(size);
        match size {
            1 => self.set_reg(2, EAX, prod as u32 & 0xFFFF),
            _ => {
                self.set_reg(size, EAX, low);
                self.set_reg(size, EDX, high);
            }
        }
        self.mul_flags(size, low, overflow);
    }

    /// DIV/IDIV: #DE on a zero divisor or a quotient that does not fit.
    fn div(&mut self, size: u32, v: u32, signed: bool) -> Res<()> {
        let de = Exception::fault(Exception::DE);
        let divisor = v & size_mask(size);
        if divisor == 0 {
            return Err(de);
        }
        let bits = size * 8;
        let dividend: u64 = match size {
            1 => self.get_reg(2, EAX) as u64,
            _ => ((self.get_reg(size, EDX) as u64) << bits) | self.get_reg(size, EAX) as u64,
        };
        let (q, r) = if signed {
            let n = ((dividend << (64 - 2 * bits)) as i64) >> (64 - 2 * bits);
            let d = sign_extend(divisor, size) as i32 as i64;
            let q = n / d;
            let r = n % d;
            let lim = 1i64 << (bits - 1);
            if q >= lim || q < -lim {
                return Err(de);
            }
            (q as u64, r as u64)
        } else {
            let q = dividend / divisor as u64;
            if q >> bits != 0 {
                return Err(de);
            }
            (q, dividend % divisor as u64)
        };
        let m = size_mask(size) as u64;
        match size {
            1 => self.set_reg(2, EAX, ((r & m) << 8 | (q & m)) as u32),
            _ => {
                self.set_reg(size, EAX, (q & m) as u32);
                self.set_reg(size, EDX, (r & m) as u32);
            }
        }
        Ok(())
    }

    /// Signed multiply of `a` by `b` truncated to `size`, with CF = OF = overflow.
    #[inline]
    pub(crate) fn imul_trunc(&mut self, size: u32, a: u32, b: u32) -> u32 {
        let p = sign_extend(a, size) as i32 as i64 * sign_extend(b, size) as i32 as i64;
        let low = p as u32 & size_mask(size);
        let overflow = sign_extend(low, size) as i32 as i64 != p;
        self.mul_flags(size, low, overflow);
        low
    }

    /// 69 / 6B: IMUL Gv, Ev, imm.
    pub(crate) fn imul_imm<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let a = self.read_rm(bus, insn, size)?;
        let r = self.imul_trunc(size, a, insn.imm);
        self.set_reg(size, insn.reg(), r);
        Ok(())
    }
}
