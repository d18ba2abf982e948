//! Interrupts and exceptions: INT n / INT3 / INTO, IRET, and delivery through the real-mode
//! interrupt vector table. Protected-mode delivery (IDT gates, privilege changes) lives in
//! `system.rs` with the rest of protected mode.

use super::protected::Source;
use super::{gp0, size_mask, CS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{AC, IF, TF};
use crate::model::Model;
use crate::{Cpu, Res};

impl Cpu {
    /// INT n, INT3, INTO: a trap, so the pushed address is that of the next instruction.
    ///
    /// In virtual-8086 mode only INT n (`int_n`) is IOPL-sensitive: with CR4.VME and its bit
    /// clear in the TSS redirection bitmap it goes through the 8086 program's own vector table,
    /// otherwise below IOPL 3 it raises #GP(0) (SDM vol. 3, table 20-2). INT3 and INTO always go
    /// through the IDT.
    pub(crate) fn software_interrupt<B: Bus>(
        &mut self,
        bus: &mut B,
        vector: u8,
        int_n: bool,
    ) -> Res<()> {
        if int_n && self.v86_mode() {
            if self.cr4 & 1 != 0 && !self.int_redirected(bus, vector)? {
                return self.v86_redirect_interrupt(bus, vector);
            }
            if self.iopl() < 3 {
                return Err(gp0());
            }
        }
        self.deliver_interrupt(bus, vector, Source::Software, None)
    }

    /// Deliver interrupt `vector`: push FLAGS, CS, IP and jump through the vector table.
    pub(crate) fn deliver_interrupt<B: Bus>(
        &mut self,
        bus: &mut B,
        vector: u8,
        source: Source,
        error_code: Option<u32>,
    ) -> Res<()> {
        if self.protected_mode() {
            return self.deliver_interrupt_protected(bus, vector, source, error_code);
        }
        let entry = vector as u32 * 4;
        if self.model >= Model::I286 && entry + 3 > self.idtr.limit {
            return Err(gp0());
        }
        let new_ip = self.read_lin(bus, self.idtr.base.wrapping_add(entry), 2)?;
        let new_cs = self.read_lin(bus, self.idtr.base.wrapping_add(entry + 2), 2)?;
        let old_sp = self.regs[super::ESP as usize];
        let flags = self.eflags() & 0xFFFF;
        let cs = self.segs[CS as usize].selector as u32;
        let ip = self.eip & 0xFFFF;
        let pushed = self
            .push(bus, 2, flags)
            .and_then(|_| self.push(bus, 2, cs))
            .and_then(|_| self.push(bus, 2, ip));
        if let Err(e) = pushed {
            self.regs[super::ESP as usize] = old_sp;
            return Err(e);
        }
        self.flags.set_bits(IF | TF | AC, false);
        self.load_seg_real(crate::SegReg::Cs, new_cs as u16);
        self.eip = new_ip;
        Ok(())
    }

    /// CF: IRET / IRETD.
    pub(crate) fn iret<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        if self.protected_mode() {
            return self.iret_protected(bus, size);
        }
        let ip = self.peek(bus, 0, size)?;
        let cs = self.peek(bus, size, size)?;
        let fl = self.peek(bus, 2 * size, size)?;
        if ip & size_mask(size) > self.segs[CS as usize].limit && size == 4 {
            return Err(gp0());
        }
        self.load_seg_real(crate::SegReg::Cs, cs as u16);
        self.eip = ip & size_mask(size);
        self.set_sp(self.sp_plus(3 * size));
        self.write_flags_checked(fl, size);
        Ok(())
    }
}
