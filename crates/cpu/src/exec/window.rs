//! Segment windows: the segments as the block loop's memory handlers check them.
//!
//! A data access passes the segment check in its common case when the segment allows it
//! (readable or writable, expand-up) and it ends inside the limit. A window holds that as one
//! number per kind of access, the end of the offsets it may reach (limit + 1, or 0 when the
//! segment does not allow it), so the check is one compare. With the direct path's TLB this
//! lets a load or store in a block run without a call and without an error to test: anything
//! the window or the direct path does not hold goes the full way, which checks everything and
//! raises the fault.
//!
//! The windows are made from `Cpu::segs` when a run of blocks starts (`Cpu::run_block`) and
//! after each instruction in a block that loads a segment register (the block loop's
//! `Handler::SegLoad`). Nothing else inside a block changes a segment register: far transfers,
//! interrupts and task switches end the block and the run. Only the block loop's handlers
//! (`fast.rs`) use them; everything else checks `segs` itself.

use super::{ESP, SS};
use crate::bus::Bus;
use crate::regs::{Segment, SEG_BIG, SEG_EXPAND_DOWN, SEG_NO_READ, SEG_NO_WRITE};
use crate::Cpu;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// The end of the offsets a read may reach (limit + 1), or 0 when the fast check does not
    /// apply (not readable, or expand-down).
    read_end: u64,
    /// The same for a write.
    write_end: u64,
    base: u32,
    /// The stack pointer's width when this is SS: 0xFFFF, or all ones for a 32-bit stack.
    sp_mask: u32,
}

impl Window {
    /// A window nothing passes (the two unused slots, and before the first run).
    pub(crate) const CLOSED: Window = Window {
        read_end: 0,
        write_end: 0,
        base: 0,
        sp_mask: 0xFFFF,
    };

    fn of(s: &Segment) -> Window {
        let end = |denied: u16| {
            if s.flags & (denied | SEG_EXPAND_DOWN) == 0 {
                s.limit as u64 + 1
            } else {
                0
            }
        };
        Window {
            read_end: end(SEG_NO_READ),
            write_end: end(SEG_NO_WRITE),
            base: s.base,
            sp_mask: if s.flags & SEG_BIG != 0 {
                u32::MAX
            } else {
                0xFFFF
            },
        }
    }
}

impl Cpu {
    /// Make the windows from the segment registers.
    pub(crate) fn open_windows(&mut self) {
        for (w, s) in self.windows.iter_mut().zip(self.segs.iter()) {
            *w = Window::of(s);
        }
    }

    /// Whether the windows say what the segment registers say (for debug assertions).
    pub(crate) fn windows_current(&self) -> bool {
        self.windows
            .iter()
            .zip(self.segs.iter())
            .all(|(w, s)| *w == Window::of(s))
    }

    #[inline(always)]
    fn window(&self, seg: u8) -> &Window {
        &self.windows[(seg & 7) as usize]
    }

    /// A read of `SIZE` bytes at `seg:off` by the window and the direct path; None when
    /// either does not hold it (then the full path must do the access).
    #[inline(always)]
    pub(crate) fn quick_read<const SIZE: u32, B: Bus>(
        &self,
        bus: &mut B,
        seg: u8,
        off: u32,
    ) -> Option<u32> {
        let w = self.window(seg);
        if off as u64 + SIZE as u64 > w.read_end {
            return None;
        }
        self.direct_read(bus, w.base.wrapping_add(off), SIZE)
    }

    /// A write of `SIZE` bytes at `seg:off` by the window and the direct path; false, with
    /// nothing written, when either does not hold it.
    #[inline(always)]
    pub(crate) fn quick_write<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        v: u32,
    ) -> bool {
        self.quick_place::<SIZE>(seg, off)
            .is_some_and(|at| crate::paging::ram_put(bus.ram(), at, SIZE, v))
    }

    /// Where in the bus's RAM a write (and so a read) of `SIZE` bytes at `seg:off` lies, when
    /// the window and the direct path hold it for writing.
    #[inline(always)]
    pub(crate) fn quick_place<const SIZE: u32>(&self, seg: u8, off: u32) -> Option<usize> {
        let w = self.window(seg);
        if off as u64 + SIZE as u64 > w.write_end {
            return None;
        }
        self.direct_writable(w.base.wrapping_add(off), SIZE)
    }

    /// PUSH of `SIZE` bytes by the quick path: false, with nothing changed, when it does not
    /// hold the stack slot. (Each stack width has its own branch: a masked eSP update made
    /// the benchmark slower, on the chain of stack accesses.)
    #[inline(always)]
    pub(crate) fn quick_push<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, v: u32) -> bool {
        let esp = self.regs[ESP as usize];
        if self.window(SS).sp_mask == u32::MAX {
            let sp = esp.wrapping_sub(SIZE);
            if !self.quick_write::<SIZE, B>(bus, SS, sp, v) {
                return false;
            }
            self.regs[ESP as usize] = sp;
        } else {
            let sp = esp.wrapping_sub(SIZE) & 0xFFFF;
            if !self.quick_write::<SIZE, B>(bus, SS, sp, v) {
                return false;
            }
            self.regs[ESP as usize] = (esp & 0xFFFF_0000) | sp;
        }
        true
    }

    /// POP of `SIZE` bytes by the quick path: the value, with eSP moved, or None with nothing
    /// changed.
    #[inline(always)]
    pub(crate) fn quick_pop<const SIZE: u32, B: Bus>(&mut self, bus: &mut B) -> Option<u32> {
        let esp = self.regs[ESP as usize];
        if self.window(SS).sp_mask == u32::MAX {
            let v = self.quick_read::<SIZE, B>(bus, SS, esp)?;
            self.regs[ESP as usize] = esp.wrapping_add(SIZE);
            Some(v)
        } else {
            let v = self.quick_read::<SIZE, B>(bus, SS, esp & 0xFFFF)?;
            self.regs[ESP as usize] = (esp & 0xFFFF_0000) | (esp.wrapping_add(SIZE) & 0xFFFF);
            Some(v)
        }
    }
}
