//! Handlers specialised when a block is decoded, for the forms that real code runs most: 32-bit
//! MOV, ALU and shift forms, MOVZX, PUSH/POP of a register. Each one knows its operand size and
//! whether its r/m operand is a register or memory, so it runs without the size matches and
//! the `Loc` of the general handlers. What each does is exactly what the general handler for
//! its opcode does (`alu_forms`, `mov_xchg`, `shift_group`...); the instruction tests and the
//! hardware vectors run through both paths.
//!
//! Measured on the Linux boot (the kernel's decompressor is 80% of it): 32-bit MOV between a
//! register and memory or two registers is a third of all instructions, register-register ALU
//! forms another sixth.

use super::alu::AluOp;
use super::{gp0, CS, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::LazyOp;
use crate::{Cpu, Res};

impl Cpu {
    /// 8B with a memory operand, 32-bit: MOV r32, m32.
    #[inline(always)]
    pub(crate) fn mov_r32_m32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.read_mem(bus, insn.mem_seg(), self.ea(insn), 4)?;
        self.regs[insn.reg() as usize] = v;
        Ok(())
    }

    /// 89 with a memory operand, 32-bit: MOV m32, r32.
    #[inline(always)]
    pub(crate) fn mov_m32_r32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.regs[insn.reg() as usize];
        self.write_mem(bus, insn.mem_seg(), self.ea(insn), 4, v)
    }

    /// 88/89 with a memory operand, 8 and 16 bits: MOV m, r.
    #[inline(always)]
    pub(crate) fn mov_m_r<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.get_reg(SIZE, insn.reg());
        self.write_mem(bus, insn.mem_seg(), self.ea(insn), SIZE, v)
    }

    /// 8A/8B with a memory operand, 8 and 16 bits: MOV r, m.
    #[inline(always)]
    pub(crate) fn mov_r_m<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.read_mem(bus, insn.mem_seg(), self.ea(insn), SIZE)?;
        self.set_reg(SIZE, insn.reg(), v);
        Ok(())
    }

    /// 89 and 8B between two 32-bit registers. `TO_RM`: 89 (the r/m register is written).
    #[inline(always)]
    pub(crate) fn mov_rr32<const TO_RM: bool>(&mut self, insn: &Insn) {
        let (dst, src) = if TO_RM {
            (insn.rm(), insn.reg())
        } else {
            (insn.reg(), insn.rm())
        };
        self.regs[dst as usize] = self.regs[src as usize];
    }

    /// The ALU operation `OP` (encoding order) on two 32-bit values, setting the flags.
    #[inline(always)]
    fn alu32<const OP: u8>(&mut self, a: u32, b: u32) -> u32 {
        let f = &mut self.flags;
        match OP {
            0 => {
                let r = a.wrapping_add(b);
                f.set_lazy(LazyOp::Add, 4, a, b, r);
                r
            }
            5 | 7 => {
                let r = a.wrapping_sub(b);
                f.set_lazy(LazyOp::Sub, 4, a, b, r);
                r
            }
            1 | 4 | 6 => {
                let r = match OP {
                    1 => a | b,
                    4 => a & b,
                    _ => a ^ b,
                };
                f.set_lazy(LazyOp::Logic, 4, 0, 0, r);
                r
            }
            // ADC and SBB read CF first.
            _ => self.alu(AluOp::from_bits(OP), 4, a, b),
        }
    }

    /// The ALU forms 01/03 (and the other seven operations) between two 32-bit registers.
    /// `TO_RM`: the r/m register is the destination (01, 09...); else the reg field (03, 0B...).
    #[inline(always)]
    pub(crate) fn alu_rr32<const OP: u8, const TO_RM: bool>(&mut self, insn: &Insn) {
        let (dst, src) = if TO_RM {
            (insn.rm(), insn.reg())
        } else {
            (insn.reg(), insn.rm())
        };
        let a = self.regs[dst as usize];
        let b = self.regs[src as usize];
        let r = self.alu32::<OP>(a, b);
        if OP != 7 {
            self.regs[dst as usize] = r;
        }
    }

    /// 03, 0B... with a memory operand, 32-bit: `op r32, m32`.
    #[inline(always)]
    pub(crate) fn alu_r32_m32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let b = self.read_mem(bus, insn.mem_seg(), self.ea(insn), 4)?;
        let op = AluOp::from_bits((insn.op >> 3) as u8);
        let r = self.alu(op, 4, self.regs[insn.reg() as usize], b);
        if op != AluOp::Cmp {
            self.regs[insn.reg() as usize] = r;
        }
        Ok(())
    }

    /// 81 and 83 on a 32-bit register: `op r32, imm` (83's immediate is sign-extended).
    #[inline(always)]
    pub(crate) fn alu_r32_imm(&mut self, insn: &Insn) {
        let op = AluOp::from_bits(insn.reg());
        let r = self.alu(op, 4, self.regs[insn.rm() as usize], insn.imm);
        if op != AluOp::Cmp {
            self.regs[insn.rm() as usize] = r;
        }
    }

    /// C1 and D1 on a 32-bit register with SHL, SHR or SAR (`ONE`: D1, a count of one).
    #[inline(always)]
    pub(crate) fn shift_r32<const ONE: bool>(&mut self, insn: &Insn) {
        let count = if ONE { 1 } else { insn.imm & 0x1F };
        if count == 0 {
            return;
        }
        let r = insn.rm() as usize;
        let v = self.regs[r];
        let (res, cf, of) = match insn.reg() {
            5 => (
                v >> count,
                (v >> (count - 1)) & 1,
                (count == 1) as u32 & (v >> 31),
            ),
            7 => (
                ((v as i32) >> count) as u32,
                ((v as i32) >> (count - 1)) as u32 & 1,
                0,
            ),
            // 4 and 6: SHL/SAL.
            _ => {
                let res = v << count;
                let cf = (v >> (32 - count)) & 1;
                (res, cf, (res >> 31) ^ cf)
            }
        };
        self.flags.set_lazy(LazyOp::Shift, 4, cf, of, res);
        self.regs[r] = res;
    }

    /// 0F B6 and 0F B7 to a 32-bit register: MOVZX r32, r/m8 or r/m16.
    #[inline(always)]
    pub(crate) fn movzx32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let src = if insn.op & 1 == 0 { 1 } else { 2 };
        let v = self.read_rm(bus, insn, src)?;
        self.regs[insn.reg() as usize] = v;
        Ok(())
    }

    /// 50-57, 32-bit: PUSH r32.
    #[inline(always)]
    pub(crate) fn push_r32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.regs[(insn.op & 7) as usize];
        self.push(bus, 4, v)
    }

    /// 58-5F, 32-bit: POP r32 (POP ESP loads the value read, after the increment).
    #[inline(always)]
    pub(crate) fn pop_r32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.read_mem(bus, SS, self.sp(), 4)?;
        self.set_sp(self.sp_plus(4));
        self.regs[(insn.op & 7) as usize] = v;
        Ok(())
    }

    /// E8, 32-bit: CALL rel32.
    #[inline(always)]
    pub(crate) fn call_rel32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let ret = self.eip;
        let target = ret.wrapping_add(insn.imm);
        if target > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        self.push(bus, 4, ret)?;
        self.eip = target;
        Ok(())
    }

    /// C3, 32-bit: RET. ESP moves only once the target is known to be inside CS.
    #[inline(always)]
    pub(crate) fn ret32<B: Bus>(&mut self, bus: &mut B) -> Res<()> {
        let target = self.read_mem(bus, SS, self.sp(), 4)?;
        if target > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        self.eip = target;
        self.set_sp(self.sp_plus(4));
        Ok(())
    }
}
