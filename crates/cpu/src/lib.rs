//! The aula86 CPU: an x86 interpreter that knows nothing of a PC.
//!
//! It reaches memory and I/O ports through the [`Bus`] trait. Instructions are decoded once into
//! [`decode::Insn`] values (kept in a cache keyed by physical address, see [`cache`]) and executed
//! by the `exec` modules, one file per instruction group. Which opcodes exist, what they are called
//! and how a teacher should classify them comes from one table, [`table`].

pub mod bus;
pub mod cache;
pub mod decode;
pub mod disasm;
mod exec;
pub mod flags;
pub mod fpu;
pub mod model;
pub mod msr;
pub mod paging;
pub mod regs;
pub mod table;
pub mod teach;

pub use bus::Bus;
pub use model::Model;
pub use regs::{Reg, SegReg, Segment};

use cache::CodeCache;
use flags::Flags;

/// An exception raised while executing an instruction: the vector and, for the exceptions that
/// have one in protected mode, the error code (16 bits: a selector, an IDT entry or the page
/// fault bits).
///
/// Packed in one non-zero word, so that `Res<()>` is a single register: every instruction
/// handler returns one, and a wider result goes through memory (always so in wasm).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Exception(std::num::NonZeroU32);

impl std::fmt::Debug for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exception")
            .field("vector", &self.vector())
            .field("error_code", &self.error_code())
            .finish()
    }
}

impl Exception {
    pub const DE: u8 = 0;
    pub const DB: u8 = 1;
    pub const BP: u8 = 3;
    pub const OF: u8 = 4;
    pub const BR: u8 = 5;
    pub const UD: u8 = 6;
    pub const NM: u8 = 7;
    pub const DF: u8 = 8;
    pub const TS: u8 = 10;
    pub const NP: u8 = 11;
    pub const SS: u8 = 12;
    pub const GP: u8 = 13;
    pub const PF: u8 = 14;

    // Bits 0-15: error code; 16-23: vector; 24: has an error code; 25: always set.
    const HAS_CODE: u32 = 1 << 24;
    const MARK: u32 = 1 << 25;

    fn pack(word: u32) -> Self {
        // MARK keeps the word non-zero.
        Exception(std::num::NonZeroU32::new(word | Self::MARK).unwrap_or(std::num::NonZeroU32::MIN))
    }
    /// Not an exception: what a block's store returns when its full path moved the code cache's
    /// epoch (it rewrote decoded code, or asked the run loop to stop), with the instruction done.
    /// The block loop then stops the block after it (`exec::dispatch`). No real exception has
    /// bits 26-31 set.
    pub(crate) const CODE_WRITTEN: Exception = Exception(std::num::NonZeroU32::MAX);

    pub fn fault(vector: u8) -> Self {
        Self::pack((vector as u32) << 16)
    }
    pub fn with_code(vector: u8, code: u32) -> Self {
        debug_assert!(code <= 0xFFFF, "error code {code:#x} wider than 16 bits");
        Self::pack((vector as u32) << 16 | Self::HAS_CODE | (code & 0xFFFF))
    }
    /// The same exception with `bits` ORed into its error code (if it has one).
    pub fn or_code(self, bits: u32) -> Self {
        match self.error_code() {
            Some(c) => Self::with_code(self.vector(), c | bits),
            None => self,
        }
    }
    #[inline]
    pub fn vector(self) -> u8 {
        (self.0.get() >> 16) as u8
    }
    #[inline]
    pub fn error_code(self) -> Option<u32> {
        let w = self.0.get();
        (w & Self::HAS_CODE != 0).then_some(w & 0xFFFF)
    }
}

/// Result of anything that can raise a guest exception.
pub type Res<T> = Result<T, Exception>;

/// What one call of [`Cpu::run`] ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunExit {
    /// The instruction budget was used up.
    Budget,
    /// The CPU executed HLT and waits for an interrupt.
    Halted,
    /// An exception could not be delivered (triple fault); the CPU is stopped until reset.
    Shutdown,
    /// The bus asked the CPU to stop after an OUT instruction ([`Bus::take_stop_request`]).
    Stopped,
}

/// Emulated time a PAUSE (F3 90, the spin-wait hint) takes, in instruction slots. Every other
/// instruction takes one slot; processors since the Pentium 4 take tens to about 140 cycles
/// for PAUSE. A guest's spin-wait (Linux's `udelay` reads the TSC around one in each turn of
/// its loop) then runs a hundredth as many instructions for the same wait. The slots come out
/// of the run's budget, which the machine gives in slots up to its next device deadline, and
/// the TSC and the bus's clock ([`Bus::idle_slots`]) count them alike.
pub const PAUSE_SLOTS: u64 = 100;

/// Counters that a caller (the CLI, the page, the teaching view) reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Instructions retired (a REP string instruction counts once per iteration).
    pub instructions: u64,
    /// Exceptions raised by instructions (not external interrupts).
    pub exceptions: u64,
    /// Invalid-opcode exceptions raised, including opcodes this CPU model does not have.
    pub invalid_opcodes: u64,
    /// External (hardware) interrupts delivered.
    pub interrupts: u64,
    /// Instructions executed without decoding them (from the cache), and instructions decoded
    /// (a block decodes several at once, some of which may never run).
    pub cache_hits: u64,
    pub cache_misses: u64,
}

/// Descriptor-table register (GDTR, IDTR).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableReg {
    pub base: u32,
    pub limit: u32,
}

/// The CPU state.
pub struct Cpu {
    pub model: Model,
    /// EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI in encoding order.
    pub regs: [u32; 8],
    pub eip: u32,
    pub flags: Flags,
    /// ES, CS, SS, DS, FS, GS in encoding order, each with its descriptor cache.
    pub segs: [Segment; 6],
    pub cr0: u32,
    pub cr2: u32,
    pub cr3: u32,
    pub cr4: u32,
    pub gdtr: TableReg,
    pub idtr: TableReg,
    pub ldtr: Segment,
    pub tr: Segment,
    pub halted: bool,
    pub shutdown: bool,
    pub counters: Counters,
    /// Debug registers DR0-DR7 (DR4/DR5 alias DR6/DR7).
    pub dr: [u32; 8],
    /// Model-specific registers the guest wrote (SYSENTER, TSC offset...).
    pub msr: msr::Msrs,
    /// Current privilege level (kept explicitly: it is CS's DPL, not always its RPL).
    pub(crate) cpl: u8,
    /// EIP and ESP of the instruction being executed (what a fault restores).
    pub(crate) insn_start: u32,
    pub(crate) insn_esp: u32,
    /// The software TLB.
    pub(crate) tlb: paging::Tlb,
    /// Vector of the exception being delivered (for double-fault classification).
    pub(crate) delivering: Option<u8>,
    /// The teaching view's counters, when someone is looking.
    pub teach: Option<Box<teach::Teaching>>,
    /// Debugging aid: log the registers before each instruction whose linear EIP is in this
    /// range, into `trace_log` (bounded), for differential runs against a reference emulator.
    pub trace_range: Option<(u32, u32)>,
    pub trace_log: Vec<String>,
    /// Interrupts are held off for one instruction after MOV SS / POP SS / STI.
    pub(crate) inhibit_irq: bool,
    /// Set when the bus asked to stop after the current instruction.
    pub(crate) stop_requested: bool,
    /// Set with `stop_requested` by PAUSE: the run loop lets [`PAUSE_SLOTS`] go by.
    pub(crate) paused: bool,
    pub(crate) cache: CodeCache,
    /// The x87 FPU (present on the 486 and later; see [`fpu::Fpu::present`]).
    pub fpu: fpu::Fpu,
    /// Whether an enabled data breakpoint (DR7 R/W = 01 or 11) / I/O breakpoint (R/W = 10 with
    /// CR4.DE) exists, so that memory / port accesses must be checked (kept in sync with DR7,
    /// DR0-DR3 and CR4 by `exec::debug`).
    pub(crate) data_breakpoints_armed: bool,
    /// How far into a page a data access may end and still take the direct path: 0x1000, or
    /// 0 while data breakpoints are armed, so that one compare checks both.
    pub(crate) direct_page_end: u32,
    pub(crate) io_breakpoints_armed: bool,
    /// The segments as the block loop's memory handlers check them (`exec::window`): made
    /// from `segs` when a run of blocks starts and after each segment load inside one.
    pub(crate) windows: [exec::window::Window; 8],
    /// DR6 B0-B3 of the data and I/O breakpoints the current instruction hit (a trap at its end).
    pub(crate) db_hits: u32,
    /// A task switch into a TSS with the T bit set: #DB with DR6.BT before the next instruction.
    pub(crate) db_task_trap: bool,
}

impl Cpu {
    /// A CPU of the given model in its reset state (CS:IP = F000:FFF0, real mode).
    pub fn new(model: Model) -> Cpu {
        let mut cpu = Cpu {
            model,
            regs: [0; 8],
            eip: 0,
            flags: Flags::new(),
            segs: [Segment::real(0); 6],
            cr0: 0,
            cr2: 0,
            cr3: 0,
            cr4: 0,
            gdtr: TableReg::default(),
            idtr: TableReg::default(),
            ldtr: Segment::real(0),
            tr: Segment::real(0),
            halted: false,
            shutdown: false,
            counters: Counters::default(),
            dr: [0, 0, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400],
            msr: msr::Msrs::default(),
            cpl: 0,
            insn_start: 0,
            insn_esp: 0,
            tlb: paging::Tlb::new(),
            delivering: None,
            teach: None,
            trace_range: None,
            trace_log: Vec::new(),
            inhibit_irq: false,
            stop_requested: false,
            paused: false,
            cache: CodeCache::new(),
            fpu: fpu::Fpu::new(model >= Model::I486),
            data_breakpoints_armed: false,
            direct_page_end: 0x1000,
            io_breakpoints_armed: false,
            windows: [exec::window::Window::CLOSED; 8],
            db_hits: 0,
            db_task_trap: false,
        };
        cpu.reset();
        cpu
    }

    /// Processor reset: the state Intel documents after RESET.
    pub fn reset(&mut self) {
        self.regs = [0; 8];
        if self.model >= Model::I386 {
            // EDX holds the component id after reset (family in bits 8-11).
            self.regs[Reg::Edx as usize] = self.model.reset_edx();
        }
        self.flags = Flags::new();
        for s in self.segs.iter_mut() {
            *s = Segment::real(0);
        }
        self.segs[SegReg::Cs as usize] = Segment::real(0xF000);
        if self.model >= Model::I286 {
            // The first fetch after reset comes from the top of the address space.
            self.segs[SegReg::Cs as usize].base = if self.model >= Model::I386 {
                0xFFFF_0000
            } else {
                0xFF_0000
            };
        }
        self.eip = 0xFFF0;
        self.cr0 = if self.model >= Model::I386 {
            0x6000_0010 & self.model.cr0_reset_mask()
        } else {
            0
        };
        self.cr2 = 0;
        self.cr3 = 0;
        self.cr4 = 0;
        self.gdtr = TableReg {
            base: 0,
            limit: 0xFFFF,
        };
        self.idtr = TableReg {
            base: 0,
            limit: 0x3FF,
        };
        self.ldtr = Segment::real(0);
        self.tr = Segment::real(0);
        self.halted = false;
        self.shutdown = false;
        self.inhibit_irq = false;
        self.set_cpl(0);
        self.dr = [0, 0, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400];
        self.sync_breakpoints();
        self.db_hits = 0;
        self.db_task_trap = false;
        self.msr = msr::Msrs::default();
        self.delivering = None;
        self.tlb.flush_all();
        self.cache.flush();
        self.fpu = fpu::Fpu::new(self.fpu.present);
    }

    /// Forget every decoded instruction; call after writing guest memory behind the CPU's back
    /// with no address (a whole-image load). Writes through [`Cpu::notify_write`] are cheaper.
    pub fn flush_code_cache(&mut self) {
        self.cache.flush();
    }

    /// Tell the CPU that physical memory at `addr..addr+len` was written by someone else
    /// (DMA, the host), so decoded instructions there are dropped.
    pub fn notify_write(&mut self, addr: u32, len: u32) {
        self.cache.invalidate_range(addr, len);
    }

    pub fn reg16(&self, r: Reg) -> u16 {
        self.regs[r as usize] as u16
    }
    pub fn set_reg16(&mut self, r: Reg, v: u16) {
        let x = &mut self.regs[r as usize];
        *x = (*x & 0xFFFF_0000) | v as u32;
    }
    pub fn reg32(&self, r: Reg) -> u32 {
        self.regs[r as usize]
    }
    pub fn set_reg32(&mut self, r: Reg, v: u32) {
        self.regs[r as usize] = v;
    }

    /// Load a segment register the way real mode does (base = selector × 16).
    pub fn load_seg_real(&mut self, s: SegReg, selector: u16) {
        let v86 = self.v86_mode();
        let seg = &mut self.segs[s as usize];
        if v86 {
            // Virtual-8086 mode: a 64 KiB writable segment at privilege 3.
            *seg = Segment::real(selector);
            seg.flags |= 3 << 5;
            return;
        }
        seg.selector = selector;
        seg.base = (selector as u32) << 4;
        // Real mode keeps the cached limit (the "unreal" trick) but not protected-mode access
        // restrictions.
        seg.flags &= !(regs::SEG_NO_READ | regs::SEG_NO_WRITE);
        if s == SegReg::Cs {
            // Real mode code is 16-bit, privilege 0.
            seg.flags &= !regs::SEG_BIG;
            if !self.protected_mode() {
                self.set_cpl(0);
            }
        }
    }

    pub fn seg_selector(&self, s: SegReg) -> u16 {
        self.segs[s as usize].selector
    }

    /// The FLAGS/EFLAGS value as the guest sees it.
    pub fn eflags(&self) -> u32 {
        self.flags.get()
    }

    /// Set FLAGS/EFLAGS, keeping the bits this model fixes (bit 1 always set, 286 real mode
    /// clears bits 12-15, and so on).
    pub fn set_eflags(&mut self, v: u32) {
        let v = self.model.sanitize_flags(v, self.protected_mode());
        self.flags.set(v);
    }

    pub fn protected_mode(&self) -> bool {
        self.cr0 & 1 != 0
    }

    pub fn v86_mode(&self) -> bool {
        self.flags.control() & flags::VM != 0
    }

    /// Change the CPL (and with it the direct path's view of memory).
    pub(crate) fn set_cpl(&mut self, cpl: u8) {
        self.cpl = cpl;
        self.sync_direct_view();
    }

    /// Current privilege level.
    pub fn cpl(&self) -> u8 {
        if self.v86_mode() {
            3
        } else {
            self.cpl
        }
    }

    /// A short name of the operating mode, for status lines.
    pub fn mode_name(&self) -> &'static str {
        if !self.protected_mode() {
            "real"
        } else if self.v86_mode() {
            "v86"
        } else if self.cr0 & 0x8000_0000 != 0 {
            "protected+paging"
        } else {
            "protected"
        }
    }

    /// Linear address of CS:EIP.
    pub fn pc_linear(&self) -> u32 {
        self.segs[SegReg::Cs as usize].base.wrapping_add(self.eip)
    }

    /// Ask the run loop to stop after this instruction. The cache's epoch moves too, which is
    /// what a block checks after each instruction.
    pub(crate) fn request_stop(&mut self) {
        self.stop_requested = true;
        self.cache.epoch = self.cache.epoch.wrapping_add(1);
    }

    /// PAUSE (F3 90): the run loop lets [`PAUSE_SLOTS`] go by after it.
    pub(crate) fn pause(&mut self) {
        self.paused = true;
        self.request_stop();
    }

    /// A stop request reached the run loop, with `left` of its budget: the budget left after a
    /// PAUSE's slots (which the TSC and the bus's clock count), or None to stop.
    fn on_stop_request<B: Bus>(&mut self, bus: &mut B, left: u64) -> Option<u64> {
        self.stop_requested = false;
        if !std::mem::take(&mut self.paused) {
            return None;
        }
        let slots = PAUSE_SLOTS.min(left);
        self.idle_slots(bus, slots);
        Some(left - slots)
    }

    /// Let `slots` instruction slots of emulated time pass with no instruction run (PAUSE, a
    /// halt): the TSC counts them, as a real one keeps counting, and so does the bus's clock.
    pub fn idle_slots<B: Bus>(&mut self, bus: &mut B, slots: u64) {
        self.msr.tsc_offset = self.msr.tsc_offset.wrapping_add(slots);
        bus.idle_slots(self.counters.instructions, slots);
    }

    /// Run up to `budget` instructions. Stops early on HLT or shutdown.
    pub fn run<B: Bus>(&mut self, bus: &mut B, budget: u64) -> RunExit {
        self.sync_ram_map(bus);
        let mut left = budget;
        while left > 0 {
            if !self.needs_attention(bus) {
                // The common case: nothing to deliver, trace, trap or watch.
                // (More than `left` when a REP string instruction ran past it: each element
                // counts as an instruction.)
                left = left.saturating_sub(self.run_block(bus, left));
                if self.stop_requested {
                    match self.on_stop_request(bus, left) {
                        Some(rest) => left = rest,
                        None => return RunExit::Stopped,
                    }
                }
                continue;
            }
            if self.shutdown {
                return RunExit::Shutdown;
            }
            if self.halted {
                if self.flags.control() & flags::IF != 0 && bus.interrupt_pending() {
                    self.halted = false;
                } else {
                    return RunExit::Halted;
                }
            }
            self.step(bus);
            left -= 1;
            if self.stop_requested {
                match self.on_stop_request(bus, left) {
                    Some(rest) => left = rest,
                    None => return RunExit::Stopped,
                }
            }
        }
        if self.shutdown {
            RunExit::Shutdown
        } else if self.halted {
            RunExit::Halted
        } else {
            RunExit::Budget
        }
    }

    /// Whether the next step needs [`step`](Self::step)'s full treatment: a halted or shut-down
    /// CPU, an interrupt to deliver (or one inhibited for an instruction), single-stepping,
    /// RF, breakpoints (any DR7 enable bit), a task-switch debug trap (TSS T bit), tracing or
    /// the teaching view. One test on the fast path.
    #[inline]
    fn needs_attention<B: Bus>(&mut self, bus: &mut B) -> bool {
        let f = self.flags.control();
        (self.shutdown | self.halted | self.inhibit_irq | self.db_task_trap)
            || f & (flags::TF | flags::RF) != 0
            || self.dr[7] & 0xFF != 0
            || self.teach.is_some()
            || self.trace_range.is_some()
            || (f & flags::IF != 0 && bus.interrupt_pending())
    }

    /// [`step`](Self::step) when [`needs_attention`](Self::needs_attention) is false: fetch,
    /// execute, count, and deliver a fault if there was one.
    #[inline]
    pub(crate) fn step_plain<B: Bus>(&mut self, bus: &mut B) {
        self.insn_start = self.eip;
        self.insn_esp = self.regs[Reg::Esp as usize];
        let result = match self.fetch_decoded(bus) {
            Ok(slot) => {
                let insn = *self.cache.insn(slot);
                self.execute(bus, &insn)
            }
            Err(e) => Err(e),
        };
        self.counters.instructions += 1;
        if let Err(e) = result {
            self.raise(bus, e);
        }
    }

    /// Execute one instruction (or one iteration of a REP string instruction), then deliver a
    /// pending external interrupt if interrupts are enabled.
    pub fn step<B: Bus>(&mut self, bus: &mut B) {
        if self.shutdown {
            return;
        }
        self.sync_ram_map(bus);
        if self.db_task_trap {
            // A task switch into a TSS with T = 1 that was not an instruction's (an interrupt
            // or exception through a task gate): its #DB comes before anything else.
            self.pending_task_trap(bus);
            return;
        }
        let inhibit = self.inhibit_irq;
        self.inhibit_irq = false;
        if !inhibit && self.flags.control() & flags::IF != 0 && bus.interrupt_pending() {
            let vector = bus.acknowledge_interrupt();
            self.counters.interrupts += 1;
            self.halted = false;
            self.insn_start = self.eip;
            self.insn_esp = self.regs[Reg::Esp as usize];
            let before = self.teach.is_some().then(|| self.teach_state());
            if let Err(e) =
                self.deliver_interrupt(bus, vector, exec::protected::Source::Hardware, None)
            {
                self.raise(bus, e);
            }
            if let Some(b) = before {
                self.teach_event(b, teach::EventKind::Interrupt { vector });
                self.teach_transitions(b);
            }
            self.db_hits = 0;
            return;
        }
        if self.halted {
            return;
        }
        self.insn_start = self.eip;
        self.insn_esp = self.regs[Reg::Esp as usize];
        let f = self.flags.control();
        self.db_hits = 0;
        if self.dr[7] & 0xFF != 0 {
            // DR7 may have been written from outside (a debugger): arm the data/I-O checks.
            self.sync_breakpoints();
        }
        if self.dr[7] & 0xFF != 0 && f & flags::RF == 0 {
            if let Some(hits) = self.code_breakpoints() {
                self.enter_debug_exception(hits, 0);
                self.counters.instructions += 1;
                self.raise(bus, Exception::fault(Exception::DB));
                return;
            }
        }
        let single_step = f & flags::TF != 0;
        if let Some((lo, hi)) = self.trace_range {
            let lin = self.pc_linear();
            if lin >= lo && lin < hi && self.trace_log.len() < 4_000_000 {
                let r = &self.regs;
                self.trace_log.push(format!(
                    "EIP={:08x} EAX={:08x} EBX={:08x} ECX={:08x} EDX={:08x} ESI={:08x} EDI={:08x} EBP={:08x} ESP={:08x} EFL={:08x}",
                    self.eip, r[0], r[3], r[1], r[2], r[6], r[7], r[5], r[4], self.flags.get()
                ));
            }
        }
        let before = self.teach.is_some().then(|| self.teach_state());
        let result = match self.fetch_decoded(bus) {
            Ok(slot) => {
                let insn = *self.cache.insn(slot);
                if let Some(b) = before {
                    self.teach_retire(bus, &insn, b);
                }
                let fallthrough = self.eip.wrapping_add(insn.len as u32);
                let r = self.execute(bus, &insn);
                let is_int = matches!(insn.op, 0xCC..=0xCE);
                if let (Some(b), true, true) = (before, is_int, r.is_ok()) {
                    // Recorded once delivered, so the event shows the handler's privilege level
                    // (INTO that did not fire is no event).
                    if insn.op != 0xCE || self.eip != fallthrough {
                        let vector = match insn.op {
                            0xCC => 3,
                            0xCE => 4,
                            _ => insn.imm as u8,
                        };
                        self.teach_event(b, teach::EventKind::SoftwareInterrupt { vector });
                    }
                }
                // INT n clears TF for its handler and takes no single-step trap itself.
                (r, is_int)
            }
            Err(e) => (Err(e), false),
        };
        self.counters.instructions += 1;
        if let Some(b) = before {
            self.teach_transitions(b);
        }
        match result {
            (Err(e), _) => {
                self.raise(bus, e);
                // A faulting instruction did not complete: no data breakpoint trap for it.
                self.db_hits = 0;
            }
            (Ok(()), is_int) => {
                if f & flags::RF != 0 {
                    self.flags.set_bits(flags::RF, false);
                }
                // Single-step, data/I-O breakpoints and the T bit of a task switched to: one
                // #DB trap with all of them in DR6 (see `exec::debug`).
                let step = single_step && !is_int;
                if step || self.db_hits != 0 || self.db_task_trap {
                    self.debug_trap(bus, step);
                }
            }
        }
    }

    /// Enabled instruction breakpoints (DR7 R/W = 00) matching the current EIP, as DR6 bits.
    fn code_breakpoints(&self) -> Option<u32> {
        let lin = self.pc_linear();
        let dr7 = self.dr[7];
        let mut hits = 0;
        for i in 0..4 {
            let enabled = dr7 & (3 << (2 * i)) != 0;
            let rw = (dr7 >> (16 + 4 * i)) & 3;
            if enabled && rw == 0 && self.dr[i] == lin {
                hits |= 1 << i;
            }
        }
        (hits != 0).then_some(hits)
    }

    /// Deliver an exception raised by the current instruction. Faults restart the instruction,
    /// so they push its first byte's address (and, from the 386 on and in protected mode, the
    /// stack pointer it started with).
    pub(crate) fn raise<B: Bus>(&mut self, bus: &mut B, e: Exception) {
        // Only the block loop's handlers return it, and the block loop takes it.
        debug_assert!(
            e != Exception::CODE_WRITTEN,
            "CODE_WRITTEN raised as a fault"
        );
        self.counters.exceptions += 1;
        if e.vector() == Exception::UD {
            self.counters.invalid_opcodes += 1;
        }
        self.eip = self.insn_start;
        if self.model >= Model::I386 || self.protected_mode() {
            self.regs[Reg::Esp as usize] = self.insn_esp;
        }
        // A fault pushes RF=1 so that the restarted instruction does not hit an instruction
        // breakpoint again; the #DB of an instruction breakpoint pushes RF as it is, and the
        // handler sets it in the image if it wants to go on (SDM vol. 3, 17.3.1.1).
        if e.vector() != Exception::DB && self.protected_mode() {
            self.flags.set_bits(flags::RF, true);
        }
        let before = self.teach.is_some().then(|| self.teach_state());
        self.deliver_exception(bus, e);
        if let Some(b) = before {
            self.teach_event(
                b,
                teach::EventKind::Exception {
                    vector: e.vector(),
                    error_code: e.error_code(),
                },
            );
            self.teach_transitions(b);
        }
    }

    /// Deliver an exception (EIP already set as it should be pushed), escalating to a double
    /// fault or a shutdown when delivery itself faults, by the architecture's rules.
    pub(crate) fn deliver_exception<B: Bus>(&mut self, bus: &mut B, e: Exception) {
        let contributory = |v: u8| matches!(v, 0 | 10 | 11 | 12 | 13);
        let mut cur = e;
        let mut prev: Option<u8> = None;
        loop {
            if let Some(p) = prev {
                if p == Exception::DF {
                    self.shutdown = true;
                    return;
                }
                let double = (contributory(p) && contributory(cur.vector()))
                    || (p == Exception::PF
                        && (cur.vector() == Exception::PF || contributory(cur.vector())));
                if double {
                    cur = Exception::with_code(Exception::DF, 0);
                }
            }
            // Exceptions with error codes push them only in protected mode.
            let code = if self.protected_mode() {
                cur.error_code()
            } else {
                None
            };
            match self.deliver_interrupt(
                bus,
                cur.vector(),
                exec::protected::Source::Exception,
                code,
            ) {
                Ok(()) => return,
                Err(e2) => {
                    self.counters.exceptions += 1;
                    prev = Some(cur.vector());
                    cur = e2;
                }
            }
        }
    }
}

/// What the teaching view compares before and after an instruction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TeachState {
    mode: teach::Mode,
    cpl: u8,
    tr: u16,
    cs: u16,
    eip: u32,
}

impl Cpu {
    /// Start counting for the teaching view (from zero).
    pub fn enable_teaching(&mut self) {
        if self.teach.is_none() {
            self.teach = Some(Box::new(teach::Teaching::new()));
        }
    }

    pub fn disable_teaching(&mut self) {
        self.teach = None;
    }

    pub fn teach_mode(&self) -> teach::Mode {
        if !self.protected_mode() {
            teach::Mode::Real
        } else if self.v86_mode() {
            teach::Mode::V86
        } else if self.cr0 & paging::CR0_PG != 0 {
            teach::Mode::Paged
        } else {
            teach::Mode::Protected
        }
    }

    fn teach_state(&self) -> TeachState {
        TeachState {
            mode: self.teach_mode(),
            cpl: self.cpl(),
            tr: self.tr.selector,
            cs: self.segs[SegReg::Cs as usize].selector,
            eip: self.insn_start,
        }
    }

    /// The bytes of the current instruction, read without side effects (they were just fetched).
    fn insn_bytes<B: Bus>(&mut self, bus: &mut B, len: u8) -> Vec<u8> {
        let lin = self.segs[SegReg::Cs as usize]
            .base
            .wrapping_add(self.insn_start);
        (0..len as u32)
            .map(|i| {
                let l = lin.wrapping_add(i);
                let p = if self.cr0 & paging::CR0_PG != 0 {
                    self.translate_paged(bus, l, paging::Access::Execute, false)
                        .unwrap_or(l)
                } else {
                    l
                };
                bus.read8(p)
            })
            .collect()
    }

    fn teach_retire<B: Bus>(&mut self, bus: &mut B, insn: &decode::Insn, b: TeachState) {
        let at = self.counters.instructions;
        let Some(t) = self.teach.as_mut() else {
            return;
        };
        let class = t.retire(insn, b.cpl, b.mode);
        if class == table::Class::Sensitive && (b.cpl > 0 || b.mode == teach::Mode::V86) {
            let bytes = self.insn_bytes(bus, insn.len);
            let linear = self.segs[SegReg::Cs as usize]
                .base
                .wrapping_add(self.insn_start);
            let big = self.segs[SegReg::Cs as usize].big();
            if let Some(t) = self.teach.as_mut() {
                t.hole(teach::Hole {
                    at,
                    cs: b.cs,
                    eip: b.eip,
                    linear,
                    bytes,
                    mode: b.mode,
                    ring: b.cpl,
                    big,
                    why: "unprivileged",
                });
            }
        }
    }

    /// A sensitive instruction behaved differently outside ring 0 without trapping.
    pub(crate) fn teach_silent(&mut self, why: &'static str) {
        if self.teach.is_none() {
            return;
        }
        let at = self.counters.instructions;
        let mode = self.teach_mode();
        let ring = self.cpl();
        let cs = self.segs[SegReg::Cs as usize].selector;
        let linear = self.segs[SegReg::Cs as usize]
            .base
            .wrapping_add(self.insn_start);
        let eip = self.insn_start;
        let big = self.segs[SegReg::Cs as usize].big();
        if let Some(t) = self.teach.as_mut() {
            t.hole(teach::Hole {
                at,
                cs,
                eip,
                linear,
                bytes: Vec::new(),
                mode,
                ring,
                big,
                why,
            });
        }
    }

    fn teach_event(&mut self, b: TeachState, kind: teach::EventKind) {
        let at = self.counters.instructions;
        let cpl_after = self.cpl();
        if let Some(t) = self.teach.as_mut() {
            t.event(teach::Event {
                at,
                kind,
                cpl_before: b.cpl,
                cpl_after,
                cs: b.cs,
                eip: b.eip,
            });
        }
    }

    /// Record mode changes and task switches that happened since `b`.
    fn teach_transitions(&mut self, b: TeachState) {
        let now = self.teach_state();
        if now.mode != b.mode {
            self.teach_event(
                b,
                teach::EventKind::ModeChange {
                    from: b.mode,
                    to: now.mode,
                },
            );
        }
        if now.tr != b.tr && self.protected_mode() && b.tr != 0 {
            self.teach_event(
                b,
                teach::EventKind::TaskSwitch {
                    from: b.tr,
                    to: now.tr,
                },
            );
        }
    }
}

/// Register names accepted by [`Cpu::get_named`] and [`Cpu::set_named`].
pub const REGISTER_NAMES: [&str; 42] = [
    "eax",
    "ecx",
    "edx",
    "ebx",
    "esp",
    "ebp",
    "esi",
    "edi",
    "ax",
    "cx",
    "dx",
    "bx",
    "sp",
    "bp",
    "si",
    "di",
    "al",
    "cl",
    "dl",
    "bl",
    "ah",
    "ch",
    "dh",
    "bh",
    "eip",
    "ip",
    "eflags",
    "flags",
    "es",
    "cs",
    "ss",
    "ds",
    "fs",
    "gs",
    "cr0",
    "cr2",
    "cr3",
    "cr4",
    "gdtr.base",
    "gdtr.limit",
    "idtr.base",
    "idtr.limit",
];

impl Cpu {
    /// Read a register by its lower-case name (see [`REGISTER_NAMES`]).
    pub fn get_named(&self, name: &str) -> Option<u32> {
        let i = REGISTER_NAMES.iter().position(|n| *n == name)?;
        Some(match i {
            0..=7 => self.regs[i],
            8..=15 => self.regs[i - 8] & 0xFFFF,
            16..=19 => self.regs[i - 16] & 0xFF,
            20..=23 => (self.regs[i - 20] >> 8) & 0xFF,
            24 => self.eip,
            25 => self.eip & 0xFFFF,
            26 => self.eflags(),
            27 => self.eflags() & 0xFFFF,
            28..=33 => self.segs[i - 28].selector as u32,
            34 => self.cr0,
            35 => self.cr2,
            36 => self.cr3,
            37 => self.cr4,
            38 => self.gdtr.base,
            39 => self.gdtr.limit,
            40 => self.idtr.base,
            _ => self.idtr.limit,
        })
    }

    /// Write a register by name. Segment registers are loaded as in real mode. Returns false for
    /// an unknown name.
    pub fn set_named(&mut self, name: &str, v: u32) -> bool {
        let Some(i) = REGISTER_NAMES.iter().position(|n| *n == name) else {
            return false;
        };
        match i {
            0..=7 => self.regs[i] = v,
            8..=15 => self.regs[i - 8] = (self.regs[i - 8] & 0xFFFF_0000) | (v & 0xFFFF),
            16..=19 => self.regs[i - 16] = (self.regs[i - 16] & !0xFF) | (v & 0xFF),
            20..=23 => self.regs[i - 20] = (self.regs[i - 20] & !0xFF00) | ((v & 0xFF) << 8),
            24 => self.eip = v,
            25 => self.eip = v & 0xFFFF,
            26 => self.set_eflags(v),
            27 => self.set_eflags((self.eflags() & 0xFFFF_0000) | (v & 0xFFFF)),
            28..=33 => self.load_seg_real(SegReg::from_index((i - 28) as u8), v as u16),
            34 => self.cr0 = v,
            35 => self.cr2 = v,
            36 => self.cr3 = v,
            37 => {
                self.cr4 = v;
                self.sync_breakpoints();
            }
            38 => self.gdtr.base = v,
            39 => self.gdtr.limit = v,
            40 => self.idtr.base = v,
            _ => self.idtr.limit = v,
        }
        self.halted = false;
        true
    }
}
