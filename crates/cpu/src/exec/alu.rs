//! Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP, TEST, INC, DEC, NOT, NEG.

use super::{size_mask, Loc, EAX};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::LazyOp;
use crate::{Cpu, Res};

/// The eight ALU operations in encoding order (the reg field of groups 80-83, bits 3-5 of 00-3D).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AluOp {
    Add = 0,
    Or = 1,
    Adc = 2,
    Sbb = 3,
    And = 4,
    Sub = 5,
    Xor = 6,
    Cmp = 7,
}

impl AluOp {
    pub(crate) fn from_bits(b: u8) -> AluOp {
        [
            AluOp::Add,
            AluOp::Or,
            AluOp::Adc,
            AluOp::Sbb,
            AluOp::And,
            AluOp::Sub,
            AluOp::Xor,
            AluOp::Cmp,
        ][(b & 7) as usize]
    }
}

impl Cpu {
    /// Compute `a op b`, set the flags, and return the result (masked to `size`).
    #[inline(always)]
    pub(crate) fn alu(&mut self, op: AluOp, size: u32, a: u32, b: u32) -> u32 {
        let m = size_mask(size);
        let (a, b) = (a & m, b & m);
        let r = match op {
            AluOp::Add => {
                let r = a.wrapping_add(b);
                self.flags.set_lazy(LazyOp::Add, size, a, b, r);
                r
            }
            AluOp::Adc => {
                let c = self.flags.cf() as u32;
                let r = a.wrapping_add(b).wrapping_add(c);
                self.flags.set_lazy(LazyOp::Add, size, a, b, r);
                r
            }
            AluOp::Sub | AluOp::Cmp => {
                let r = a.wrapping_sub(b);
                self.flags.set_lazy(LazyOp::Sub, size, a, b, r);
                r
            }
            AluOp::Sbb => {
                let c = self.flags.cf() as u32;
                let r = a.wrapping_sub(b).wrapping_sub(c);
                self.flags.set_lazy(LazyOp::Sub, size, a, b, r);
                r
            }
            AluOp::And => {
                let r = a & b;
                self.flags.set_lazy(LazyOp::Logic, size, 0, 0, r);
                r
            }
            AluOp::Or => {
                let r = a | b;
                self.flags.set_lazy(LazyOp::Logic, size, 0, 0, r);
                r
            }
            AluOp::Xor => {
                let r = a ^ b;
                self.flags.set_lazy(LazyOp::Logic, size, 0, 0, r);
                r
            }
        };
        r & m
    }

    /// Opcodes 00-3D: `op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iv`.
    pub(crate) fn alu_forms<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let op = AluOp::from_bits((insn.op >> 3) as u8);
        let form = insn.op & 7;
        let size = if form & 1 == 0 { 1 } else { insn.osize() };
        match form {
            0 | 1 => {
                let loc = self.rm_loc(insn);
                let a = self.read_loc(bus, loc, size)?;
                let b = self.get_reg(size, insn.reg());
                let r = self.alu(op, size, a, b);
                if op != AluOp::Cmp {
                    self.write_loc(bus, loc, size, r)?;
                }
            }
            2 | 3 => {
                let b = self.read_rm(bus, insn, size)?;
                let a = self.get_reg(size, insn.reg());
                let r = self.alu(op, size, a, b);
                if op != AluOp::Cmp {
                    self.set_reg(size, insn.reg(), r);
                }
            }
            _ => {
                let a = self.get_reg(size, EAX);
                let r = self.alu(op, size, a, insn.imm);
                if op != AluOp::Cmp {
                    self.set_reg(size, EAX, r);
                }
            }
        }
        Ok(())
    }

    /// Opcodes 80-83: `op r/m, imm`.
    pub(crate) fn alu_group1<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let op = AluOp::from_bits(insn.reg());
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let loc = self.rm_loc(insn);
        let a = self.read_loc(bus, loc, size)?;
        let r = self.alu(op, size, a, insn.imm);
        if op != AluOp::Cmp {
            self.write_loc(bus, loc, size, r)?;
        }
        Ok(())
    }

    /// TEST r/m,reg (84, 85) and TEST AL/eAX,imm (A8, A9).
    pub(crate) fn test_forms<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let (a, b) = if insn.op < 0xA8 {
            (
                self.read_rm(bus, insn, size)?,
                self.get_reg(size, insn.reg()),
            )
        } else {
            (self.get_reg(size, EAX), insn.imm)
        };
        self.alu(AluOp::And, size, a, b);
        Ok(())
    }

    #[inline]
    pub(crate) fn inc_dec(&mut self, size: u32, v: u32, dec: bool) -> u32 {
        let m = size_mask(size);
        let v = v & m;
        if dec {
            let r = v.wrapping_sub(1);
            self.flags.set_lazy_keep_cf(LazyOp::Sub, size, v, 1, r);
            r & m
        } else {
            let r = v.wrapping_add(1);
            self.flags.set_lazy_keep_cf(LazyOp::Add, size, v, 1, r);
            r & m
        }
    }

    /// 40-4F: INC/DEC of a register.
    pub(crate) fn inc_dec_reg(&mut self, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let r = (insn.op & 7) as u8;
        let v = self.get_reg(size, r);
        let v = self.inc_dec(size, v, insn.op >= 0x48);
        self.set_reg(size, r, v);
        Ok(())
    }

    /// FE: INC/DEC r/m8.
    pub(crate) fn group4<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let loc = self.rm_loc(insn);
        self.inc_dec_loc(bus, loc, 1, insn.reg() == 1)
    }

    pub(crate) fn inc_dec_loc<B: Bus>(
        &mut self,
        bus: &mut B,
        loc: Loc,
        size: u32,
        dec: bool,
    ) -> Res<()> {
        let v = self.read_loc(bus, loc, size)?;
        let r = self.inc_dec(size, v, dec);
        self.write_loc(bus, loc, size, r)
    }

    pub(crate) fn not_neg<B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        size: u32,
        neg: bool,
    ) -> Res<()> {
        let loc = self.rm_loc(insn);
        let v = self.read_loc(bus, loc, size)?;
        let r = if neg {
            self.alu(AluOp::Sub, size, 0, v)
        } else {
            !v & size_mask(size)
        };
        self.write_loc(bus, loc, size, r)
    }
}
