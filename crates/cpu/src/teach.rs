//! The teaching view's instruments: retired instructions counted by Popek–Goldberg class, ring
//! and mode; the "holes" (sensitive instructions that ran outside ring 0 without trapping, or
//! silently did something else there); and a timeline of exceptions, interrupts, mode changes and
//! task switches. All of it is off (a `None`) until someone opens the panel, so the interpreter
//! pays one predictable branch per instruction when nobody is looking.

use crate::decode::Insn;
use crate::table::Class;
use std::collections::VecDeque;

/// Operating modes as the teaching view splits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Real = 0,
    Protected = 1,
    Paged = 2,
    V86 = 3,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Real, Mode::Protected, Mode::Paged, Mode::V86];
    pub fn name(self) -> &'static str {
        ["real", "protected", "protected+paging", "v86"][self as usize]
    }
}

/// A sensitive instruction seen outside ring 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    /// Instruction count when it happened.
    pub at: u64,
    pub cs: u16,
    pub eip: u32,
    /// Linear address and the instruction's bytes (for disassembly).
    pub linear: u32,
    pub bytes: Vec<u8>,
    pub mode: Mode,
    pub ring: u8,
    /// Whether the code segment was 32-bit (the D bit), so the bytes disassemble right.
    pub big: bool,
    /// What makes it a hole: "unprivileged" (ran without trapping) or a silent difference such as
    /// "POPF kept IF".
    pub why: &'static str,
}

/// Something the timeline shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Exception { vector: u8, error_code: Option<u32> },
    Interrupt { vector: u8 },
    SoftwareInterrupt { vector: u8 },
    ModeChange { from: Mode, to: Mode },
    TaskSwitch { from: u16, to: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Instruction count when it happened.
    pub at: u64,
    pub kind: EventKind,
    /// Privilege level before and after.
    pub cpl_before: u8,
    pub cpl_after: u8,
    /// CS:EIP of the instruction involved (the faulting one for exceptions).
    pub cs: u16,
    pub eip: u32,
}

const MAX_HOLES: usize = 64;
const MAX_EVENTS: usize = 4096;

/// Counters and recent events.
#[derive(Debug, Clone, Default)]
pub struct Teaching {
    /// counts[class][ring][mode].
    pub counts: [[[u64; 4]; 4]; 3],
    /// Sensitive instructions outside ring 0, in total.
    pub holes_total: u64,
    pub holes: VecDeque<Hole>,
    pub events: VecDeque<Event>,
    /// Events dropped from the front because the buffer was full.
    pub events_dropped: u64,
}

fn class_index(c: Class) -> usize {
    match c {
        Class::Ordinary => 0,
        Class::Privileged => 1,
        Class::Sensitive => 2,
    }
}

impl Teaching {
    pub fn new() -> Teaching {
        Teaching::default()
    }

    pub fn count(&self, class: Class, ring: u8, mode: Mode) -> u64 {
        self.counts[class_index(class)][ring as usize & 3][mode as usize]
    }

    /// Total per class, over rings and modes.
    pub fn class_total(&self, class: Class) -> u64 {
        self.counts[class_index(class)].iter().flatten().sum()
    }

    pub(crate) fn retire(&mut self, insn: &Insn, ring: u8, mode: Mode) -> Class {
        let class = insn.entry().class;
        self.counts[class_index(class)][ring as usize & 3][mode as usize] += 1;
        class
    }

    pub(crate) fn hole(&mut self, h: Hole) {
        self.holes_total += 1;
        if self.holes.len() == MAX_HOLES {
            self.holes.pop_front();
        }
        self.holes.push_back(h);
    }

    pub(crate) fn event(&mut self, e: Event) {
        if self.events.len() == MAX_EVENTS {
            self.events.pop_front();
            self.events_dropped += 1;
        }
        self.events.push_back(e);
    }
}
