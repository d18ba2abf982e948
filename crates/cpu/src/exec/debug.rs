//! The debug registers beyond instruction breakpoints and single-step: data breakpoints, I/O
//! breakpoints, general detect, the TSS T bit, and how DR6 reports them (Intel SDM vol. 3,
//! chapter 17, "Debug, branch profile, TSC...").
//!
//! - Data breakpoints (DR7 R/Wn = 01 writes, 11 reads or writes) match the linear address of
//!   every data access the CPU makes through `read_lin_as` / `write_lin_as` (the instruction's
//!   operands, the stack, and the CPU's own descriptor-table and TSS accesses), never an
//!   instruction fetch. A breakpoint covers LENn + 1 bytes at DRn with its low bits ignored
//!   (DRn & !(len - 1), SDM 17.2.5); an access hits when any of its bytes is in that range.
//!   LEN = 10 is undefined on the 386 to the P6 (8 bytes from later Pentium 4 models on); it is
//!   taken as 8 bytes here, as on those later processors.
//! - I/O breakpoints (R/Wn = 10) exist only with CR4.DE = 1 (Pentium and later); they match the
//!   ports of IN, OUT, INS and OUTS against the low 16 bits of DRn, aligned the same way. With
//!   CR4.DE = 0, R/W = 10 is undefined and is no breakpoint here.
//! - Both are traps: the instruction completes, then #DB is delivered with EIP at the next
//!   instruction. A REP string instruction traps after the iteration that hit; if its count is
//!   not exhausted EIP points at the REP instruction again, so it resumes where it stopped. A hit
//!   together with single-step (TF) or a task switch into a task with T = 1 gives one #DB with
//!   all the conditions in DR6. An instruction that faults reports no data breakpoint hits (it
//!   did not complete, and it is restarted).
//! - Only enabled breakpoints (Ln or Gn set) set their Bn bit. The SDM allows B0-B3 to be set
//!   for a matching breakpoint that is not enabled ("may"); this CPU never does that.
//! - DR6: the processor never clears BD, BS or BT (software must). A #DB that reports breakpoint
//!   conditions (an instruction breakpoint fault, or a data/I-O breakpoint trap) replaces B0-B3
//!   with the breakpoints it reports (the SDM: "certain debug exceptions may clear bits 0-3");
//!   a #DB for single-step, general detect or a task switch alone leaves B0-B3 as they were.
//! - General detect (DR7.GD): any MOV to or from a debug register raises #DB as a fault before
//!   it executes (EIP of the MOV), with DR6.BD set. Every #DB clears GD on entry so that the
//!   handler can use the debug registers.
//! - DR4/DR5 alias DR6/DR7 when CR4.DE = 0, and are #UD when CR4.DE = 1. The privilege #GP
//!   comes first, then that #UD, then general detect.
//! - The T bit (byte 100 bit 0 of a 32-bit TSS): after a task switch into such a task, #DB with
//!   DR6.BT is raised before its first instruction. Every task switch clears DR7 L0-L3.

use crate::bus::Bus;
use crate::{Cpu, Exception, Res};

/// DR6 bits.
pub(crate) const DR6_BD: u32 = 1 << 13;
pub(crate) const DR6_BS: u32 = 1 << 14;
pub(crate) const DR6_BT: u32 = 1 << 15;
/// DR7 general detect.
pub(crate) const DR7_GD: u32 = 1 << 13;
/// DR7 L0-L3, cleared by every task switch.
const DR7_LOCAL: u32 = 0x55;
/// CR4 debugging extensions.
pub(crate) const CR4_DE: u32 = 1 << 3;

impl Cpu {
    /// Breakpoint `i`'s enable bits (Ln or Gn), R/W field and length in bytes.
    fn breakpoint(&self, i: usize) -> (bool, u32, u32) {
        let dr7 = self.dr[7];
        let enabled = dr7 & (3 << (2 * i)) != 0;
        let rw = (dr7 >> (16 + 4 * i)) & 3;
        let len = match (dr7 >> (18 + 4 * i)) & 3 {
            0 => 1,
            1 => 2,
            2 => 8,
            _ => 4,
        };
        (enabled, rw, len)
    }

    /// Recompute which kinds of breakpoint the memory and I/O paths must check; call whenever
    /// DR0-DR3, DR7 or CR4 change.
    pub(crate) fn sync_breakpoints(&mut self) {
        let mut data = false;
        let mut io = false;
        for i in 0..4 {
            let (enabled, rw, _) = self.breakpoint(i);
            if enabled {
                data |= rw & 1 != 0;
                io |= rw == 2 && self.cr4 & CR4_DE != 0;
            }
        }
        self.data_breakpoints_armed = data;
        self.direct_page_end = if data { 0 } else { 0x1000 };
        self.io_breakpoints_armed = io;
        self.sync_direct_view();
    }

    /// A data access of `size` bytes at linear `lin`: remember the enabled data breakpoints it
    /// hits (reported as a trap once the instruction completes).
    pub(crate) fn note_data_access(&mut self, lin: u32, size: u32, write: bool) {
        for i in 0..4 {
            let (enabled, rw, len) = self.breakpoint(i);
            if enabled && (rw == 3 || (rw == 1 && write)) {
                let start = self.dr[i] & !(len - 1);
                if overlaps(lin, size, start, len) {
                    self.db_hits |= 1 << i;
                }
            }
        }
    }

    /// An I/O access of `size` bytes at `port`: remember the I/O breakpoints it hits.
    pub(crate) fn note_io_access(&mut self, port: u16, size: u32) {
        if self.cr4 & CR4_DE == 0 {
            return;
        }
        for i in 0..4 {
            let (enabled, rw, len) = self.breakpoint(i);
            if enabled && rw == 2 {
                let start = (self.dr[i] & 0xFFFF) & !(len - 1);
                if overlaps(port as u32, size, start, len) {
                    self.db_hits |= 1 << i;
                }
            }
        }
    }

    /// Record the conditions of a #DB in DR6 (see the module comment) and clear DR7.GD, as the
    /// processor does on entering the debug exception handler.
    pub(crate) fn enter_debug_exception(&mut self, breakpoints: u32, other: u32) {
        let mut dr6 = self.dr[6];
        if breakpoints != 0 {
            dr6 = (dr6 & !0xF) | breakpoints;
        }
        self.dr[6] = dr6 | other;
        self.dr[7] &= !DR7_GD;
    }

    /// Deliver the #DB trap for what the instruction that just completed (or the task switch
    /// that just happened) left: data/I-O breakpoint hits, single-step, the T bit.
    pub(crate) fn debug_trap<B: Bus>(&mut self, bus: &mut B, single_step: bool) {
        let hits = self.db_hits;
        let mut other = 0;
        if single_step {
            other |= DR6_BS;
        }
        if self.db_task_trap {
            other |= DR6_BT;
        }
        self.db_hits = 0;
        self.db_task_trap = false;
        self.enter_debug_exception(hits, other);
        self.deliver_exception(bus, Exception::fault(Exception::DB));
        // Accesses made while delivering it are not the next instruction's.
        self.db_hits = 0;
    }

    /// Index of the debug register a MOV DRn names, after the checks that come before it runs:
    /// #UD for DR4/DR5 with CR4.DE = 1 (they alias DR6/DR7 otherwise), then the general-detect
    /// fault.
    pub(crate) fn debug_register_access(&mut self, n: u8) -> Res<usize> {
        let i = match n {
            4 | 5 if self.cr4 & CR4_DE != 0 => return Err(super::ud()),
            4 => 6,
            5 => 7,
            i => i as usize,
        };
        if self.dr[7] & DR7_GD != 0 {
            self.enter_debug_exception(0, DR6_BD);
            return Err(Exception::fault(Exception::DB));
        }
        Ok(i)
    }

    /// MOV DRn, r32 (after [`debug_register_access`](Self::debug_register_access)).
    pub(crate) fn write_debug_register(&mut self, i: usize, v: u32) {
        self.dr[i] = match i {
            6 => (v & 0x0000_E00F) | 0xFFFF_0FF0,
            7 => (v & 0xFFFF_2BFF) | 0x400,
            _ => v,
        };
        self.sync_breakpoints();
    }

    /// A task switch has loaded the new task: L0-L3 are cleared, and if the new TSS has its T
    /// bit set a #DB trap is due before the task's first instruction.
    pub(crate) fn debug_task_switched(&mut self, t_bit: bool) {
        if self.dr[7] & DR7_LOCAL != 0 {
            self.dr[7] &= !DR7_LOCAL;
            self.sync_breakpoints();
        }
        if t_bit {
            self.db_task_trap = true;
        }
    }

    /// The trap of a task switch made outside an instruction's end (an interrupt or exception
    /// through a task gate), delivered before anything else at the next step.
    pub(crate) fn pending_task_trap<B: Bus>(&mut self, bus: &mut B) {
        self.insn_start = self.eip;
        self.insn_esp = self.regs[super::ESP as usize];
        self.debug_trap(bus, false);
    }
}

/// Whether `[a, a + n)` and `[b, b + m)` share a byte (addresses wrap around).
fn overlaps(a: u32, n: u32, b: u32, m: u32) -> bool {
    a.wrapping_sub(b) < m || b.wrapping_sub(a) < n
}
