//! Instruction execution: the dispatcher, and the operand, memory and stack helpers that every
//! instruction group shares. One file per group: `alu`, `shift`, `muldiv`, `bcd`, `data`,
//! `control`, `string`, `system`, `interrupt`.

mod alu;
mod bcd;
mod block;
mod control;
mod data;
mod debug;
mod dispatch;
mod ext;
mod fast;
mod interrupt;
mod muldiv;
pub(crate) mod protected;
mod shift;
mod string;
mod system;
mod task;
pub(crate) mod window;
mod x87;

pub(crate) use dispatch::Handler;

use crate::bus::Bus;
use crate::decode::{self, Insn, F_INVALID, F_REP, NONE};
use crate::model::Model;
use crate::paging::{Access, CR0_PG};
use crate::regs::{SegReg, SEG_EXPAND_DOWN, SEG_NO_READ, SEG_NO_WRITE};
use crate::{Cpu, Exception, Res};

pub(crate) const ES: u8 = 0;
pub(crate) const CS: u8 = 1;
pub(crate) const SS: u8 = 2;
pub(crate) const DS: u8 = 3;

pub(crate) const EAX: u8 = 0;
pub(crate) const ECX: u8 = 1;
pub(crate) const EDX: u8 = 2;
pub(crate) const EBX: u8 = 3;
pub(crate) const ESP: u8 = 4;
pub(crate) const EBP: u8 = 5;
pub(crate) const ESI: u8 = 6;
pub(crate) const EDI: u8 = 7;

/// Where a ModR/M r/m operand lives, resolved once for read-modify-write instructions.
#[derive(Clone, Copy)]
pub(crate) enum Loc {
    Reg(u8),
    Mem(u8, u32),
}

/// Whether a LOCK prefix is allowed: a read-modify-write instruction with a memory destination.
/// (The 286 never faults on LOCK; from the 386 on anything else is #UD.)
fn lockable(insn: &Insn) -> bool {
    if insn.rm_is_reg() {
        return false;
    }
    let reg = insn.reg();
    match insn.op {
        0x00 | 0x01 | 0x08 | 0x09 | 0x10 | 0x11 | 0x18 | 0x19 | 0x20 | 0x21 | 0x28 | 0x29
        | 0x30 | 0x31 => true,
        0x80..=0x83 => reg != 7,
        0x86 | 0x87 => true,
        0xF6 | 0xF7 => reg == 2 || reg == 3,
        0xFE | 0xFF => reg < 2,
        0x1AB | 0x1B3 | 0x1BB | 0x1B0 | 0x1B1 | 0x1C0 | 0x1C1 => true,
        0x1BA => reg >= 5,
        0x1C7 => reg == 1,
        _ => false,
    }
}

#[inline]
pub(crate) fn size_mask(size: u32) -> u32 {
    match size {
        1 => 0xFF,
        2 => 0xFFFF,
        _ => 0xFFFF_FFFF,
    }
}

#[inline]
pub(crate) fn sign_extend(v: u32, size: u32) -> u32 {
    match size {
        1 => v as u8 as i8 as i32 as u32,
        2 => v as u16 as i16 as i32 as u32,
        _ => v,
    }
}

pub(crate) fn ud() -> Exception {
    Exception::fault(Exception::UD)
}

pub(crate) fn gp0() -> Exception {
    Exception::with_code(Exception::GP, 0)
}

impl Cpu {
    // ---- registers ----

    /// Register `r` (0-7) of `size` bytes; for bytes, AL CL DL BL AH CH DH BH. (The masks
    /// cost less than the bounds checks they save.)
    #[inline(always)]
    pub(crate) fn get_reg(&self, size: u32, r: u8) -> u32 {
        match size {
            1 => {
                let v = self.regs[(r & 3) as usize];
                if r & 4 == 0 {
                    v & 0xFF
                } else {
                    (v >> 8) & 0xFF
                }
            }
            2 => self.regs[(r & 7) as usize] & 0xFFFF,
            _ => self.regs[(r & 7) as usize],
        }
    }

    #[inline(always)]
    pub(crate) fn set_reg(&mut self, size: u32, r: u8, v: u32) {
        match size {
            1 => {
                let x = &mut self.regs[(r & 3) as usize];
                if r & 4 == 0 {
                    *x = (*x & !0xFF) | (v & 0xFF);
                } else {
                    *x = (*x & !0xFF00) | ((v & 0xFF) << 8);
                }
            }
            2 => {
                let x = &mut self.regs[(r & 7) as usize];
                *x = (*x & 0xFFFF_0000) | (v & 0xFFFF);
            }
            _ => self.regs[(r & 7) as usize] = v,
        }
    }

    // ---- memory ----

    /// The exception for an access outside a segment's limit (or through a null selector).
    pub(crate) fn limit_fault(&self, seg: u8) -> Exception {
        if seg == SS && (self.model >= Model::I386 || self.protected_mode()) {
            Exception::with_code(Exception::SS, 0)
        } else {
            gp0()
        }
    }

    /// Check a read of `size` bytes at `seg:off` and return its linear address.
    #[inline(always)]
    pub(crate) fn linear(&self, seg: u8, off: u32, size: u32) -> Res<u32> {
        self.linear_checked(seg, off, size, SEG_NO_READ)
    }

    /// Check a write of `size` bytes at `seg:off` and return its linear address.
    #[inline(always)]
    pub(crate) fn linear_w(&self, seg: u8, off: u32, size: u32) -> Res<u32> {
        self.linear_checked(seg, off, size, SEG_NO_WRITE)
    }

    /// [`linear`](Self::linear) and [`linear_w`](Self::linear_w); `denied` is the flag that
    /// forbids the access. Inline: the common segment (allowed, expand-up, or code that is not
    /// conforming) in one flag test and one 64-bit compare; the rest out of line.
    #[inline(always)]
    fn linear_checked(&self, seg: u8, off: u32, size: u32, denied: u16) -> Res<u32> {
        match self.linear_common(seg, off, size, denied) {
            Some(lin) => Ok(lin),
            None => self.linear_slow(seg, off, size, denied),
        }
    }

    /// The linear address of an access in the common case (see
    /// [`linear_checked`](Self::linear_checked)); None for everything else, which may or may
    /// not fault.
    #[inline(always)]
    fn linear_common(&self, seg: u8, off: u32, size: u32, denied: u16) -> Option<u32> {
        let s = &self.segs[seg as usize];
        (s.flags & (denied | SEG_EXPAND_DOWN) == 0
            && off as u64 + size.wrapping_sub(1) as u64 <= s.limit as u64)
            .then(|| s.base.wrapping_add(off))
    }

    #[cold]
    #[inline(never)]
    fn linear_slow(&self, seg: u8, off: u32, size: u32, denied: u16) -> Res<u32> {
        let s = &self.segs[seg as usize];
        if s.flags & denied != 0 || !s.check_limit(off, size) {
            return Err(self.limit_fault(seg));
        }
        Ok(s.base.wrapping_add(off))
    }

    /// Linear to physical for a data access at the current privilege level.
    #[inline]
    pub(crate) fn translate<B: Bus>(&mut self, bus: &mut B, lin: u32, access: Access) -> Res<u32> {
        self.translate_access(bus, lin, access)
    }

    /// Read `size` bytes at a physical address.
    #[inline(always)]
    fn read_phys<B: Bus>(bus: &mut B, p: u32, size: u32) -> u32 {
        match size {
            1 => bus.read8(p) as u32,
            2 => bus.read16(p) as u32,
            _ => bus.read32(p),
        }
    }

    /// Write `size` bytes at a physical address, invalidating decoded code there.
    #[inline(always)]
    fn write_phys<B: Bus>(&mut self, bus: &mut B, p: u32, size: u32, v: u32) {
        self.write_phys_in_page(bus, p, size, v);
        if (p & 0xFFF) + size > 0x1000 {
            self.cache.note_write(p.wrapping_add(size - 1));
        }
    }

    /// [`write_phys`](Self::write_phys) for a write known not to cross a page.
    #[inline(always)]
    fn write_phys_in_page<B: Bus>(&mut self, bus: &mut B, p: u32, size: u32, v: u32) {
        match size {
            1 => bus.write8(p, v as u8),
            2 => bus.write16(p, v as u16),
            _ => bus.write32(p, v),
        }
        self.cache.note_write(p);
    }

    /// The physical address of a data access that needs nothing more: no data breakpoint,
    /// inside one page, and paging off or a TLB hit with the right. None: the full path.
    #[inline(always)]
    fn direct_phys(&self, lin: u32, size: u32, write: bool) -> Option<u32> {
        if (lin & 0xFFF) + size > self.direct_page_end {
            return None;
        }
        if self.cr0 & CR0_PG == 0 {
            Some(lin)
        } else {
            self.tlb_hit(lin, write, self.cpl() == 3)
        }
    }

    /// Read `size` bytes at a linear address (split at page boundaries when paging), out of
    /// line.
    #[cold]
    #[inline(never)]
    pub(crate) fn read_lin<B: Bus>(&mut self, bus: &mut B, lin: u32, size: u32) -> Res<u32> {
        self.read_lin_as(bus, lin, size, self.cpl() == 3)
    }

    /// Read with an explicit privilege: the CPU's own accesses to descriptor tables and the TSS
    /// are supervisor accesses.
    pub(crate) fn read_lin_as<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        size: u32,
        user: bool,
    ) -> Res<u32> {
        if self.data_breakpoints_armed {
            self.note_data_access(lin, size, false);
        }
        if (lin & 0xFFF) + size <= 0x1000 {
            let p = if self.cr0 & CR0_PG == 0 {
                lin
            } else {
                self.translate_paged(bus, lin, Access::Read, user)?
            };
            self.make_direct(bus, lin, p, user, false);
            return Ok(Self::read_phys(bus, p, size));
        }
        if self.cr0 & CR0_PG == 0 {
            return Ok(Self::read_phys(bus, lin, size));
        }
        let mut v = 0;
        for i in 0..size {
            let p = self.translate_paged(bus, lin.wrapping_add(i), Access::Read, user)?;
            v |= (bus.read8(p) as u32) << (8 * i);
        }
        Ok(v)
    }

    pub(crate) fn write_lin_as<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        size: u32,
        v: u32,
        user: bool,
    ) -> Res<()> {
        if self.data_breakpoints_armed {
            self.note_data_access(lin, size, true);
        }
        let paging = self.cr0 & CR0_PG != 0;
        if !paging || (lin & 0xFFF) + size <= 0x1000 {
            let p = if paging {
                self.translate_paged(bus, lin, Access::Write, user)?
            } else {
                lin
            };
            self.write_phys(bus, p, size, v);
            // After the write, which drops any code cached from the page.
            if (lin & 0xFFF) + size <= 0x1000 {
                self.make_direct(bus, lin, p, user, true);
            }
            return Ok(());
        }
        // Crossing a page: both pages must be writable before anything is written.
        // The second page is checked at its first byte (what CR2 reports if it faults).
        let last = lin.wrapping_add(size - 1) & !0xFFF;
        let p0 = self.translate_paged(bus, lin, Access::Write, user)?;
        let p1 = self.translate_paged(bus, last, Access::Write, user)?;
        for i in 0..size {
            let l = lin.wrapping_add(i);
            let p = if (l ^ lin) >> 12 == 0 {
                p0 + i
            } else {
                (p1 & !0xFFF) | (l & 0xFFF)
            };
            bus.write8(p, (v >> (8 * i)) as u8);
            self.cache.note_write(p);
        }
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn read_mem<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        size: u32,
    ) -> Res<u32> {
        // The common case inline: a segment that allows the read, and a page the direct path
        // holds. Anything else starts again out of line, so that the fast path's value needs
        // no merging with an error (which the compiler otherwise tests for at run time).
        if let Some(lin) = self.linear_common(seg, off, size, SEG_NO_READ) {
            if let Some(v) = self.direct_read(bus, lin, size) {
                return Ok(v);
            }
        }
        self.read_mem_slow(bus, seg, off, size)
    }

    /// [`read_mem`](Self::read_mem) past its fast path.
    #[cold]
    #[inline(never)]
    pub(crate) fn read_mem_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        size: u32,
    ) -> Res<u32> {
        let lin = self.linear(seg, off, size)?;
        self.read_lin_as(bus, lin, size, self.cpl() == 3)
    }

    #[inline(always)]
    pub(crate) fn write_mem<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        size: u32,
        v: u32,
    ) -> Res<()> {
        // As in read_mem.
        if let Some(lin) = self.linear_common(seg, off, size, SEG_NO_WRITE) {
            if self.direct_write(bus, lin, size, v) {
                return Ok(());
            }
        }
        self.write_mem_slow(bus, seg, off, size, v)
    }

    /// [`write_mem`](Self::write_mem) past its fast path.
    #[cold]
    #[inline(never)]
    pub(crate) fn write_mem_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        size: u32,
        v: u32,
    ) -> Res<()> {
        let lin = self.linear_w(seg, off, size)?;
        self.write_lin_as(bus, lin, size, v, self.cpl() == 3)
    }

    // ---- ModR/M operands ----

    /// The effective address (offset) of a memory operand.
    #[inline(always)]
    pub(crate) fn ea(&self, insn: &Insn) -> u32 {
        let mut off = insn.disp;
        // (The masks cost less than the bounds checks they save: a register number is 0-7.)
        if insn.ea_base != NONE {
            off = off.wrapping_add(self.regs[(insn.ea_base & 7) as usize]);
        }
        if insn.ea_index != NONE {
            off = off.wrapping_add(self.regs[(insn.ea_index & 7) as usize] << insn.ea_scale);
        }
        if insn.addr32() {
            off
        } else {
            off & 0xFFFF
        }
    }

    #[inline(always)]
    pub(crate) fn rm_loc(&self, insn: &Insn) -> Loc {
        if insn.rm_is_reg() {
            Loc::Reg(insn.rm())
        } else {
            Loc::Mem(insn.mem_seg(), self.ea(insn))
        }
    }

    #[inline(always)]
    pub(crate) fn read_loc<B: Bus>(&mut self, bus: &mut B, loc: Loc, size: u32) -> Res<u32> {
        match loc {
            Loc::Reg(r) => Ok(self.get_reg(size, r)),
            Loc::Mem(seg, off) => self.read_mem(bus, seg, off, size),
        }
    }

    #[inline(always)]
    pub(crate) fn write_loc<B: Bus>(
        &mut self,
        bus: &mut B,
        loc: Loc,
        size: u32,
        v: u32,
    ) -> Res<()> {
        match loc {
            Loc::Reg(r) => {
                self.set_reg(size, r, v);
                Ok(())
            }
            Loc::Mem(seg, off) => self.write_mem(bus, seg, off, size, v),
        }
    }

    #[inline(always)]
    pub(crate) fn read_rm<B: Bus>(&mut self, bus: &mut B, insn: &Insn, size: u32) -> Res<u32> {
        let loc = self.rm_loc(insn);
        self.read_loc(bus, loc, size)
    }

    #[inline(always)]
    pub(crate) fn write_rm<B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        size: u32,
        v: u32,
    ) -> Res<()> {
        let loc = self.rm_loc(insn);
        self.write_loc(bus, loc, size, v)
    }

    /// Memory-only operand: its segment and offset, or #UD for a register form.
    #[inline]
    pub(crate) fn mem_operand(&self, insn: &Insn) -> Res<(u8, u32)> {
        if insn.rm_is_reg() {
            Err(ud())
        } else {
            Ok((insn.mem_seg(), self.ea(insn)))
        }
    }

    // ---- stack ----

    #[inline(always)]
    pub(crate) fn stack32(&self) -> bool {
        self.segs[SS as usize].big()
    }

    #[inline(always)]
    pub(crate) fn sp(&self) -> u32 {
        if self.stack32() {
            self.regs[ESP as usize]
        } else {
            self.regs[ESP as usize] & 0xFFFF
        }
    }

    #[inline(always)]
    pub(crate) fn set_sp(&mut self, v: u32) {
        if self.stack32() {
            self.regs[ESP as usize] = v;
        } else {
            self.set_reg(2, ESP, v);
        }
    }

    /// SP moved by `delta` with the stack's wrap-around.
    #[inline(always)]
    pub(crate) fn sp_plus(&self, delta: u32) -> u32 {
        let v = self.sp().wrapping_add(delta);
        if self.stack32() {
            v
        } else {
            v & 0xFFFF
        }
    }

    #[inline(always)]
    pub(crate) fn push<B: Bus>(&mut self, bus: &mut B, size: u32, v: u32) -> Res<()> {
        let sp = self.sp_plus(size.wrapping_neg());
        self.write_mem(bus, SS, sp, size, v)?;
        self.set_sp(sp);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn pop<B: Bus>(&mut self, bus: &mut B, size: u32) -> Res<u32> {
        let v = self.read_mem(bus, SS, self.sp(), size)?;
        self.set_sp(self.sp_plus(size));
        Ok(v)
    }

    /// [`push`](Self::push) out of line: where the block loop's handlers go when the quick
    /// path (`window.rs`) does not hold the stack slot.
    #[cold]
    #[inline(never)]
    pub(crate) fn push_slow<B: Bus>(&mut self, bus: &mut B, size: u32, v: u32) -> Res<()> {
        self.push(bus, size, v)
    }

    /// [`pop`](Self::pop) out of line, as [`push_slow`](Self::push_slow).
    #[cold]
    #[inline(never)]
    pub(crate) fn pop_slow<B: Bus>(&mut self, bus: &mut B, size: u32) -> Res<u32> {
        self.pop(bus, size)
    }

    /// Read the stack at SP + `offset` without popping.
    pub(crate) fn peek<B: Bus>(&mut self, bus: &mut B, offset: u32, size: u32) -> Res<u32> {
        let off = self.sp_plus(offset);
        self.read_mem(bus, SS, off, size)
    }

    // ---- segment registers ----

    /// Load a segment register from an instruction (MOV, POP, LDS...). Real and virtual-8086
    /// mode just set the base; protected mode checks the descriptor.
    pub(crate) fn load_seg<B: Bus>(&mut self, bus: &mut B, seg: u8, selector: u16) -> Res<()> {
        if self.protected_mode() && !self.v86_mode() {
            return self.load_seg_protected(bus, seg, selector);
        }
        self.load_seg_real(SegReg::from_index(seg), selector);
        if seg == SS {
            self.inhibit_irq = true;
        }
        Ok(())
    }

    // ---- the fetch / decode / cache path ----

    pub(crate) fn fetch_decoded<B: Bus>(&mut self, bus: &mut B) -> Res<usize> {
        let cs = self.segs[CS as usize];
        let eip = self.eip;
        let big = cs.big();
        let lin = cs.base.wrapping_add(eip);
        let phys = self.translate(bus, lin, Access::Execute)?;
        if let Some(slot) = self.cache.find(phys, big) {
            // The whole instruction lies inside the CS limit: eip + len - 1 <= limit.
            let last = self.cache.insn(slot).len as u32 - 1;
            if eip <= cs.limit && last <= cs.limit - eip {
                self.counters.cache_hits += 1;
                return Ok(slot);
            }
        }
        self.counters.cache_misses += 1;
        let model = self.model;
        let mut crosses_page = false;
        let insn = decode::decode(model, big, |i| {
            let off = eip.wrapping_add(i);
            let off = if model < Model::I286 {
                off & 0xFFFF
            } else {
                off
            };
            if off > cs.limit {
                return Err(gp0());
            }
            let l = cs.base.wrapping_add(off);
            if (l ^ lin) >> 12 != 0 {
                crosses_page = true;
            }
            let p = self.translate(bus, l, Access::Execute)?;
            Ok(bus.read8(p))
        })?;
        Ok(if crosses_page {
            self.cache.scratch(insn)
        } else {
            self.code_in_page(phys);
            self.cache.insert(phys, big, insn)
        })
    }

    /// Execute a decoded instruction. EIP is advanced past it first, so traps and calls see the
    /// address of the next instruction.
    pub(crate) fn execute<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let next = self.eip.wrapping_add(insn.len as u32);
        self.eip = if self.segs[CS as usize].big() {
            next
        } else {
            next & 0xFFFF
        };
        self.execute_here(bus, insn)
    }

    /// [`execute`](Self::execute) with EIP already past the instruction.
    pub(crate) fn execute_here<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if insn.flags & (F_INVALID | decode::F_LOCK) != 0 {
            if insn.flags & F_INVALID != 0 {
                return Err(ud());
            }
            if self.model >= Model::I386 && !lockable(insn) {
                return Err(ud());
            }
        }
        self.execute_op(bus, insn)
    }

    /// The opcode dispatch of [`execute`](Self::execute), for an instruction known to be valid
    /// and without LOCK (a block checks that when it is decoded).
    pub(crate) fn execute_op<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let op = insn.op;
        match op {
            // ALU: the eight two-operand operations in their six forms.
            0x00..=0x05
            | 0x08..=0x0D
            | 0x10..=0x15
            | 0x18..=0x1D
            | 0x20..=0x25
            | 0x28..=0x2D
            | 0x30..=0x35
            | 0x38..=0x3D => self.alu_forms(bus, insn),
            0x80..=0x83 => self.alu_group1(bus, insn),
            0x84 | 0x85 | 0xA8 | 0xA9 => self.test_forms(bus, insn),
            0x40..=0x4F => self.inc_dec_reg(insn),
            0xFE => self.group4(bus, insn),
            0xFF => self.group5(bus, insn),
            0xF6 | 0xF7 => self.group3(bus, insn),
            0x69 | 0x6B => self.imul_imm(bus, insn),
            0xC0 | 0xC1 | 0xD0..=0xD3 => self.shift_group(bus, insn),
            0x27 => self.daa(),
            0x2F => self.das(),
            0x37 => self.aaa(),
            0x3F => self.aas(),
            0xD4 => self.aam(insn),
            0xD5 => self.aad(insn),
            0xD6 => {
                let v = if self.flags.cf() { 0xFF } else { 0 };
                self.set_reg(1, EAX, v);
                Ok(())
            }
            // Data movement.
            0x06 | 0x0E | 0x16 | 0x1E | 0x07 | 0x17 | 0x1F | 0x0F => self.push_pop_seg(bus, insn),
            0x50..=0x57 => self.push(
                bus,
                insn.osize(),
                self.get_reg(insn.osize(), (op & 7) as u8),
            ),
            0x58..=0x5F => self.pop_reg(bus, insn),
            0x60 => self.pusha(bus, insn),
            0x61 => self.popa(bus, insn),
            0x68 | 0x6A => self.push(bus, insn.osize(), insn.imm),
            0x86..=0x8B | 0x91..=0x97 => self.mov_xchg(bus, insn),
            0x8C | 0x8E => self.mov_seg(bus, insn),
            0x8D => self.lea(insn),
            0x8F => self.pop_rm(bus, insn),
            // NOP; with F3, PAUSE.
            0x90 => {
                if insn.flags & F_REP != 0 {
                    self.pause();
                }
                Ok(())
            }
            0x98 => self.cbw(insn),
            0x99 => self.cwd(insn),
            0x9C => self.pushf(bus, insn),
            0x9D => self.popf(bus, insn),
            0x9E => self.sahf(),
            0x9F => self.lahf(),
            0xA0..=0xA3 => self.mov_moffs(bus, insn),
            0xB0..=0xBF => self.mov_imm_reg(insn),
            0xC4 | 0xC5 => self.load_far_pointer(bus, insn),
            0xC6 | 0xC7 => self.mov_imm_rm(bus, insn),
            0xD7 => self.xlat(bus, insn),
            // Control transfer.
            0x70..=0x7F => self.jcc(insn),
            0xE0..=0xE3 => self.loop_jcxz(insn),
            0xE8 => self.call_near_rel(bus, insn),
            0xE9 | 0xEB => self.jmp_near(insn.imm, insn),
            0x9A => self.call_far(bus, insn.imm2 as u16, insn.imm, insn),
            0xEA => self.jmp_far(bus, insn.imm2 as u16, insn.imm, insn),
            0xC2 | 0xC3 => self.ret_near(bus, insn),
            0xCA | 0xCB => self.ret_far(bus, insn),
            0xC8 => self.enter(bus, insn),
            0xC9 => self.leave(bus, insn),
            0x62 => self.bound(bus, insn),
            0xCC => self.software_interrupt(bus, 3, false),
            0xCD => self.software_interrupt(bus, insn.imm as u8, true),
            0xCE => {
                if self.flags.of() {
                    self.software_interrupt(bus, 4, false)
                } else {
                    Ok(())
                }
            }
            0xCF => self.iret(bus, insn),
            // Strings.
            0xA4..=0xA7 | 0xAA..=0xAF | 0x6C..=0x6F => self.string_op(bus, insn),
            // I/O and processor control.
            0xE4..=0xE7 | 0xEC..=0xEF => self.in_out(bus, insn),
            0xF4 => self.hlt(),
            0xF5 => {
                let cf = self.flags.cf();
                self.flags.set_bits(crate::flags::CF, !cf);
                Ok(())
            }
            0xF8 | 0xF9 => {
                self.flags.set_bits(crate::flags::CF, op == 0xF9);
                Ok(())
            }
            0xFA | 0xFB => self.cli_sti(insn),
            0xFC | 0xFD => {
                self.flags.set_bits(crate::flags::DF, op == 0xFD);
                Ok(())
            }
            0x9B => self.wait(),
            0xD8..=0xDF => self.fpu_escape(bus, insn),
            0x63 => self.arpl(bus, insn),
            0x100..=0x1FF => self.two_byte(bus, insn),
            // Anything else is an opcode the table knows but this interpreter does not execute
            // yet: an invalid opcode for the guest, counted like any other.
            _ => Err(ud()),
        }
    }
}
