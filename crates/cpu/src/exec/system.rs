//! Processor control: IN/OUT and the I/O permission checks, HLT, CLI/STI (with virtual
//! interrupts), WAIT and ESC, ARPL.

use super::{gp0, ud, EAX, EDX};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::IF;
use crate::{Cpu, Res};

impl Cpu {
    pub(crate) fn port_in<B: Bus>(&mut self, bus: &mut B, port: u16, size: u32) -> u32 {
        if self.io_breakpoints_armed {
            self.note_io_access(port, size);
        }
        bus.io_clock(self.counters.instructions);
        let v = match size {
            1 => bus.io_read8(port) as u32,
            2 => bus.io_read16(port) as u32,
            _ => bus.io_read32(port),
        };
        // Reads start work too (the next block of a disk transfer).
        if bus.take_stop_request() {
            self.request_stop();
        }
        v
    }

    pub(crate) fn port_out<B: Bus>(&mut self, bus: &mut B, port: u16, size: u32, v: u32) {
        if self.io_breakpoints_armed {
            self.note_io_access(port, size);
        }
        bus.io_clock(self.counters.instructions);
        match size {
            1 => bus.io_write8(port, v as u8),
            2 => bus.io_write16(port, v as u16),
            _ => bus.io_write32(port, v),
        }
        if bus.take_stop_request() {
            self.request_stop();
        }
        // The write may have moved memory around (the A20 gate, port 92h).
        self.sync_ram_map(bus);
    }

    /// I/O is allowed in real mode, in protected mode when CPL <= IOPL, and otherwise (and
    /// always in virtual-8086 mode) when the TSS I/O permission bitmap clears the port's bits.
    pub(crate) fn check_io_allowed<B: Bus>(
        &mut self,
        bus: &mut B,
        port: u16,
        size: u32,
    ) -> Res<()> {
        if !self.protected_mode() || (!self.v86_mode() && self.cpl() <= self.iopl()) {
            return Ok(());
        }
        if self.io_bitmap_allows(bus, port, size)? {
            Ok(())
        } else {
            Err(gp0())
        }
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

    /// FA/FB: CLI/STI. STI holds interrupts off for one more instruction. Below the required
    /// IOPL, CR4.VME (virtual-8086 mode) and CR4.PVI (ring 3) turn them into operations on the
    /// virtual interrupt flag.
    pub(crate) fn cli_sti(&mut self, insn: &Insn) -> Res<()> {
        if self.protected_mode() && self.cpl() > self.iopl() {
            let virtual_if = (self.v86_mode() && self.cr4 & 1 != 0)
                || (!self.v86_mode() && self.cpl() == 3 && self.cr4 & 2 != 0);
            if !virtual_if {
                return Err(gp0());
            }
            if insn.op == 0xFB {
                if self.eflags() & crate::flags::VIP != 0 {
                    return Err(gp0());
                }
                self.flags.set_bits(crate::flags::VIF, true);
            } else {
                self.flags.set_bits(crate::flags::VIF, false);
            }
            return Ok(());
        }
        let sti = insn.op == 0xFB;
        if sti && self.flags.get() & IF == 0 {
            self.inhibit_irq = true;
        }
        self.flags.set_bits(IF, sti);
        Ok(())
    }

    /// 9B: WAIT: reports a pending x87 exception (see `x87`).
    pub(crate) fn wait(&mut self) -> Res<()> {
        self.x87_wait()
    }

    /// D8-DF: the x87 instructions (see `x87`); without an FPU the memory operand is checked
    /// against the segment limit and the instruction otherwise ignored.
    pub(crate) fn fpu_escape<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        self.x87_escape(bus, insn)
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
}
