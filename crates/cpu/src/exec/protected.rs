//! Protected mode: descriptors, segment-register loads with their checks, far transfers through
//! code segments and call gates, far returns and IRET across privilege levels, interrupt and
//! exception delivery through the IDT (including from virtual-8086 mode), and the system
//! instructions LLDT LTR SLDT STR VERR VERW LAR LSL, plus the I/O permission bitmap.
//!
//! Complex transfers take a snapshot of the state they change and put it back if any check
//! fails, so a faulting instruction can be restarted as on the real CPU.

use super::{gp0, size_mask, ud, CS, DS, ES, ESP, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{self, IF, IOPL, NT, RF, TF, VIF, VIP, VM};
use crate::model::Model;
use crate::regs::{
    Segment, SEG_ACCESSED, SEG_AVL, SEG_BIG, SEG_GRANULAR, SEG_NO_READ, SEG_NO_WRITE, SEG_PRESENT,
};
use crate::{Cpu, Exception, Res};

/// A raw 8-byte descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Desc {
    pub lo: u32,
    pub hi: u32,
}

impl Desc {
    pub fn base(&self) -> u32 {
        (self.lo >> 16) | ((self.hi & 0xFF) << 16) | (self.hi & 0xFF00_0000)
    }
    pub fn limit(&self) -> u32 {
        let l = (self.lo & 0xFFFF) | (self.hi & 0x000F_0000);
        if self.hi & (1 << 23) != 0 {
            (l << 12) | 0xFFF
        } else {
            l
        }
    }
    pub fn access(&self) -> u8 {
        (self.hi >> 8) as u8
    }
    pub fn typ(&self) -> u8 {
        self.access() & 0x0F
    }
    pub fn is_system(&self) -> bool {
        self.hi & (1 << 12) == 0
    }
    pub fn dpl(&self) -> u8 {
        ((self.hi >> 13) & 3) as u8
    }
    pub fn present(&self) -> bool {
        self.hi & (1 << 15) != 0
    }
    pub fn is_code(&self) -> bool {
        !self.is_system() && self.typ() & 8 != 0
    }
    pub fn is_data(&self) -> bool {
        !self.is_system() && self.typ() & 8 == 0
    }
    pub fn conforming(&self) -> bool {
        self.is_code() && self.typ() & 4 != 0
    }
    pub fn readable(&self) -> bool {
        self.is_data() || self.typ() & 2 != 0
    }
    pub fn writable(&self) -> bool {
        self.is_data() && self.typ() & 2 != 0
    }
    pub fn gate_selector(&self) -> u16 {
        (self.lo >> 16) as u16
    }
    pub fn gate_offset(&self, big: bool) -> u32 {
        if big {
            (self.lo & 0xFFFF) | (self.hi & 0xFFFF_0000)
        } else {
            self.lo & 0xFFFF
        }
    }
    pub fn gate_params(&self) -> u32 {
        self.hi & 0x1F
    }
}

/// Error code for a selector.
fn sel_err(sel: u16) -> u32 {
    (sel & 0xFFFC) as u32
}

fn gp(sel: u16) -> Exception {
    Exception::with_code(Exception::GP, sel_err(sel))
}
fn np(sel: u16) -> Exception {
    Exception::with_code(Exception::NP, sel_err(sel))
}
fn ts(sel: u16) -> Exception {
    Exception::with_code(Exception::TS, sel_err(sel))
}
fn ss_fault(sel: u16) -> Exception {
    Exception::with_code(Exception::SS, sel_err(sel))
}

/// What started an interrupt: the error codes and the gate privilege check depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// INT n, INT3, INTO: the gate's DPL must allow the caller.
    Software,
    /// The INTR line.
    Hardware,
    /// An exception raised by an instruction or by the delivery of another event.
    Exception,
}

/// The state a far transfer may change, to put back if it faults.
struct Snapshot {
    cs: Segment,
    ss: Segment,
    segs: [Segment; 6],
    esp: u32,
    eip: u32,
    cpl: u8,
    eflags: u32,
}

impl Cpu {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            cs: self.segs[CS as usize],
            ss: self.segs[SS as usize],
            segs: self.segs,
            esp: self.regs[ESP as usize],
            eip: self.eip,
            cpl: self.cpl,
            eflags: self.eflags(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.segs = s.segs;
        self.segs[CS as usize] = s.cs;
        self.segs[SS as usize] = s.ss;
        self.regs[ESP as usize] = s.esp;
        self.eip = s.eip;
        self.set_cpl(s.cpl);
        self.flags.set(s.eflags);
    }

    /// Run `f`; on error put the transfer state back as it was.
    fn transactional<B: Bus>(
        &mut self,
        bus: &mut B,
        f: impl FnOnce(&mut Cpu, &mut B) -> Res<()>,
    ) -> Res<()> {
        let snap = self.snapshot();
        let r = f(self, bus);
        if r.is_err() {
            self.restore(snap);
        }
        r
    }

    // ---- descriptors ----

    /// Read the descriptor a selector names (GDT or LDT). #GP(selector) if it is outside the
    /// table. Returns the descriptor and its linear address.
    pub(crate) fn fetch_descriptor<B: Bus>(&mut self, bus: &mut B, sel: u16) -> Res<(Desc, u32)> {
        let idx = (sel & !7) as u32;
        let (base, limit) = if sel & 4 != 0 {
            if self.ldtr.selector & 0xFFFC == 0 {
                return Err(gp(sel));
            }
            (self.ldtr.base, self.ldtr.limit)
        } else {
            (self.gdtr.base, self.gdtr.limit)
        };
        if idx + 7 > limit {
            return Err(gp(sel));
        }
        let addr = base.wrapping_add(idx);
        let lo = self.read_lin_as(bus, addr, 4, false)?;
        let mut hi = self.read_lin_as(bus, addr.wrapping_add(4), 4, false)?;
        if self.model == Model::I286 {
            // The 286 ignores the last word of a descriptor.
            hi &= 0x0000_FFFF;
        }
        Ok((Desc { lo, hi }, addr))
    }

    fn set_accessed<B: Bus>(&mut self, bus: &mut B, d: &Desc, addr: u32) -> Res<()> {
        if !d.is_system() && d.access() & 1 == 0 {
            self.write_lin_as(bus, addr.wrapping_add(5), 1, (d.access() | 1) as u32, false)?;
        }
        Ok(())
    }

    /// The descriptor cache contents for a code or data segment.
    pub(crate) fn segment_from(&self, sel: u16, d: &Desc) -> Segment {
        let mut flags = d.access() as u16 | SEG_ACCESSED;
        if d.hi & (1 << 22) != 0 {
            flags |= SEG_BIG;
        }
        if d.hi & (1 << 23) != 0 {
            flags |= SEG_GRANULAR;
        }
        if d.hi & (1 << 20) != 0 {
            flags |= SEG_AVL;
        }
        if d.is_system() {
            flags &= !SEG_ACCESSED;
        } else if d.is_code() {
            flags |= SEG_NO_WRITE;
            if !d.readable() {
                flags |= SEG_NO_READ;
            }
        } else if !d.writable() {
            flags |= SEG_NO_WRITE;
        }
        Segment {
            selector: sel,
            base: d.base(),
            limit: d.limit(),
            flags,
        }
    }

    fn null_segment(sel: u16) -> Segment {
        Segment {
            selector: sel,
            base: 0,
            limit: 0,
            flags: SEG_NO_READ | SEG_NO_WRITE,
        }
    }

    /// MOV/POP/LxS to a segment register in protected mode.
    pub(crate) fn load_seg_protected<B: Bus>(&mut self, bus: &mut B, seg: u8, sel: u16) -> Res<()> {
        let cpl = self.cpl;
        let rpl = (sel & 3) as u8;
        if seg == SS {
            if sel & 0xFFFC == 0 {
                return Err(gp0());
            }
            let (d, addr) = self.fetch_descriptor(bus, sel)?;
            if rpl != cpl || !d.writable() || d.dpl() != cpl {
                return Err(gp(sel));
            }
            if !d.present() {
                return Err(ss_fault(sel));
            }
            self.set_accessed(bus, &d, addr)?;
            self.segs[SS as usize] = self.segment_from(sel, &d);
            self.inhibit_irq = true;
            return Ok(());
        }
        if sel & 0xFFFC == 0 {
            self.segs[seg as usize] = Cpu::null_segment(sel);
            return Ok(());
        }
        let (d, addr) = self.fetch_descriptor(bus, sel)?;
        if d.is_system() || !d.readable() {
            return Err(gp(sel));
        }
        if !d.conforming() && (rpl > d.dpl() || cpl > d.dpl()) {
            return Err(gp(sel));
        }
        if !d.present() {
            return Err(np(sel));
        }
        self.set_accessed(bus, &d, addr)?;
        self.segs[seg as usize] = self.segment_from(sel, &d);
        Ok(())
    }

    /// Load CS for a transfer that has passed its checks; `cpl` becomes the new privilege.
    fn load_cs<B: Bus>(&mut self, bus: &mut B, sel: u16, d: &Desc, addr: u32, cpl: u8) -> Res<()> {
        self.set_accessed(bus, d, addr)?;
        let sel = (sel & !3) | cpl as u16;
        self.segs[CS as usize] = self.segment_from(sel, d);
        self.set_cpl(cpl);
        Ok(())
    }

    /// After a return to an outer level: data segments the new level may not use become null.
    fn drop_inaccessible_segments(&mut self) {
        for s in [ES, DS, 4, 5] {
            let seg = &self.segs[s as usize];
            let code = seg.flags & crate::regs::SEG_CODE != 0;
            let conforming = code && seg.flags & crate::regs::SEG_EXPAND_DOWN != 0;
            let dpl = seg.dpl();
            if seg.flags & SEG_PRESENT != 0 && !conforming && dpl < self.cpl {
                // The register is loaded with a null selector (it reads back as 0).
                self.segs[s as usize] = Cpu::null_segment(0);
            }
        }
    }

    /// SS:ESP for privilege level `dpl` from the current TSS.
    fn tss_stack<B: Bus>(&mut self, bus: &mut B, dpl: u8) -> Res<(u16, u32)> {
        let big = self.tr.flags & 0x08 != 0;
        let (off, width) = if big {
            (4 + 8 * dpl as u32, 4)
        } else {
            (2 + 4 * dpl as u32, 2)
        };
        if off + width + 1 > self.tr.limit {
            return Err(ts(self.tr.selector));
        }
        let esp = self.read_lin_as(bus, self.tr.base.wrapping_add(off), width, false)?;
        let ss = self.read_lin_as(bus, self.tr.base.wrapping_add(off + width), 2, false)? as u16;
        Ok((ss, esp))
    }

    /// Validate and load the inner stack SS:ESP for a privilege change to `dpl`.
    fn load_inner_stack<B: Bus>(&mut self, bus: &mut B, dpl: u8, room: u32) -> Res<()> {
        let (ss, esp) = self.tss_stack(bus, dpl)?;
        if ss & 0xFFFC == 0 {
            return Err(ts(ss));
        }
        let (d, addr) = self.fetch_descriptor(bus, ss).map_err(|_| ts(ss))?;
        if (ss & 3) as u8 != dpl || d.dpl() != dpl || !d.writable() {
            return Err(ts(ss));
        }
        if !d.present() {
            return Err(ss_fault(ss));
        }
        let seg = self.segment_from(ss, &d);
        let top = if seg.big() { esp } else { esp & 0xFFFF };
        if room > 0 && !seg.check_limit(top.wrapping_sub(room), room) {
            return Err(Exception::with_code(Exception::SS, sel_err(ss)));
        }
        self.set_accessed(bus, &d, addr)?;
        self.segs[SS as usize] = seg;
        self.regs[ESP as usize] = if seg.big() {
            esp
        } else {
            (self.regs[ESP as usize] & 0xFFFF_0000) | (esp & 0xFFFF)
        };
        Ok(())
    }

    // ---- far JMP / CALL ----

    pub(crate) fn far_transfer_protected<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        off: u32,
        size: u32,
        call: bool,
    ) -> Res<()> {
        self.transactional(bus, |cpu, bus| {
            cpu.far_transfer_inner(bus, sel, off, size, call)
        })
    }

    fn far_transfer_inner<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        off: u32,
        size: u32,
        call: bool,
    ) -> Res<()> {
        if sel & 0xFFFC == 0 {
            return Err(gp0());
        }
        let (d, addr) = self.fetch_descriptor(bus, sel)?;
        let cpl = self.cpl;
        let rpl = (sel & 3) as u8;
        if d.is_code() {
            if d.conforming() {
                if d.dpl() > cpl {
                    return Err(gp(sel));
                }
            } else if rpl > cpl || d.dpl() != cpl {
                return Err(gp(sel));
            }
            if !d.present() {
                return Err(np(sel));
            }
            let off = off & size_mask(size);
            if off > d.limit() {
                return Err(gp0());
            }
            if call {
                let cs = self.segs[CS as usize].selector as u32;
                let ip = self.eip;
                self.push(bus, size, cs)?;
                self.push(bus, size, ip)?;
            }
            self.load_cs(bus, sel, &d, addr, cpl)?;
            self.eip = off;
            return Ok(());
        }
        if !d.is_system() {
            return Err(gp(sel));
        }
        match d.typ() {
            // Call gates (286 and 386).
            0x4 | 0xC => {
                if d.dpl() < cpl || d.dpl() < rpl {
                    return Err(gp(sel));
                }
                if !d.present() {
                    return Err(np(sel));
                }
                let big = d.typ() == 0xC;
                let gsize = if big { 4 } else { 2 };
                let tsel = d.gate_selector();
                let toff = d.gate_offset(big);
                if tsel & 0xFFFC == 0 {
                    return Err(gp0());
                }
                let (td, taddr) = self.fetch_descriptor(bus, tsel)?;
                if !td.is_code() || td.dpl() > cpl {
                    return Err(gp(tsel));
                }
                if !call && !td.conforming() && td.dpl() != cpl {
                    return Err(gp(tsel));
                }
                if !td.present() {
                    return Err(np(tsel));
                }
                if toff > td.limit() {
                    return Err(gp0());
                }
                if call && !td.conforming() && td.dpl() < cpl {
                    // More privileged: switch to the inner stack and copy the parameters.
                    let count = d.gate_params();
                    let old_ss = self.segs[SS as usize].selector as u32;
                    let old_esp = self.regs[ESP as usize];
                    let old_sp = self.sp();
                    let mut params = Vec::with_capacity(count as usize);
                    for i in 0..count {
                        params.push(self.peek(bus, i * gsize, gsize)?);
                    }
                    let room = (4 + count) * gsize;
                    self.load_inner_stack(bus, td.dpl(), room)?;
                    // The pushes onto the inner stack are made at the new privilege level (they
                    // are supervisor accesses for paging).
                    self.set_cpl(td.dpl());
                    self.push(bus, gsize, old_ss)?;
                    self.push(bus, gsize, if gsize == 4 { old_esp } else { old_sp })?;
                    for p in params.iter().rev() {
                        self.push(bus, gsize, *p)?;
                    }
                    let cs = self.segs[CS as usize].selector as u32;
                    let ip = self.eip;
                    self.push(bus, gsize, cs)?;
                    self.push(bus, gsize, ip)?;
                    self.load_cs(bus, tsel, &td, taddr, td.dpl())?;
                } else {
                    if call {
                        let cs = self.segs[CS as usize].selector as u32;
                        let ip = self.eip;
                        self.push(bus, gsize, cs)?;
                        self.push(bus, gsize, ip)?;
                    }
                    self.load_cs(bus, tsel, &td, taddr, cpl)?;
                }
                self.eip = toff;
                Ok(())
            }
            // Task gate: switch to the task its selector names.
            0x5 => {
                if d.dpl() < cpl || d.dpl() < rpl {
                    return Err(gp(sel));
                }
                if !d.present() {
                    return Err(np(sel));
                }
                let tss = d.gate_selector();
                let (td, taddr) = self.fetch_descriptor(bus, tss)?;
                let reason = if call {
                    super::task::Reason::Call
                } else {
                    super::task::Reason::Jmp
                };
                self.task_switch(bus, tss, td, taddr, reason, None)
            }
            // An available TSS directly.
            0x1 | 0x9 => {
                if d.dpl() < cpl || d.dpl() < rpl {
                    return Err(gp(sel));
                }
                let reason = if call {
                    super::task::Reason::Call
                } else {
                    super::task::Reason::Jmp
                };
                self.task_switch(bus, sel, d, addr, reason, None)
            }
            _ => Err(gp(sel)),
        }
    }

    // ---- RETF ----

    pub(crate) fn ret_far_protected<B: Bus>(
        &mut self,
        bus: &mut B,
        size: u32,
        release: u32,
    ) -> Res<()> {
        self.transactional(bus, |cpu, bus| cpu.ret_far_inner(bus, size, release))
    }

    fn ret_far_inner<B: Bus>(&mut self, bus: &mut B, size: u32, release: u32) -> Res<()> {
        let eip = self.peek(bus, 0, size)? & size_mask(size);
        let sel = self.peek(bus, size, size)? as u16;
        let (d, addr, rpl) = self.check_return_cs(bus, sel)?;
        if rpl == self.cpl {
            if eip > d.limit() {
                return Err(gp0());
            }
            self.load_cs(bus, sel, &d, addr, rpl)?;
            self.eip = eip;
            self.set_sp(self.sp_plus(2 * size + release));
            return Ok(());
        }
        let esp = self.peek(bus, 2 * size + release, size)?;
        let ss = self.peek(bus, 3 * size + release, size)? as u16;
        if eip > d.limit() {
            return Err(gp0());
        }
        self.load_cs(bus, sel, &d, addr, rpl)?;
        self.load_outer_stack(bus, ss, esp, size, rpl)?;
        self.set_sp(self.sp_plus(release));
        self.eip = eip;
        self.drop_inaccessible_segments();
        Ok(())
    }

    /// Checks on the CS a RETF or IRET returns to; returns the descriptor and the new CPL.
    fn check_return_cs<B: Bus>(&mut self, bus: &mut B, sel: u16) -> Res<(Desc, u32, u8)> {
        if sel & 0xFFFC == 0 {
            return Err(gp0());
        }
        let rpl = (sel & 3) as u8;
        if rpl < self.cpl {
            return Err(gp(sel));
        }
        let (d, addr) = self.fetch_descriptor(bus, sel)?;
        if !d.is_code() {
            return Err(gp(sel));
        }
        if d.conforming() {
            if d.dpl() > rpl {
                return Err(gp(sel));
            }
        } else if d.dpl() != rpl {
            return Err(gp(sel));
        }
        if !d.present() {
            return Err(np(sel));
        }
        Ok((d, addr, rpl))
    }

    /// Load the outer level's SS:ESP popped by a RETF or IRET.
    fn load_outer_stack<B: Bus>(
        &mut self,
        bus: &mut B,
        ss: u16,
        esp: u32,
        size: u32,
        rpl: u8,
    ) -> Res<()> {
        if ss & 0xFFFC == 0 {
            return Err(gp0());
        }
        let (sd, saddr) = self.fetch_descriptor(bus, ss)?;
        if (ss & 3) as u8 != rpl || !sd.writable() || sd.dpl() != rpl {
            return Err(gp(ss));
        }
        if !sd.present() {
            return Err(ss_fault(ss));
        }
        self.set_accessed(bus, &sd, saddr)?;
        self.segs[SS as usize] = self.segment_from(ss, &sd);
        if size == 4 || self.segs[SS as usize].big() {
            self.regs[ESP as usize] = esp;
        } else {
            self.set_reg(2, ESP, esp);
        }
        Ok(())
    }

    // ---- IRET ----

    pub(crate) fn iret_protected<B: Bus>(&mut self, bus: &mut B, size: u32) -> Res<()> {
        if self.v86_mode() {
            return self.iret_v86(bus, size);
        }
        if self.eflags() & NT != 0 {
            // Return from a nested task through the back link.
            let link = self.read_lin_as(bus, self.tr.base, 2, false)? as u16;
            let (d, addr) = self.fetch_descriptor(bus, link).map_err(|_| ts(link))?;
            if !d.is_system() || (d.typ() != 0x3 && d.typ() != 0xB) || link & 4 != 0 {
                return Err(ts(link));
            }
            return self.task_switch(bus, link, d, addr, super::task::Reason::Iret, None);
        }
        self.transactional(bus, |cpu, bus| cpu.iret_inner(bus, size))
    }

    fn iret_inner<B: Bus>(&mut self, bus: &mut B, size: u32) -> Res<()> {
        let eip = self.peek(bus, 0, size)?;
        let sel = self.peek(bus, size, size)? as u16;
        let fl = self.peek(bus, 2 * size, size)?;
        if size == 4 && fl & VM != 0 && self.cpl == 0 {
            // Back to virtual-8086 mode: the frame also holds SS:ESP and the data segments.
            let esp = self.peek(bus, 12, 4)?;
            let ss = self.peek(bus, 16, 4)? as u16;
            let es = self.peek(bus, 20, 4)? as u16;
            let ds = self.peek(bus, 24, 4)? as u16;
            let fs = self.peek(bus, 28, 4)? as u16;
            let gs = self.peek(bus, 32, 4)? as u16;
            self.set_eflags(fl);
            for (s, v) in [(CS, sel), (SS, ss), (ES, es), (DS, ds), (4, fs), (5, gs)] {
                self.load_seg_real(crate::SegReg::from_index(s), v);
            }
            self.regs[ESP as usize] = esp;
            self.eip = eip & 0xFFFF;
            self.set_cpl(3);
            return Ok(());
        }
        let eip = eip & size_mask(size);
        let (d, addr, rpl) = self.check_return_cs(bus, sel)?;
        if eip > d.limit() {
            return Err(gp0());
        }
        if rpl == self.cpl {
            // Flags first: the privilege rules use the CPL of the IRET.
            self.write_flags_checked(fl, size);
            self.iretd_flags(fl, size);
            self.load_cs(bus, sel, &d, addr, rpl)?;
            self.eip = eip;
            self.set_sp(self.sp_plus(3 * size));
            return Ok(());
        }
        let esp = self.peek(bus, 3 * size, size)?;
        let ss = self.peek(bus, 4 * size, size)? as u16;
        self.write_flags_checked(fl, size);
        self.iretd_flags(fl, size);
        self.load_cs(bus, sel, &d, addr, rpl)?;
        self.load_outer_stack(bus, ss, esp, size, rpl)?;
        self.eip = eip;
        self.drop_inaccessible_segments();
        Ok(())
    }

    /// What IRETD loads beyond POPFD (call it before the CPL changes): RF always (how a #DB
    /// handler resumes past an instruction breakpoint), and at CPL 0 also VIF and VIP.
    fn iretd_flags(&mut self, fl: u32, size: u32) {
        if size == 4 {
            self.flags.set_bits(RF, fl & RF != 0);
            if self.cpl == 0 && self.model >= Model::Pentium {
                self.flags.set_bits(VIF, fl & VIF != 0);
                self.flags.set_bits(VIP, fl & VIP != 0);
            }
        }
    }

    /// IRET in virtual-8086 mode: allowed at IOPL 3; with CR4.VME a 16-bit IRET at lower IOPL
    /// works on the virtual interrupt flag.
    fn iret_v86<B: Bus>(&mut self, bus: &mut B, size: u32) -> Res<()> {
        let iopl = self.iopl();
        let vme = self.cr4 & 1 != 0;
        if iopl < 3 && !(vme && size == 2) {
            return Err(gp0());
        }
        let ip = self.peek(bus, 0, size)?;
        let cs = self.peek(bus, size, size)? as u16;
        let fl = self.peek(bus, 2 * size, size)?;
        if ip & size_mask(size) > 0xFFFF {
            return Err(gp0());
        }
        let old = self.eflags();
        let new = if iopl < 3 {
            if (fl & IF != 0 && old & VIP != 0) || fl & TF != 0 {
                return Err(gp0());
            }
            let vif = if fl & IF != 0 { VIF } else { 0 };
            ((fl & 0xFFFF) & !(IF | IOPL)) | (old & (IF | IOPL)) | (old & 0xFFFF_0000 & !VIF) | vif
        } else {
            let keep = IOPL | VM | VIF | VIP;
            let v = if size == 2 {
                (fl & 0xFFFF) | (old & 0xFFFF_0000)
            } else {
                fl
            };
            (v & !keep) | (old & keep)
        };
        self.load_seg_real(crate::SegReg::Cs, cs);
        self.eip = ip & 0xFFFF;
        self.set_sp(self.sp_plus(3 * size));
        self.set_eflags(new & !RF);
        Ok(())
    }

    // ---- interrupt delivery ----

    pub(crate) fn deliver_interrupt_protected<B: Bus>(
        &mut self,
        bus: &mut B,
        vector: u8,
        source: Source,
        error_code: Option<u32>,
    ) -> Res<()> {
        self.transactional(bus, |cpu, bus| {
            cpu.deliver_inner(bus, vector, source, error_code)
        })
    }

    /// Whether the TSS redirection bitmap sends INT `vector` to protected mode (bit set).
    pub(crate) fn int_redirected<B: Bus>(&mut self, bus: &mut B, vector: u8) -> Res<bool> {
        if self.tr.flags & 0x08 == 0 || self.tr.limit < 0x67 {
            return Ok(true);
        }
        let iomap = self.read_lin_as(bus, self.tr.base.wrapping_add(0x66), 2, false)?;
        let byte = iomap.wrapping_sub(32) + (vector as u32 >> 3);
        if byte > self.tr.limit {
            return Ok(true);
        }
        let b = self.read_lin_as(bus, self.tr.base.wrapping_add(byte), 1, false)?;
        Ok(b & (1 << (vector & 7)) != 0)
    }

    /// VME: deliver INT n through the vector table at linear 0, staying in virtual-8086 mode.
    pub(crate) fn v86_redirect_interrupt<B: Bus>(&mut self, bus: &mut B, vector: u8) -> Res<()> {
        let iopl = self.iopl();
        let f = self.eflags();
        let mut image = f & 0xFFFF;
        if iopl < 3 {
            image = (image & !IF) | if f & VIF != 0 { IF } else { 0 } | IOPL;
        }
        let ip = self.read_lin(bus, vector as u32 * 4, 2)?;
        let cs = self.read_lin(bus, vector as u32 * 4 + 2, 2)? as u16;
        let cur_cs = self.segs[CS as usize].selector as u32;
        let cur_ip = self.eip & 0xFFFF;
        self.push(bus, 2, image)?;
        self.push(bus, 2, cur_cs)?;
        self.push(bus, 2, cur_ip)?;
        let clear = if iopl < 3 { VIF | TF } else { IF | TF };
        self.flags.set_bits(clear, false);
        self.load_seg_real(crate::SegReg::Cs, cs);
        self.eip = ip;
        Ok(())
    }

    fn deliver_inner<B: Bus>(
        &mut self,
        bus: &mut B,
        vector: u8,
        source: Source,
        error_code: Option<u32>,
    ) -> Res<()> {
        let ext = (source != Source::Software) as u32;
        let idt_err = Exception::with_code(Exception::GP, vector as u32 * 8 + 2 + ext);
        if vector as u32 * 8 + 7 > self.idtr.limit {
            return Err(idt_err);
        }
        let at = self.idtr.base.wrapping_add(vector as u32 * 8);
        let lo = self.read_lin_as(bus, at, 4, false)?;
        let mut hi = self.read_lin_as(bus, at.wrapping_add(4), 4, false)?;
        if self.model == Model::I286 {
            hi &= 0xFFFF;
        }
        let gate = Desc { lo, hi };
        if !gate.is_system() || !matches!(gate.typ(), 0x5 | 0x6 | 0x7 | 0xE | 0xF) {
            return Err(idt_err);
        }
        if source == Source::Software && gate.dpl() < self.cpl() {
            return Err(idt_err);
        }
        if !gate.present() {
            return Err(Exception::with_code(
                Exception::NP,
                vector as u32 * 8 + 2 + ext,
            ));
        }
        if gate.typ() == 0x5 {
            let tss = gate.gate_selector();
            let (d, addr) = self.fetch_descriptor(bus, tss).map_err(|_| ts(tss))?;
            return self.task_switch(bus, tss, d, addr, super::task::Reason::Int, error_code);
        }
        let big = gate.typ() >= 0xE;
        let gsize = if big { 4 } else { 2 };
        let sel = gate.gate_selector();
        let off = gate.gate_offset(big);
        if sel & 0xFFFC == 0 {
            return Err(Exception::with_code(Exception::GP, ext));
        }
        let (d, addr) = self
            .fetch_descriptor(bus, sel)
            .map_err(|e| e.or_code(ext))?;
        let sel_fault = |v: u8| Exception::with_code(v, sel_err(sel) | ext);
        if !d.is_code() || d.dpl() > self.cpl() {
            return Err(sel_fault(Exception::GP));
        }
        if !d.present() {
            return Err(sel_fault(Exception::NP));
        }
        if off > d.limit() {
            return Err(Exception::with_code(Exception::GP, ext));
        }
        let old_flags = self.eflags();
        let was_v86 = self.v86_mode();
        let cs = self.segs[CS as usize].selector as u32;
        let ip = self.eip;
        let new_cpl;
        if !d.conforming() && d.dpl() < self.cpl() {
            if was_v86 && d.dpl() != 0 {
                return Err(sel_fault(Exception::GP));
            }
            let old_ss = self.segs[SS as usize].selector as u32;
            let old_esp = self.regs[ESP as usize];
            let words = if was_v86 { 9 } else { 5 } + error_code.is_some() as u32;
            self.load_inner_stack(bus, d.dpl(), words * gsize)
                .map_err(|e| match e.vector() {
                    // Selector error codes carry EXT for external events (#PF's do not).
                    Exception::TS | Exception::SS | Exception::NP | Exception::GP => e.or_code(ext),
                    _ => e,
                })?;
            // Leave virtual-8086 mode before pushing, so the pushes use the new stack's rules.
            self.flags.set(old_flags & !VM);
            self.set_cpl(d.dpl());
            if was_v86 {
                for s in [5u8, 4, DS, ES] {
                    let v = self.segs[s as usize].selector as u32;
                    self.push(bus, gsize, v)?;
                }
                for s in [5u8, 4, DS, ES] {
                    self.segs[s as usize] = Cpu::null_segment(0);
                }
            }
            self.push(bus, gsize, old_ss)?;
            self.push(bus, gsize, old_esp)?;
            new_cpl = d.dpl();
        } else {
            if was_v86 {
                return Err(sel_fault(Exception::GP));
            }
            new_cpl = self.cpl;
        }
        self.push(bus, gsize, old_flags)?;
        self.push(bus, gsize, cs)?;
        self.push(bus, gsize, ip)?;
        if let Some(code) = error_code {
            self.push(bus, gsize, code)?;
        }
        self.load_cs(bus, sel, &d, addr, new_cpl)?;
        self.eip = off;
        let mut clear = TF | NT | RF | VM;
        if gate.typ() & 1 == 0 {
            clear |= IF;
        }
        let f = self.eflags() & !clear;
        self.flags.set(f);
        Ok(())
    }

    // ---- system instructions ----

    /// 0F 00: SLDT STR LLDT LTR VERR VERW.
    pub(crate) fn group6<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if !self.protected_mode() || self.v86_mode() {
            return Err(ud());
        }
        match insn.reg() {
            0 | 1 => {
                let v = if insn.reg() == 0 {
                    self.ldtr.selector
                } else {
                    self.tr.selector
                } as u32;
                let size = if insn.rm_is_reg() { insn.osize() } else { 2 };
                self.write_rm(bus, insn, size, v)
            }
            2 => {
                if self.cpl != 0 {
                    return Err(gp0());
                }
                let sel = self.read_rm(bus, insn, 2)? as u16;
                if sel & 0xFFFC == 0 {
                    self.ldtr = Cpu::null_segment(sel);
                    return Ok(());
                }
                if sel & 4 != 0 {
                    return Err(gp(sel));
                }
                let (d, _) = self.fetch_descriptor(bus, sel)?;
                if !d.is_system() || d.typ() != 0x2 {
                    return Err(gp(sel));
                }
                if !d.present() {
                    return Err(np(sel));
                }
                self.ldtr = self.segment_from(sel, &d);
                Ok(())
            }
            3 => {
                if self.cpl != 0 {
                    return Err(gp0());
                }
                let sel = self.read_rm(bus, insn, 2)? as u16;
                if sel & 0xFFFC == 0 {
                    return Err(gp0());
                }
                if sel & 4 != 0 {
                    return Err(gp(sel));
                }
                let (d, addr) = self.fetch_descriptor(bus, sel)?;
                if !d.is_system() || !matches!(d.typ(), 0x1 | 0x9) {
                    return Err(gp(sel));
                }
                if !d.present() {
                    return Err(np(sel));
                }
                // Mark it busy.
                self.write_lin_as(
                    bus,
                    addr.wrapping_add(5),
                    1,
                    (d.access() | 0x2) as u32,
                    false,
                )?;
                let d = Desc {
                    hi: d.hi | 0x200,
                    ..d
                };
                self.tr = self.segment_from(sel, &d);
                Ok(())
            }
            4 | 5 => {
                let sel = self.read_rm(bus, insn, 2)? as u16;
                let ok = self.verify(bus, sel, insn.reg() == 5)?;
                self.flags.set_bits(flags::ZF, ok);
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    /// VERR/VERW: whether the segment is readable / writable from here (no fault if not).
    fn verify<B: Bus>(&mut self, bus: &mut B, sel: u16, write: bool) -> Res<bool> {
        if sel & 0xFFFC == 0 {
            return Ok(false);
        }
        let d = match self.fetch_descriptor(bus, sel) {
            Ok((d, _)) => d,
            Err(e) if e.vector() == Exception::GP => return Ok(false),
            Err(e) => return Err(e),
        };
        if d.is_system() {
            return Ok(false);
        }
        let rpl = (sel & 3) as u8;
        if !d.conforming() && (d.dpl() < self.cpl || d.dpl() < rpl) {
            return Ok(false);
        }
        Ok(if write { d.writable() } else { d.readable() })
    }

    /// 0F 02 (LAR) and 0F 03 (LSL).
    pub(crate) fn lar_lsl<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if !self.protected_mode() || self.v86_mode() {
            return Err(ud());
        }
        let sel = self.read_rm(bus, insn, 2)? as u16;
        let lsl = insn.op == 0x103;
        let found = if sel & 0xFFFC == 0 {
            None
        } else {
            match self.fetch_descriptor(bus, sel) {
                Ok((d, _)) => Some(d),
                Err(e) if e.vector() == Exception::GP => None,
                Err(e) => return Err(e),
            }
        };
        let valid = found.filter(|d| {
            let type_ok = if d.is_system() {
                if lsl {
                    matches!(d.typ(), 1 | 2 | 3 | 9 | 11)
                } else {
                    matches!(d.typ(), 1 | 2 | 3 | 4 | 5 | 9 | 11 | 12)
                }
            } else {
                true
            };
            let rpl = (sel & 3) as u8;
            type_ok && (d.conforming() || (d.dpl() >= self.cpl && d.dpl() >= rpl))
        });
        match valid {
            Some(d) => {
                let v = if lsl { d.limit() } else { d.hi & 0x00FF_FF00 };
                let size = insn.osize();
                self.set_reg(size, insn.reg(), v);
                self.flags.set_bits(flags::ZF, true);
            }
            None => self.flags.set_bits(flags::ZF, false),
        }
        Ok(())
    }

    /// The TSS I/O permission bitmap: may the current task use `size` bytes at `port`?
    pub(crate) fn io_bitmap_allows<B: Bus>(
        &mut self,
        bus: &mut B,
        port: u16,
        size: u32,
    ) -> Res<bool> {
        if self.tr.flags & 0x08 == 0 || self.tr.limit < 0x67 {
            return Ok(false);
        }
        let base = self.read_lin_as(bus, self.tr.base.wrapping_add(0x66), 2, false)?;
        let byte = base + (port as u32 >> 3);
        if byte + 1 > self.tr.limit {
            return Ok(false);
        }
        let bits = self.read_lin_as(bus, self.tr.base.wrapping_add(byte), 2, false)?;
        let mask = ((1u32 << size) - 1) << (port & 7);
        Ok(bits & mask == 0)
    }
}
