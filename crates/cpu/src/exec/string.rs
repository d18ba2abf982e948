//! String instructions: MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE.
//!
//! A repeated instruction runs in chunks: after `REP_CHUNK` iterations it restarts itself, so
//! that interrupts are taken during long copies, as on the real CPU. Each iteration counts as a
//! retired instruction.

use super::{size_mask, DS, EAX, ECX, EDI, EDX, ES, ESI};
use crate::bus::Bus;
use crate::decode::{Insn, F_REP, F_REPNE, NONE};
use crate::flags::TF;
use crate::model::Model;
use crate::{Cpu, Res};

const REP_CHUNK: u32 = 4096;

impl Cpu {
    pub(crate) fn string_op<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if matches!(insn.op, 0x6C..=0x6F) {
            self.check_io_allowed(
                bus,
                self.get_reg(2, EDX) as u16,
                if insn.op & 1 == 0 { 1 } else { insn.osize() },
            )?;
        }
        let rep = insn.flags & (F_REP | F_REPNE) != 0;
        if !rep {
            return self.string_once(bus, insn);
        }
        let asize = if insn.addr32() { 4 } else { 2 };
        let compares = matches!(insn.op, 0xA6 | 0xA7 | 0xAE | 0xAF);
        let mut done = 0;
        loop {
            let count = self.get_reg(asize, ECX);
            if count == 0 {
                break;
            }
            if done == REP_CHUNK {
                // Come back to this instruction; pending interrupts get their chance first.
                self.eip = self.insn_start;
                break;
            }
            if let Some(n) = self.string_bulk(bus, insn, asize, count, REP_CHUNK - done) {
                self.set_reg(asize, ECX, count - n);
                // Each element is an instruction; the caller counts the first of this call.
                self.counters.instructions += (n - (done == 0) as u32) as u64;
                done += n;
                continue;
            }
            let di_before = self.get_reg(asize, EDI);
            let r = self.string_once(bus, insn);
            let dec = match r {
                Ok(()) => 1,
                // What a 286 leaves in CX when an element faults, as its hardware vectors show:
                // CMPS none, a faulting store two, any other faulting access one.
                Err(_) if self.model == Model::I286 => {
                    let store = matches!(insn.op, 0x6C | 0x6D | 0xA4 | 0xA5 | 0xAA | 0xAB);
                    if compares && insn.op < 0xAE {
                        0
                    } else if store && self.get_reg(asize, EDI) != di_before {
                        2
                    } else {
                        1
                    }
                }
                Err(_) => 0,
            };
            self.set_reg(asize, ECX, count.wrapping_sub(dec) & size_mask(asize));
            r?;
            done += 1;
            if done > 1 {
                self.counters.instructions += 1;
            }
            if compares {
                let zf = self.flags.zf();
                if (insn.flags & F_REP != 0 && !zf) || (insn.flags & F_REPNE != 0 && zf) {
                    break;
                }
            }
            if self.db_hits != 0 {
                // A data or I/O breakpoint traps after this iteration (see `debug`); the
                // instruction resumes from here if its count is not exhausted.
                if self.get_reg(asize, ECX) != 0 {
                    self.eip = self.insn_start;
                }
                break;
            }
        }
        Ok(())
    }

    /// REP MOVS and REP STOS over plain RAM, forwards: as many elements as fit in one page on
    /// each side, inside the segments and the index registers' range, and at most `room`, in
    /// one copy or fill through the bus (`Bus::copy_ram`, `Bus::fill_ram`). Returns how many,
    /// or None to go element by element: when one could fault or miss the TLB, when the memory
    /// is not plain RAM, when a MOVS overlaps upwards (each element then reads what an earlier
    /// one wrote), or with DF, TF or data breakpoints set.
    fn string_bulk<B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        asize: u32,
        count: u32,
        room: u32,
    ) -> Option<u32> {
        let movs = matches!(insn.op, 0xA4 | 0xA5);
        if !movs && !matches!(insn.op, 0xAA | 0xAB) {
            return None;
        }
        if self.flags.df() || self.flags.control() & TF != 0 || self.data_breakpoints_armed {
            return None;
        }
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let top = size_mask(asize) as u64;
        let di = self.get_reg(asize, EDI);
        let si = self.get_reg(asize, ESI);
        let src_seg = if insn.seg != NONE { insn.seg } else { DS };
        // Elements before an index register would wrap, or the destination's page ends.
        let fits = |index: u32, lin: u32| {
            let before_wrap = (top + 1 - index as u64) / size as u64;
            let in_page = (0x1000 - (lin & 0xFFF)) / size;
            before_wrap.min(in_page as u64) as u32
        };
        let dst_lin = self.linear_w(ES, di, size).ok()?;
        let mut n = count.min(room).min(fits(di, dst_lin));
        let src_lin = if movs {
            let lin = self.linear(src_seg, si, size).ok()?;
            n = n.min(fits(si, lin));
            lin
        } else {
            0
        };
        if n < 2 {
            return None;
        }
        let len = n * size;
        // The last elements inside the segments too (their limits bound an interval).
        self.linear_w(ES, di.wrapping_add(len - size), size).ok()?;
        let dst = self.direct_phys(dst_lin, len, true)?;
        if movs {
            self.linear(src_seg, si.wrapping_add(len - size), size)
                .ok()?;
            let src = self.direct_phys(src_lin, len, false)?;
            if dst > src && dst - src < len {
                return None;
            }
            if !bus.copy_ram(dst, src, len) {
                return None;
            }
            self.set_reg(asize, ESI, si.wrapping_add(len));
        } else {
            let v = self.get_reg(size, EAX);
            if !bus.fill_ram(dst, v, size, n) {
                return None;
            }
        }
        self.cache.note_write(dst);
        self.set_reg(asize, EDI, di.wrapping_add(len));
        Some(n)
    }

    /// Advance an index register (SI/DI or ESI/EDI) by one element in the DF direction.
    fn advance(&mut self, reg: u8, size: u32, asize: u32) {
        let v = self.get_reg(asize, reg);
        let d = if self.flags.df() {
            size.wrapping_neg()
        } else {
            size
        };
        self.set_reg(asize, reg, v.wrapping_add(d) & size_mask(asize));
    }

    /// One element. On the 286 an access that faults still advances its index register (and a
    /// REP count), as the hardware vectors show; later CPUs leave the registers as they were so
    /// that the instruction can be restarted.
    fn string_once<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let (esi, edi) = (self.regs[ESI as usize], self.regs[EDI as usize]);
        let r = self.string_element(bus, insn);
        if r.is_err() && self.model != Model::I286 {
            // From the 386 on an element that faults leaves SI and DI as they were.
            self.regs[ESI as usize] = esi;
            self.regs[EDI as usize] = edi;
        }
        r
    }

    fn string_element<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let asize = if insn.addr32() { 4 } else { 2 };
        let src = if insn.seg != NONE { insn.seg } else { DS };
        let si = self.get_reg(asize, ESI);
        let di = self.get_reg(asize, EDI);
        let late = self.model == Model::I286;
        match insn.op {
            0xA4 | 0xA5 => {
                let v = {
                    let r = self.read_mem(bus, src, si, size);
                    self.step_index(r, ESI, size, asize, late)
                }?;
                let w = self.write_mem(bus, ES, di, size, v);
                self.step_index(w, EDI, size, asize, late)?;
            }
            0xA6 | 0xA7 => {
                // The destination is read first (it decides which fault a 286 reports).
                let b = {
                    let r = self.read_mem(bus, ES, di, size);
                    self.step_index(r, EDI, size, asize, late)
                }?;
                let a = {
                    let r = self.read_mem(bus, src, si, size);
                    self.step_index(r, ESI, size, asize, late)
                }?;
                self.alu(super::alu::AluOp::Cmp, size, a, b);
            }
            0xAA | 0xAB => {
                let v = self.get_reg(size, EAX);
                let w = self.write_mem(bus, ES, di, size, v);
                self.step_index(w, EDI, size, asize, late)?;
            }
            0xAC | 0xAD => {
                let v = {
                    let r = self.read_mem(bus, src, si, size);
                    self.step_index(r, ESI, size, asize, late)
                }?;
                self.set_reg(size, EAX, v);
            }
            0xAE | 0xAF => {
                let b = {
                    let r = self.read_mem(bus, ES, di, size);
                    self.step_index(r, EDI, size, asize, late)
                }?;
                let a = self.get_reg(size, EAX);
                self.alu(super::alu::AluOp::Cmp, size, a, b);
            }
            0x6C | 0x6D => {
                let port = self.get_reg(2, EDX) as u16;
                if !late {
                    self.linear_w(ES, di, size)?;
                }
                let v = self.port_in(bus, port, size);
                let w = self.write_mem(bus, ES, di, size, v);
                self.step_index(w, EDI, size, asize, late)?;
            }
            _ => {
                let v = {
                    let r = self.read_mem(bus, src, si, size);
                    self.step_index(r, ESI, size, asize, late)
                }?;
                let port = self.get_reg(2, EDX) as u16;
                self.port_out(bus, port, size, v);
            }
        }
        Ok(())
    }

    /// Advance `reg` after an access: always when it succeeded, and also when it faulted if
    /// `late` (the 286's order).
    fn step_index<T>(&mut self, r: Res<T>, reg: u8, size: u32, asize: u32, late: bool) -> Res<T> {
        if r.is_ok() || late {
            self.advance(reg, size, asize);
        }
        r
    }
}
