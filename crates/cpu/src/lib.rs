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
pub mod model;
pub mod msr;
pub mod paging;
pub mod regs;
pub mod table;

pub use bus::Bus;
pub use model::Model;
pub use regs::{Reg, SegReg, Segment};

use cache::CodeCache;
use flags::Flags;

/// An exception raised while executing an instruction: the vector and, for the exceptions that
/// have one in protected mode, the error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception {
    pub vector: u8,
    pub error_code: Option<u32>,
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

    pub fn fault(vector: u8) -> Self {
        Exception {
            vector,
            error_code: None,
        }
    }
    pub fn with_code(vector: u8, code: u32) -> Self {
        Exception {
            vector,
            error_code: Some(code),
        }
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
    /// Decoded-instruction cache hits and misses.
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
    /// Interrupts are held off for one instruction after MOV SS / POP SS / STI.
    pub(crate) inhibit_irq: bool,
    /// Set when the bus asked to stop after the current instruction.
    pub(crate) stop_requested: bool,
    pub(crate) cache: CodeCache,
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
            inhibit_irq: false,
            stop_requested: false,
            cache: CodeCache::new(),
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
        self.cpl = 0;
        self.dr = [0, 0, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400];
        self.msr = msr::Msrs::default();
        self.delivering = None;
        self.tlb.flush_all();
        self.cache.flush();
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
                self.cpl = 0;
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
        self.flags.get() & flags::VM != 0
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

    /// Run up to `budget` instructions. Stops early on HLT or shutdown.
    pub fn run<B: Bus>(&mut self, bus: &mut B, budget: u64) -> RunExit {
        let mut left = budget;
        while left > 0 {
            if self.shutdown {
                return RunExit::Shutdown;
            }
            if self.halted {
                if self.flags.get() & flags::IF != 0 && bus.interrupt_pending() {
                    self.halted = false;
                } else {
                    return RunExit::Halted;
                }
            }
            self.step(bus);
            left -= 1;
            if self.stop_requested {
                self.stop_requested = false;
                return RunExit::Stopped;
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

    /// Execute one instruction (or one iteration of a REP string instruction), then deliver a
    /// pending external interrupt if interrupts are enabled.
    pub fn step<B: Bus>(&mut self, bus: &mut B) {
        if self.shutdown {
            return;
        }
        let inhibit = self.inhibit_irq;
        self.inhibit_irq = false;
        if !inhibit && self.flags.get() & flags::IF != 0 && bus.interrupt_pending() {
            let vector = bus.acknowledge_interrupt();
            self.counters.interrupts += 1;
            self.halted = false;
            self.insn_start = self.eip;
            self.insn_esp = self.regs[Reg::Esp as usize];
            if let Err(e) = self.deliver_interrupt(bus, vector, exec::protected::Source::Hardware, None) {
                self.raise(bus, e);
            }
            return;
        }
        if self.halted {
            return;
        }
        self.insn_start = self.eip;
        self.insn_esp = self.regs[Reg::Esp as usize];
        let f = self.flags.get();
        if self.dr[7] & 0xFF != 0 && f & flags::RF == 0 {
            if let Some(hits) = self.code_breakpoints() {
                self.dr[6] = (self.dr[6] & !0xF) | hits;
                self.counters.instructions += 1;
                self.raise(bus, Exception::fault(Exception::DB));
                return;
            }
        }
        let single_step = f & flags::TF != 0;
        let result = match self.fetch_decoded(bus) {
            Ok(insn) => {
                let r = self.execute(bus, &insn);
                // INT n clears TF for its handler and takes no single-step trap itself.
                (r, matches!(insn.op, 0xCC | 0xCD | 0xCE))
            }
            Err(e) => (Err(e), false),
        };
        self.counters.instructions += 1;
        match result {
            (Err(e), _) => self.raise(bus, e),
            (Ok(()), is_int) => {
                if f & flags::RF != 0 {
                    self.flags.set_bits(flags::RF, false);
                }
                if single_step && !is_int {
                    self.dr[6] |= 1 << 14;
                    self.deliver_exception(bus, Exception::fault(Exception::DB));
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
        self.counters.exceptions += 1;
        if e.vector == Exception::UD {
            self.counters.invalid_opcodes += 1;
        }
        self.eip = self.insn_start;
        if self.model >= Model::I386 || self.protected_mode() {
            self.regs[Reg::Esp as usize] = self.insn_esp;
        }
        if e.vector == Exception::DB || e.vector == Exception::GP || e.vector == Exception::PF {
            // Faults set RF so that the restarted instruction does not hit its breakpoint again.
            if e.vector == Exception::DB {
                self.flags.set_bits(flags::RF, true);
            }
        }
        self.deliver_exception(bus, e);
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
                let double = (contributory(p) && contributory(cur.vector))
                    || (p == Exception::PF && (cur.vector == Exception::PF || contributory(cur.vector)));
                if double {
                    cur = Exception::with_code(Exception::DF, 0);
                }
            }
            // Exceptions with error codes push them only in protected mode.
            let code = if self.protected_mode() { cur.error_code } else { None };
            match self.deliver_interrupt(bus, cur.vector, exec::protected::Source::Exception, code) {
                Ok(()) => return,
                Err(e2) => {
                    self.counters.exceptions += 1;
                    prev = Some(cur.vector);
                    cur = e2;
                }
            }
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
            37 => self.cr4 = v,
            38 => self.gdtr.base = v,
            39 => self.gdtr.limit = v,
            40 => self.idtr.base = v,
            _ => self.idtr.limit = v,
        }
        self.halted = false;
        true
    }
}
