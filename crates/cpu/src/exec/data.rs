//! Data movement: MOV, XCHG, LEA, LDS/LES, PUSH/POP (registers, segments, memory, all, flags),
//! CBW/CWD, LAHF/SAHF, XLAT.

use super::{sign_extend, ud, CS, DS, EAX, EBX, EDX, ES, ESP, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{self, AF, CF, PF, SF, ZF};
use crate::model::Model;
use crate::{Cpu, Res};

impl Cpu {
    /// 06/0E/16/1E (PUSH seg), 07/17/1F (POP seg), 0F on the 8086 (POP CS).
    pub(crate) fn push_pop_seg<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let seg = ((insn.op >> 3) & 3) as u8;
        let size = insn.osize();
        if insn.op & 7 == 6 {
            let v = self.segs[seg as usize].selector as u32;
            self.push(bus, size, v)
        } else {
            self.pop_seg(bus, seg, size)
        }
    }

    pub(crate) fn pop_seg<B: Bus>(&mut self, bus: &mut B, seg: u8, size: u32) -> Res<()> {
        let v = self.peek(bus, 0, size)?;
        self.load_seg(bus, seg, v as u16)?;
        self.set_sp(self.sp_plus(size));
        Ok(())
    }

    /// 58-5F: POP reg.
    pub(crate) fn pop_reg<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let v = self.pop(bus, size)?;
        self.set_reg(size, (insn.op & 7) as u8, v);
        Ok(())
    }

    /// 8F /0: POP r/m. The address is computed with SP already incremented.
    pub(crate) fn pop_rm<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let v = self.peek(bus, 0, size)?;
        let old = self.regs[ESP as usize];
        self.set_sp(self.sp_plus(size));
        let loc = self.rm_loc(insn);
        if let Err(e) = self.write_loc(bus, loc, size, v) {
            self.regs[ESP as usize] = old;
            return Err(e);
        }
        Ok(())
    }

    /// 60: PUSHA / PUSHAD.
    pub(crate) fn pusha<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let old_sp = self.regs[ESP as usize];
        for r in 0..8u8 {
            let v = if r == ESP {
                old_sp
            } else {
                self.regs[r as usize]
            };
            if let Err(e) = self.push(bus, size, v) {
                self.regs[ESP as usize] = old_sp;
                return Err(e);
            }
        }
        Ok(())
    }

    /// 61: POPA / POPAD (the saved SP is skipped).
    pub(crate) fn popa<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let mut vals = [0u32; 8];
        for (i, v) in vals.iter_mut().enumerate() {
            *v = self.peek(bus, i as u32 * size, size)?;
        }
        for (i, v) in vals.iter().enumerate() {
            let r = 7 - i as u8;
            if r != ESP {
                self.set_reg(size, r, *v);
            }
        }
        self.set_sp(self.sp_plus(8 * size));
        Ok(())
    }

    /// 86-8B, 91-97: XCHG and MOV between registers and r/m.
    pub(crate) fn mov_xchg<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        match insn.op {
            0x86 | 0x87 => {
                let size = if insn.op == 0x86 { 1 } else { insn.osize() };
                let loc = self.rm_loc(insn);
                let a = self.read_loc(bus, loc, size)?;
                let b = self.get_reg(size, insn.reg());
                self.write_loc(bus, loc, size, b)?;
                self.set_reg(size, insn.reg(), a);
            }
            0x88 | 0x89 => {
                let size = if insn.op == 0x88 { 1 } else { insn.osize() };
                let v = self.get_reg(size, insn.reg());
                self.write_rm(bus, insn, size, v)?;
            }
            0x8A | 0x8B => {
                let size = if insn.op == 0x8A { 1 } else { insn.osize() };
                let v = self.read_rm(bus, insn, size)?;
                self.set_reg(size, insn.reg(), v);
            }
            _ => {
                let size = insn.osize();
                let r = (insn.op & 7) as u8;
                let a = self.get_reg(size, EAX);
                let b = self.get_reg(size, r);
                self.set_reg(size, EAX, b);
                self.set_reg(size, r, a);
            }
        }
        Ok(())
    }

    /// Whether `reg` names a segment register on this model.
    fn seg_reg_exists(&self, reg: u8) -> bool {
        reg < 4 || (reg < 6 && self.model >= Model::I386)
    }

    /// 8C (MOV r/m, Sreg) and 8E (MOV Sreg, r/m).
    pub(crate) fn mov_seg<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let reg = insn.reg();
        if !self.seg_reg_exists(reg) {
            return Err(ud());
        }
        if insn.op == 0x8C {
            let v = self.segs[reg as usize].selector as u32;
            let size = if insn.rm_is_reg() { insn.osize() } else { 2 };
            self.write_rm(bus, insn, size, v)
        } else {
            if reg == CS {
                return Err(ud());
            }
            let v = self.read_rm(bus, insn, 2)?;
            self.load_seg(bus, reg, v as u16)
        }
    }

    /// 8D: LEA.
    #[inline(always)]
    pub(crate) fn lea(&mut self, insn: &Insn) -> Res<()> {
        if insn.rm_is_reg() {
            return Err(ud());
        }
        let off = self.ea(insn);
        self.set_reg(insn.osize(), insn.reg(), off);
        Ok(())
    }

    /// C4/C5 (LES, LDS) and 0F B2/B4/B5 (LSS, LFS, LGS).
    pub(crate) fn load_far_pointer<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let seg = match insn.op {
            0xC4 => ES,
            0xC5 => DS,
            0x1B2 => SS,
            0x1B4 => 4,
            _ => 5,
        };
        let (s, off) = self.mem_operand(insn)?;
        let size = insn.osize();
        let v = self.read_mem(bus, s, off, size)?;
        let next = if insn.addr32() {
            off.wrapping_add(size)
        } else {
            off.wrapping_add(size) & 0xFFFF
        };
        let sel = self.read_mem(bus, s, next, 2)?;
        self.load_seg(bus, seg, sel as u16)?;
        self.set_reg(size, insn.reg(), v);
        Ok(())
    }

    /// A0-A3: MOV between the accumulator and a memory offset.
    pub(crate) fn mov_moffs<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let seg = insn.mem_seg();
        let off = self.ea(insn);
        if insn.op < 0xA2 {
            let v = self.read_mem(bus, seg, off, size)?;
            self.set_reg(size, EAX, v);
        } else {
            let v = self.get_reg(size, EAX);
            self.write_mem(bus, seg, off, size, v)?;
        }
        Ok(())
    }

    /// B0-BF: MOV reg, imm.
    pub(crate) fn mov_imm_reg(&mut self, insn: &Insn) -> Res<()> {
        let size = if insn.op < 0xB8 { 1 } else { insn.osize() };
        self.set_reg(size, (insn.op & 7) as u8, insn.imm);
        Ok(())
    }

    /// C6/C7 /0: MOV r/m, imm.
    pub(crate) fn mov_imm_rm<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op == 0xC6 { 1 } else { insn.osize() };
        self.write_rm(bus, insn, size, insn.imm)
    }

    /// D7: XLAT.
    pub(crate) fn xlat<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let seg = if insn.seg != crate::decode::NONE {
            insn.seg
        } else {
            DS
        };
        let mut off = self.regs[EBX as usize].wrapping_add(self.get_reg(1, EAX));
        if !insn.addr32() {
            off &= 0xFFFF;
        }
        let v = self.read_mem(bus, seg, off, 1)?;
        self.set_reg(1, EAX, v);
        Ok(())
    }

    /// 98: CBW / CWDE.
    pub(crate) fn cbw(&mut self, insn: &Insn) -> Res<()> {
        if insn.op32() {
            let v = sign_extend(self.get_reg(2, EAX), 2);
            self.set_reg(4, EAX, v);
        } else {
            let v = sign_extend(self.get_reg(1, EAX), 1);
            self.set_reg(2, EAX, v);
        }
        Ok(())
    }

    /// 99: CWD / CDQ.
    pub(crate) fn cwd(&mut self, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let sign = self.get_reg(size, EAX) >> (size * 8 - 1) & 1;
        self.set_reg(size, EDX, if sign != 0 { 0xFFFF_FFFF } else { 0 });
        Ok(())
    }

    /// 9C: PUSHF / PUSHFD.
    pub(crate) fn pushf<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let f = self.eflags();
        if self.v86_mode() && self.iopl() < 3 {
            // CR4.VME: a 16-bit PUSHF shows the virtual interrupt flag as IF, and IOPL 3.
            if self.cr4 & 1 != 0 && !insn.op32() {
                let img = (f & 0xFFFF & !flags::IF)
                    | if f & flags::VIF != 0 { flags::IF } else { 0 }
                    | flags::IOPL;
                return self.push(bus, 2, img);
            }
            return Err(super::gp0());
        }
        if insn.op32() {
            // The image never shows VM or RF.
            self.push(bus, 4, f & 0x00FC_FFFF)
        } else {
            self.push(bus, 2, f & 0xFFFF)
        }
    }

    /// 9D: POPF / POPFD, with the privilege rules on IOPL and IF.
    pub(crate) fn popf<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if self.v86_mode() && self.iopl() < 3 {
            if self.cr4 & 1 == 0 || insn.op32() {
                return Err(super::gp0());
            }
            // CR4.VME: IF goes to VIF; setting it with an interrupt pending, or TF, faults.
            let v = self.peek(bus, 0, 2)?;
            let old = self.eflags();
            if (v & flags::IF != 0 && old & flags::VIP != 0) || v & flags::TF != 0 {
                return Err(super::gp0());
            }
            self.set_sp(self.sp_plus(2));
            let vif = if v & flags::IF != 0 { flags::VIF } else { 0 };
            let keep = flags::IF | flags::IOPL;
            let new =
                (((v & 0xFFFF) & !keep) | (old & keep) | (old & 0xFFFF_0000 & !flags::VIF)) | vif;
            self.set_eflags(new);
            return Ok(());
        }
        let size = insn.osize();
        let v = self.pop(bus, size)?;
        self.write_flags_checked(v, size);
        Ok(())
    }

    /// Store a popped FLAGS image: IOPL only changes at CPL 0 and IF only when CPL <= IOPL
    /// (silently kept otherwise — the classic sensitive-but-unprivileged behaviour).
    pub(crate) fn write_flags_checked(&mut self, v: u32, size: u32) {
        let old = self.eflags();
        let mut keep = flags::VM | flags::VIP | flags::VIF;
        if self.protected_mode() {
            if self.cpl() > 0 {
                keep |= flags::IOPL;
            }
            if self.cpl() > self.iopl() {
                keep |= flags::IF;
            }
        }
        if keep & flags::IF != 0 && (v ^ old) & flags::IF != 0 {
            // The classic hole: outside ring 0, POPF/IRET cannot change IF and do not trap.
            self.teach_silent("POPF/IRET left IF unchanged");
        }
        let mut new = (v & !keep) | (old & keep);
        if size == 2 {
            new = (new & 0xFFFF) | (old & 0xFFFF_0000);
        } else {
            new &= !flags::RF;
        }
        self.set_eflags(new);
    }

    pub(crate) fn iopl(&self) -> u8 {
        ((self.eflags() >> 12) & 3) as u8
    }

    /// 9E: SAHF.
    pub(crate) fn sahf(&mut self) -> Res<()> {
        let ah = self.get_reg(1, 4);
        let mask = SF | ZF | AF | PF | CF;
        self.flags.set_masked(mask, ah);
        Ok(())
    }

    /// 9F: LAHF.
    pub(crate) fn lahf(&mut self) -> Res<()> {
        let f = self.eflags() & 0xFF;
        self.set_reg(1, 4, f);
        Ok(())
    }
}
