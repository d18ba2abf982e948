//! Processor control and system instructions: IN/OUT, HLT, CLI/STI, WAIT and ESC without an
//! FPU, ARPL, the two-byte (0F) instructions, and the protected-mode entry points.
//!
//! Protected mode proper (descriptor checks on loads, gates, task switches, IDT delivery) is the
//! next stage of the CPU; until it lands, those paths raise #GP so a guest that enters protected
//! mode stops with a visible exception instead of running on wrong semantics.

use super::{gp0, ud, EAX, EDX};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::IF;
use crate::model::Model;
use crate::{Cpu, Res};

impl Cpu {
    pub(crate) fn port_in<B: Bus>(&mut self, bus: &mut B, port: u16, size: u32) -> u32 {
        bus.io_clock(self.counters.instructions);
        match size {
            1 => bus.io_read8(port) as u32,
            2 => bus.io_read16(port) as u32,
            _ => bus.io_read32(port),
        }
    }

    pub(crate) fn port_out<B: Bus>(&mut self, bus: &mut B, port: u16, size: u32, v: u32) {
        bus.io_clock(self.counters.instructions);
        match size {
            1 => bus.io_write8(port, v as u8),
            2 => bus.io_write16(port, v as u16),
            _ => bus.io_write32(port, v),
        }
        if bus.take_stop_request() {
            self.stop_requested = true;
        }
    }

    /// I/O is allowed in real mode, and in protected mode when CPL <= IOPL. (The TSS I/O
    /// permission bitmap comes with protected mode.)
    pub(crate) fn check_io_allowed<B: Bus>(
        &mut self,
        _bus: &mut B,
        _port: u16,
        _size: u32,
    ) -> Res<()> {
        if self.protected_mode() && (self.v86_mode() || self.cpl() > self.iopl()) {
            return Err(gp0());
        }
        Ok(())
    }

    /// E4-E7, EC-EF.
    pub(crate) fn in_out<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let port = if insn.op < 0xE8 {
            insn.imm as u16 & 0xFF
        } else {
            self.get_reg(2, EDX) as u16
        };
        self.check_io_allowed(bus, port, size)?;
        if insn.op & 2 == 0 {
            let v = self.port_in(bus, port, size);
            self.set_reg(size, EAX, v);
        } else {
            let v = self.get_reg(size, EAX);
            self.port_out(bus, port, size, v);
        }
        Ok(())
    }

    pub(crate) fn hlt(&mut self) -> Res<()> {
        if self.cpl() != 0 {
            return Err(gp0());
        }
        self.halted = true;
        Ok(())
    }

    /// FA/FB: CLI/STI. STI holds interrupts off for one more instruction.
    pub(crate) fn cli_sti(&mut self, insn: &Insn) -> Res<()> {
        if self.protected_mode() && self.cpl() > self.iopl() {
            return Err(gp0());
        }
        let sti = insn.op == 0xFB;
        if sti && self.flags.get() & IF == 0 {
            self.inhibit_irq = true;
        }
        self.flags.set_bits(IF, sti);
        Ok(())
    }

    /// 9B: WAIT. With no coprocessor there is nothing to wait for.
    pub(crate) fn wait(&mut self) -> Res<()> {
        Ok(())
    }

    /// D8-DF without a coprocessor: the instruction is decoded (its memory operand is checked
    /// against the segment limit) and otherwise ignored.
    pub(crate) fn fpu_escape(&mut self, insn: &Insn) -> Res<()> {
        if self.cr0 & 0x4 != 0 {
            // CR0.EM: software emulation wanted.
            return Err(crate::Exception::fault(crate::Exception::NM));
        }
        if !insn.rm_is_reg() {
            let off = self.ea(insn);
            self.linear(insn.mem_seg(), off, 2)?;
        }
        Ok(())
    }

    /// 63: ARPL exists only in protected mode.
    pub(crate) fn arpl<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if !self.protected_mode() || self.v86_mode() {
            return Err(ud());
        }
        let loc = self.rm_loc(insn);
        let dst = self.read_loc(bus, loc, 2)?;
        let src = self.get_reg(2, insn.reg());
        if dst & 3 < src & 3 {
            self.write_loc(bus, loc, 2, (dst & !3) | (src & 3))?;
            self.flags.set_bits(crate::flags::ZF, true);
        } else {
            self.flags.set_bits(crate::flags::ZF, false);
        }
        Ok(())
    }

    /// 0F xx.
    pub(crate) fn two_byte<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        match insn.op & 0xFF {
            0x00 => {
                // SLDT STR LLDT LTR VERR VERW: protected mode only.
                if !self.protected_mode() || self.v86_mode() {
                    return Err(ud());
                }
                Err(gp0())
            }
            0x01 => self.group7(bus, insn),
            0x02 | 0x03 => {
                if !self.protected_mode() || self.v86_mode() {
                    return Err(ud());
                }
                Err(gp0())
            }
            0x06 => {
                if self.cpl() != 0 {
                    return Err(gp0());
                }
                self.cr0 &= !0x8; // TS
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    /// 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG.
    fn group7<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let reg = insn.reg();
        match reg {
            0..=3 => {
                let (seg, off) = self.mem_operand(insn)?;
                let next = |o: u32| {
                    if insn.addr32() {
                        o.wrapping_add(2)
                    } else {
                        o.wrapping_add(2) & 0xFFFF
                    }
                };
                if reg < 2 {
                    let t = if reg == 0 { self.gdtr } else { self.idtr };
                    let base = match self.model {
                        // The 286 has a 24-bit base and stores 0xFF in the sixth byte.
                        Model::I286 => (t.base & 0x00FF_FFFF) | 0xFF00_0000,
                        _ if !insn.op32() => t.base & 0x00FF_FFFF,
                        _ => t.base,
                    };
                    self.write_mem(bus, seg, off, 2, t.limit & 0xFFFF)?;
                    self.write_mem(bus, seg, next(off), 4, base)
                } else {
                    if self.cpl() != 0 {
                        return Err(gp0());
                    }
                    let limit = self.read_mem(bus, seg, off, 2)?;
                    let base = self.read_mem(bus, seg, next(off), 4)?;
                    let base = if insn.op32() {
                        base
                    } else {
                        base & 0x00FF_FFFF
                    };
                    let t = crate::TableReg { base, limit };
                    if reg == 2 {
                        self.gdtr = t;
                    } else {
                        self.idtr = t;
                    }
                    Ok(())
                }
            }
            4 => {
                let msw = self.cr0 & 0xFFFF;
                let size = if insn.rm_is_reg() { insn.osize() } else { 2 };
                let v = if self.model == Model::I286 {
                    msw | 0xFFF0
                } else {
                    msw
                };
                self.write_rm(bus, insn, size, v)
            }
            6 => {
                if self.cpl() != 0 {
                    return Err(gp0());
                }
                let v = self.read_rm(bus, insn, 2)?;
                // LMSW can set PE but never clear it; it touches only PE, MP, EM, TS.
                let pe = (self.cr0 | v) & 1;
                self.cr0 = (self.cr0 & !0xF) | (v & 0xE) | pe;
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    // ---- protected mode entry points (the next stage of the CPU) ----

    pub(crate) fn load_seg_protected<B: Bus>(
        &mut self,
        _bus: &mut B,
        _seg: u8,
        selector: u16,
    ) -> Res<()> {
        Err(crate::Exception::with_code(
            crate::Exception::GP,
            (selector & 0xFFFC) as u32,
        ))
    }

    pub(crate) fn far_transfer_protected<B: Bus>(
        &mut self,
        _bus: &mut B,
        selector: u16,
        _off: u32,
        _size: u32,
        _call: bool,
    ) -> Res<()> {
        Err(crate::Exception::with_code(
            crate::Exception::GP,
            (selector & 0xFFFC) as u32,
        ))
    }

    pub(crate) fn ret_far_protected<B: Bus>(
        &mut self,
        _bus: &mut B,
        _size: u32,
        _release: u32,
    ) -> Res<()> {
        Err(gp0())
    }

    pub(crate) fn iret_protected<B: Bus>(&mut self, _bus: &mut B, _size: u32) -> Res<()> {
        Err(gp0())
    }

    pub(crate) fn deliver_interrupt_protected<B: Bus>(
        &mut self,
        _bus: &mut B,
        _vector: u8,
        _software: bool,
        _error_code: Option<u32>,
    ) -> Res<()> {
        // Without IDT delivery an exception cannot be handled: this shuts the CPU down.
        Err(crate::Exception::with_code(crate::Exception::DF, 0))
    }
}
