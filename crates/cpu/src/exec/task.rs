//! Hardware task switching: JMP/CALL to a TSS or task gate, interrupts through task gates, and
//! IRET with NT set. 16-bit (286) and 32-bit (386) TSS formats, the busy bit, the back link and
//! NT, the LDT and CR3 of the new task, and CR0.TS.

use super::protected::Desc;
use super::{gp0, CS, DS, ES, SS};
use crate::bus::Bus;
use crate::flags::{NT, VM};
use crate::paging::CR0_PG;
use crate::regs::Segment;
use crate::{Cpu, Exception, Res};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Jmp,
    Call,
    Iret,
    Int,
}

fn ts(sel: u16) -> Exception {
    Exception::with_code(Exception::TS, (sel & 0xFFFC) as u32)
}

/// What a task switch read from the incoming TSS.
struct NewTask {
    eip: u32,
    eflags: u32,
    regs: [u32; 8],
    sels: [u16; 6],
    ldt: u16,
    cr3: Option<u32>,
}

impl Cpu {
    /// Set or clear the busy bit of the TSS descriptor `sel` in the GDT.
    fn set_tss_busy<B: Bus>(&mut self, bus: &mut B, sel: u16, busy: bool) -> Res<()> {
        let addr = self.gdtr.base.wrapping_add((sel & !7) as u32 + 5);
        let access = self.read_lin_as(bus, addr, 1, false)?;
        let v = if busy { access | 0x02 } else { access & !0x02 };
        self.write_lin_as(bus, addr, 1, v, false)
    }

    /// Switch to the task whose TSS descriptor `d` the selector `sel` names. Faults found before
    /// the outgoing state is saved are returned (the instruction restarts in the old task);
    /// faults while loading the new task's state are delivered here, in the context of the new
    /// task, as the SDM describes (vol. 3, 7.3). An exception that arrived through a task gate
    /// pushes its `error_code` onto the new task's stack.
    pub(crate) fn task_switch<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        d: Desc,
        addr: u32,
        reason: Reason,
        error_code: Option<u32>,
    ) -> Res<()> {
        let _ = addr;
        if sel & 4 != 0 || !d.is_system() {
            return Err(ts(sel));
        }
        let want_busy = reason == Reason::Iret;
        let ok_type = if want_busy {
            matches!(d.typ(), 0x3 | 0xB)
        } else {
            matches!(d.typ(), 0x1 | 0x9)
        };
        if !ok_type {
            return Err(if reason == Reason::Iret {
                ts(sel)
            } else {
                Exception::with_code(Exception::GP, (sel & 0xFFFC) as u32)
            });
        }
        if !d.present() {
            return Err(Exception::with_code(Exception::NP, (sel & 0xFFFC) as u32));
        }
        let new32 = d.typ() & 8 != 0;
        if d.limit() < if new32 { 0x67 } else { 0x2B } {
            return Err(ts(sel));
        }
        // Save the outgoing task.
        let old = self.tr;
        let old32 = old.flags & 0x08 != 0;
        let mut fl = self.eflags();
        if reason == Reason::Iret {
            fl &= !NT;
        }
        let b = old.base;
        if old32 {
            let w = |cpu: &mut Cpu, bus: &mut B, off: u32, v: u32, size: u32| {
                cpu.write_lin_as(bus, b.wrapping_add(off), size, v, false)
            };
            w(self, bus, 32, self.eip, 4)?;
            w(self, bus, 36, fl, 4)?;
            for r in 0..8u32 {
                w(self, bus, 40 + 4 * r, self.regs[r as usize], 4)?;
            }
            for s in 0..6u32 {
                w(
                    self,
                    bus,
                    72 + 4 * s,
                    self.segs[s as usize].selector as u32,
                    2,
                )?;
            }
        } else {
            let w = |cpu: &mut Cpu, bus: &mut B, off: u32, v: u32| {
                cpu.write_lin_as(bus, b.wrapping_add(off), 2, v, false)
            };
            w(self, bus, 14, self.eip)?;
            w(self, bus, 16, fl)?;
            for r in 0..8u32 {
                w(self, bus, 18 + 2 * r, self.regs[r as usize])?;
            }
            for (i, s) in [ES, CS, SS, DS].iter().enumerate() {
                w(
                    self,
                    bus,
                    34 + 2 * i as u32,
                    self.segs[*s as usize].selector as u32,
                )?;
            }
        }
        if matches!(reason, Reason::Jmp | Reason::Iret) {
            self.set_tss_busy(bus, old.selector, false)?;
        }
        let nb = d.base();
        if matches!(reason, Reason::Call | Reason::Int) {
            self.write_lin_as(bus, nb, 2, old.selector as u32, false)?;
        }
        if reason != Reason::Iret {
            self.set_tss_busy(bus, sel, true)?;
        }
        // Read the incoming task.
        let r = |cpu: &mut Cpu, bus: &mut B, off: u32, size: u32| {
            cpu.read_lin_as(bus, nb.wrapping_add(off), size, false)
        };
        let (eip, mut nfl, regs, sels, ldt, cr3);
        let mut t_bit = false;
        if new32 {
            cr3 = Some(r(self, bus, 28, 4)?);
            eip = r(self, bus, 32, 4)?;
            nfl = r(self, bus, 36, 4)?;
            let mut rr = [0u32; 8];
            for (i, v) in rr.iter_mut().enumerate() {
                *v = r(self, bus, 40 + 4 * i as u32, 4)?;
            }
            regs = rr;
            let mut ss = [0u16; 6];
            for (i, v) in ss.iter_mut().enumerate() {
                *v = r(self, bus, 72 + 4 * i as u32, 2)? as u16;
            }
            sels = ss;
            ldt = r(self, bus, 96, 2)? as u16;
            t_bit = r(self, bus, 100, 2)? & 1 != 0;
        } else {
            cr3 = None;
            eip = r(self, bus, 14, 2)?;
            nfl = r(self, bus, 16, 2)? | (self.eflags() & 0xFFFF_0000 & !VM);
            let mut rr = self.regs;
            for (i, v) in rr.iter_mut().enumerate() {
                *v = (*v & 0xFFFF_0000) | r(self, bus, 18 + 2 * i as u32, 2)?;
            }
            regs = rr;
            let mut ss = [0u16; 6];
            for (i, s) in [ES, CS, SS, DS].iter().enumerate() {
                ss[*s as usize] = r(self, bus, 34 + 2 * i as u32, 2)? as u16;
            }
            sels = ss;
            ldt = r(self, bus, 42, 2)? as u16;
        }
        if matches!(reason, Reason::Call | Reason::Int) {
            nfl |= NT;
        }
        // From here on the new task is current: errors are reported in its context.
        let state = NewTask {
            eip,
            eflags: nfl,
            regs,
            sels,
            ldt,
            cr3,
        };
        let loaded = self.load_task_state(bus, sel, d, reason, state);
        let loaded = loaded.and_then(|()| match error_code {
            Some(code) => {
                let size = if self.tr.flags & 0x08 != 0 { 4 } else { 2 };
                self.push(bus, size, code)
            }
            None => Ok(()),
        });
        // DR7 L0-L3 cleared; the T bit's #DB is due before the first instruction (see `debug`).
        self.debug_task_switched(t_bit && loaded.is_ok());
        if let Err(e) = loaded {
            self.counters.exceptions += 1;
            self.deliver_exception(bus, e);
        }
        Ok(())
    }

    /// The second half of a task switch: make the new task current and load its state.
    fn load_task_state<B: Bus>(
        &mut self,
        bus: &mut B,
        sel: u16,
        d: Desc,
        reason: Reason,
        state: NewTask,
    ) -> Res<()> {
        let NewTask {
            eip,
            eflags: nfl,
            regs,
            sels,
            ldt,
            cr3,
        } = state;
        let busy_desc = Desc {
            hi: if reason == Reason::Iret {
                d.hi
            } else {
                d.hi | 0x200
            },
            ..d
        };
        self.tr = self.segment_from(sel, &busy_desc);
        self.cr0 |= 0x8;
        if let Some(c) = cr3 {
            if self.cr0 & CR0_PG != 0 {
                self.cr3 = c;
                self.tlb.flush_nonglobal();
            }
        }
        self.eip = eip;
        self.regs = regs;
        self.set_eflags(nfl);
        // Selectors first (as the hardware does), then their descriptors.
        for (i, s) in sels.iter().enumerate() {
            self.segs[i] = Segment {
                selector: *s,
                ..Segment {
                    selector: 0,
                    base: 0,
                    limit: 0,
                    flags: crate::regs::SEG_NO_READ | crate::regs::SEG_NO_WRITE,
                }
            };
        }
        if ldt & 0xFFFC == 0 {
            self.ldtr = Segment {
                selector: ldt,
                base: 0,
                limit: 0,
                flags: 0,
            };
        } else {
            if ldt & 4 != 0 {
                return Err(ts(ldt));
            }
            let (ld, _) = self.fetch_descriptor(bus, ldt).map_err(|_| ts(ldt))?;
            if !ld.is_system() || ld.typ() != 0x2 || !ld.present() {
                return Err(ts(ldt));
            }
            self.ldtr = self.segment_from(ldt, &ld);
        }
        if nfl & VM != 0 {
            for (i, s) in sels.iter().enumerate() {
                self.load_seg_real(crate::SegReg::from_index(i as u8), *s);
            }
            self.set_cpl(3);
            return Ok(());
        }
        // CS decides the new CPL.
        let cs = sels[CS as usize];
        if cs & 0xFFFC == 0 {
            return Err(ts(cs));
        }
        let (cd, caddr) = self.fetch_descriptor(bus, cs).map_err(|_| ts(cs))?;
        let rpl = (cs & 3) as u8;
        if !cd.is_code()
            || (cd.conforming() && cd.dpl() > rpl)
            || (!cd.conforming() && cd.dpl() != rpl)
        {
            return Err(ts(cs));
        }
        if !cd.present() {
            return Err(Exception::with_code(Exception::NP, (cs & 0xFFFC) as u32));
        }
        let _ = caddr;
        self.segs[CS as usize] = self.segment_from(cs, &cd);
        self.set_cpl(rpl);
        for s in [SS, ES, DS, 4, 5] {
            let v = sels[s as usize];
            self.load_seg_protected(bus, s, v).map_err(|e| {
                if e.vector() == Exception::GP {
                    ts(v)
                } else {
                    e
                }
            })?;
        }
        if self.eip > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        Ok(())
    }
}
