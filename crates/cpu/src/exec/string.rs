//! String instructions: MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE.
//!
//! A repeated instruction runs in chunks: after `REP_CHUNK` iterations it restarts itself, so
//! that interrupts are taken during long copies, as on the real CPU. Each iteration counts as a
//! retired instruction.

use super::{size_mask, DS, EAX, ECX, EDI, EDX, ES, ESI};
use crate::bus::Bus;
use crate::decode::{Insn, F_REP, F_REPNE, NONE};
use crate::{Cpu, Res};

const REP_CHUNK: u32 = 4096;

impl Cpu {
    pub(crate) fn string_op<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if matches!(insn.op, 0x6C..=0x6F) {
            self.check_io_allowed(bus, self.get_reg(2, EDX) as u16, if insn.op & 1 == 0 { 1 } else { insn.osize() })?;
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
            self.string_once(bus, insn)?;
            self.set_reg(asize, ECX, count.wrapping_sub(1) & size_mask(asize));
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
        }
        Ok(())
    }

    /// Advance an index register (SI/DI or ESI/EDI) by one element in the DF direction.
    fn advance(&mut self, reg: u8, size: u32, asize: u32) {
        let v = self.get_reg(asize, reg);
        let d = if self.flags.df() { size.wrapping_neg() } else { size };
        self.set_reg(asize, reg, v.wrapping_add(d) & size_mask(asize));
    }

    fn string_once<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let asize = if insn.addr32() { 4 } else { 2 };
        let src = if insn.seg != NONE { insn.seg } else { DS };
        let si = self.get_reg(asize, ESI);
        let di = self.get_reg(asize, EDI);
        match insn.op {
            0xA4 | 0xA5 => {
                let v = self.read_mem(bus, src, si, size)?;
                self.write_mem(bus, ES, di, size, v)?;
                self.advance(ESI, size, asize);
                self.advance(EDI, size, asize);
            }
            0xA6 | 0xA7 => {
                let a = self.read_mem(bus, src, si, size)?;
                let b = self.read_mem(bus, ES, di, size)?;
                self.alu(super::alu::AluOp::Cmp, size, a, b);
                self.advance(ESI, size, asize);
                self.advance(EDI, size, asize);
            }
            0xAA | 0xAB => {
                let v = self.get_reg(size, EAX);
                self.write_mem(bus, ES, di, size, v)?;
                self.advance(EDI, size, asize);
            }
            0xAC | 0xAD => {
                let v = self.read_mem(bus, src, si, size)?;
                self.set_reg(size, EAX, v);
                self.advance(ESI, size, asize);
            }
            0xAE | 0xAF => {
                let b = self.read_mem(bus, ES, di, size)?;
                let a = self.get_reg(size, EAX);
                self.alu(super::alu::AluOp::Cmp, size, a, b);
                self.advance(EDI, size, asize);
            }
            0x6C | 0x6D => {
                let lin = self.linear(ES, di, size)?;
                let port = self.get_reg(2, EDX) as u16;
                let v = self.port_in(bus, port, size);
                self.write_lin(bus, lin, size, v)?;
                self.advance(EDI, size, asize);
            }
            _ => {
                let v = self.read_mem(bus, src, si, size)?;
                let port = self.get_reg(2, EDX) as u16;
                self.port_out(bus, port, size, v);
                self.advance(ESI, size, asize);
            }
        }
        Ok(())
    }
}
