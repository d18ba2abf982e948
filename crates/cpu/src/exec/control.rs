//! Control transfer: Jcc, LOOP/JCXZ, near and far JMP/CALL/RET, ENTER/LEAVE, BOUND, group 5.

use super::{gp0, sign_extend, size_mask, ud, CS, EBP, ECX, ESP, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::{Cpu, Exception, Res};

impl Cpu {
    /// Set EIP to a near target, truncated to the operand size and checked against CS's limit.
    pub(crate) fn set_eip_checked(&mut self, target: u32, size: u32) -> Res<()> {
        let t = target & size_mask(size);
        if t > self.segs[CS as usize].limit && self.model >= crate::model::Model::I286 {
            return Err(gp0());
        }
        self.eip = t;
        Ok(())
    }

    pub(crate) fn jmp_near(&mut self, disp: u32, insn: &Insn) -> Res<()> {
        self.set_eip_checked(self.eip.wrapping_add(disp), insn.osize())
    }

    /// 70-7F and 0F 80-8F.
    #[inline(always)]
    pub(crate) fn jcc(&mut self, insn: &Insn) -> Res<()> {
        if self.flags.condition((insn.op & 0xF) as u8) {
            self.jmp_near(insn.imm, insn)
        } else {
            Ok(())
        }
    }

    /// E0-E3: LOOPNE, LOOPE, LOOP, JCXZ (the count register follows the address size).
    pub(crate) fn loop_jcxz(&mut self, insn: &Insn) -> Res<()> {
        let asize = if insn.addr32() { 4 } else { 2 };
        let taken = if insn.op == 0xE3 {
            self.get_reg(asize, ECX) == 0
        } else {
            let c = self.get_reg(asize, ECX).wrapping_sub(1) & size_mask(asize);
            self.set_reg(asize, ECX, c);
            c != 0
                && match insn.op {
                    0xE0 => !self.flags.zf(),
                    0xE1 => self.flags.zf(),
                    _ => true,
                }
        };
        if taken {
            self.jmp_near(insn.imm, insn)
        } else {
            Ok(())
        }
    }

    /// E8: CALL rel.
    pub(crate) fn call_near_rel<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let ret = self.eip;
        let target = self.eip.wrapping_add(insn.imm) & size_mask(size);
        if target > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        self.push(bus, size, ret)?;
        self.eip = target;
        Ok(())
    }

    pub(crate) fn call_near_abs<B: Bus>(&mut self, bus: &mut B, target: u32, size: u32) -> Res<()> {
        let target = target & size_mask(size);
        if target > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        self.push(bus, size, self.eip)?;
        self.eip = target;
        Ok(())
    }

    /// C2/C3: RET near (optionally releasing imm16 bytes).
    pub(crate) fn ret_near<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let target = self.peek(bus, 0, size)?;
        self.set_eip_checked(target, size)?;
        let release = if insn.op == 0xC2 {
            insn.imm & 0xFFFF
        } else {
            0
        };
        self.set_sp(self.sp_plus(size + release));
        Ok(())
    }

    /// Far JMP in real and virtual-8086 mode; protected mode goes through descriptor checks.
    pub(crate) fn jmp_far<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        off: u32,
        insn: &Insn,
    ) -> Res<()> {
        if self.protected_mode() && !self.v86_mode() {
            return self.far_transfer_protected(bus, sel, off, insn.osize(), false);
        }
        let off = off & size_mask(insn.osize());
        self.load_seg_real(crate::SegReg::Cs, sel);
        self.eip = off;
        Ok(())
    }

    /// Far CALL: push CS and (E)IP, then jump.
    pub(crate) fn call_far<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        off: u32,
        insn: &Insn,
    ) -> Res<()> {
        if self.protected_mode() && !self.v86_mode() {
            return self.far_transfer_protected(bus, sel, off, insn.osize(), true);
        }
        let size = insn.osize();
        let old_sp = self.regs[ESP as usize];
        let cs = self.segs[CS as usize].selector as u32;
        let ip = self.eip;
        let r = self
            .push(bus, size, cs)
            .and_then(|_| self.push(bus, size, ip));
        if let Err(e) = r {
            self.regs[ESP as usize] = old_sp;
            return Err(e);
        }
        self.load_seg_real(crate::SegReg::Cs, sel);
        self.eip = off & size_mask(size);
        Ok(())
    }

    /// CA/CB: RETF.
    pub(crate) fn ret_far<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let release = if insn.op == 0xCA {
            insn.imm & 0xFFFF
        } else {
            0
        };
        if self.protected_mode() && !self.v86_mode() {
            return self.ret_far_protected(bus, size, release);
        }
        let ip = self.peek(bus, 0, size)?;
        let cs = self.peek(bus, size, size)?;
        self.load_seg_real(crate::SegReg::Cs, cs as u16);
        self.eip = ip & size_mask(size);
        self.set_sp(self.sp_plus(2 * size + release));
        Ok(())
    }

    /// C8: ENTER imm16, imm8.
    pub(crate) fn enter<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let alloc = insn.imm & 0xFFFF;
        let level = insn.imm2 & 0x1F;
        let old_sp = self.regs[ESP as usize];
        let old_bp = self.regs[EBP as usize];
        let r = (|| -> Res<()> {
            self.push(bus, size, self.get_reg(size, EBP))?;
            let frame = self.sp();
            if level > 0 {
                let mut bp = self.get_reg(if self.stack32() { 4 } else { 2 }, EBP);
                for _ in 1..level {
                    bp = if self.stack32() {
                        bp.wrapping_sub(size)
                    } else {
                        bp.wrapping_sub(size) & 0xFFFF
                    };
                    let v = self.read_mem(bus, SS, bp, size)?;
                    self.push(bus, size, v)?;
                }
                self.push(bus, size, frame)?;
            }
            // The new stack top must be writable too.
            let new_sp = self.sp_plus(alloc.wrapping_neg());
            self.set_reg(size, EBP, frame);
            self.set_sp(new_sp);
            Ok(())
        })();
        if r.is_err() {
            self.regs[ESP as usize] = old_sp;
            self.regs[EBP as usize] = old_bp;
        }
        r
    }

    /// C9: LEAVE.
    pub(crate) fn leave<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let bp = if self.stack32() {
            self.regs[EBP as usize]
        } else {
            self.regs[EBP as usize] & 0xFFFF
        };
        let v = self.read_mem(bus, SS, bp, size)?;
        self.set_sp(bp.wrapping_add(size));
        self.set_reg(size, EBP, v);
        Ok(())
    }

    /// 62: BOUND — #BR when the register is outside the signed pair in memory.
    pub(crate) fn bound<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let (seg, off) = self.mem_operand(insn)?;
        let size = insn.osize();
        let lo = self.read_mem(bus, seg, off, size)?;
        let hi_off = if insn.addr32() {
            off.wrapping_add(size)
        } else {
            off.wrapping_add(size) & 0xFFFF
        };
        let hi = self.read_mem(bus, seg, hi_off, size)?;
        let v = sign_extend(self.get_reg(size, insn.reg()), size) as i32;
        if v < sign_extend(lo, size) as i32 || v > sign_extend(hi, size) as i32 {
            return Err(Exception::fault(Exception::BR));
        }
        Ok(())
    }

    /// FF: INC, DEC, CALL, CALL far, JMP, JMP far, PUSH.
    pub(crate) fn group5<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        match insn.reg() {
            0 | 1 => {
                let loc = self.rm_loc(insn);
                self.inc_dec_loc(bus, loc, size, insn.reg() == 1)
            }
            2 => {
                let t = self.read_rm(bus, insn, size)?;
                self.call_near_abs(bus, t, size)
            }
            4 => {
                let t = self.read_rm(bus, insn, size)?;
                self.set_eip_checked(t, size)
            }
            3 | 5 => {
                let (seg, off) = self.mem_operand(insn)?;
                let target = self.read_mem(bus, seg, off, size)?;
                let next = if insn.addr32() {
                    off.wrapping_add(size)
                } else {
                    off.wrapping_add(size) & 0xFFFF
                };
                let sel = self.read_mem(bus, seg, next, 2)? as u16;
                if insn.reg() == 3 {
                    self.call_far(bus, sel, target, insn)
                } else {
                    self.jmp_far(bus, sel, target, insn)
                }
            }
            6 => {
                let v = self.read_rm(bus, insn, size)?;
                self.push(bus, size, v)
            }
            _ => Err(ud()),
        }
    }
}
