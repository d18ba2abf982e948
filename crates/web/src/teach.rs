//! The teaching view and the debugger for JavaScript: class counts by ring and mode, the holes,
//! the timeline, BIOS calls and I/O by device; registers decoded, disassembly, single steps and
//! breakpoints. Still a bridge: the counting is the CPU's (`cpu::teach`), this only converts.

use crate::{to_js, to_u32, to_usize, whole, Machine, MAX_SAFE_INTEGER};
use pc::board::DeviceId;
use pc::cpu::teach::{EventKind, Mode, Teaching};
use pc::cpu::{disasm, Segment};
use pc::Exit;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The class names, in the order of `Teaching::counts`.
pub const CLASSES: [&str; 3] = ["ordinary", "privileged", "sensitive"];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClassCountsJs {
    classes: [&'static str; 3],
    modes: [&'static str; 4],
    /// counts[class][ring][mode].
    counts: Vec<Vec<Vec<f64>>>,
    /// Per class, over rings and modes.
    totals: Vec<f64>,
    holes_total: f64,
    events_dropped: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HoleJs {
    at: f64,
    cs: u16,
    eip: u32,
    linear: u32,
    bytes: String,
    disasm: String,
    mode: &'static str,
    ring: u8,
    why: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventJs {
    at: f64,
    /// "exception" | "interrupt" | "int" | "mode" | "task".
    kind: &'static str,
    vector: Option<u8>,
    error_code: Option<u32>,
    from: Option<String>,
    to: Option<String>,
    cpl_before: u8,
    cpl_after: u8,
    cs: u16,
    eip: u32,
}

#[derive(Serialize)]
struct NamedCount {
    name: String,
    count: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SegJs {
    name: &'static str,
    selector: u16,
    base: u32,
    limit: u32,
    flags: u16,
    dpl: u8,
    big: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TableJs {
    base: u32,
    limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegistersJs {
    gpr: Vec<(&'static str, u32)>,
    eip: u32,
    eflags: u32,
    /// The EFLAGS bits that are set, by name (IOPL as "IOPL=n").
    eflags_set: Vec<String>,
    cr0: u32,
    cr0_set: Vec<&'static str>,
    cr2: u32,
    cr3: u32,
    cr4: u32,
    cr4_set: Vec<&'static str>,
    segs: Vec<SegJs>,
    gdtr: TableJs,
    idtr: TableJs,
    ldtr: SegJs,
    tr: SegJs,
    cpl: u8,
    mode: &'static str,
    linear: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineJs {
    linear: u32,
    /// CS-relative offset.
    offset: u32,
    bytes: String,
    text: String,
}

fn hex_bytes(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn mode_name(m: Mode) -> &'static str {
    m.name()
}

fn seg_js(name: &'static str, s: &Segment) -> SegJs {
    SegJs {
        name,
        selector: s.selector,
        base: s.base,
        limit: s.limit,
        flags: s.flags,
        dpl: s.dpl(),
        big: s.big(),
    }
}

fn device_name(d: DeviceId) -> String {
    format!("{d:?}")
}

const EFLAGS_NAMES: [(u32, &str); 15] = [
    (1 << 0, "CF"),
    (1 << 2, "PF"),
    (1 << 4, "AF"),
    (1 << 6, "ZF"),
    (1 << 7, "SF"),
    (1 << 8, "TF"),
    (1 << 9, "IF"),
    (1 << 10, "DF"),
    (1 << 11, "OF"),
    (1 << 14, "NT"),
    (1 << 16, "RF"),
    (1 << 17, "VM"),
    (1 << 18, "AC"),
    (1 << 19, "VIF"),
    (1 << 20, "VIP"),
];

const CR0_NAMES: [(u32, &str); 11] = [
    (1 << 0, "PE"),
    (1 << 1, "MP"),
    (1 << 2, "EM"),
    (1 << 3, "TS"),
    (1 << 4, "ET"),
    (1 << 5, "NE"),
    (1 << 16, "WP"),
    (1 << 18, "AM"),
    (1 << 29, "NW"),
    (1 << 30, "CD"),
    (1 << 31, "PG"),
];

const CR4_NAMES: [(u32, &str); 8] = [
    (1 << 0, "VME"),
    (1 << 1, "PVI"),
    (1 << 2, "TSD"),
    (1 << 3, "DE"),
    (1 << 4, "PSE"),
    (1 << 5, "PAE"),
    (1 << 7, "PGE"),
    (1 << 9, "OSFXSR"),
];

fn set_names(v: u32, names: &[(u32, &'static str)]) -> Vec<&'static str> {
    names
        .iter()
        .filter(|(b, _)| v & b != 0)
        .map(|(_, n)| *n)
        .collect()
}

impl Machine {
    fn teaching(&self) -> Option<&Teaching> {
        self.pc.cpu.teach.as_deref()
    }

    /// Linear to physical through the page tables when paging is on (32-bit, 4 KiB and 4 MiB
    /// pages); None for a page that is not present.
    fn physical(&mut self, linear: u32) -> Option<u32> {
        let cpu = &self.pc.cpu;
        if cpu.cr0 & 0x8000_0000 == 0 {
            return Some(linear);
        }
        let (cr3, pse) = (cpu.cr3 & 0xFFFF_F000, cpu.cr4 & 0x10 != 0);
        let pde = self.read_u32(cr3.wrapping_add((linear >> 22) * 4));
        if pde & 1 == 0 {
            return None;
        }
        if pse && pde & 0x80 != 0 {
            return Some((pde & 0xFFC0_0000) | (linear & 0x003F_FFFF));
        }
        let pte = self.read_u32((pde & 0xFFFF_F000).wrapping_add(((linear >> 12) & 0x3FF) * 4));
        (pte & 1 != 0).then_some((pte & 0xFFFF_F000) | (linear & 0xFFF))
    }

    fn read_u32(&mut self, phys: u32) -> u32 {
        let b = self.pc.read(phys, 4);
        match b.as_slice() {
            [a, b, c, d] => u32::from_le_bytes([*a, *b, *c, *d]),
            _ => 0,
        }
    }

    /// `len` bytes at a linear address (bytes on pages that are not present read as None).
    fn read_linear(&mut self, linear: u32, len: usize) -> Vec<Option<u8>> {
        (0..len as u32)
            .map(|i| {
                let l = linear.wrapping_add(i);
                self.physical(l)
                    .and_then(|p| self.pc.read(p, 1).first().copied())
            })
            .collect()
    }

    /// The instruction at `linear` as (length, text, bytes).
    fn disasm_at(&mut self, linear: u32, offset: u32, big: bool) -> (usize, String, Vec<u8>) {
        let raw = self.read_linear(linear, 16);
        let bytes: Vec<u8> = raw.iter().map_while(|b| *b).collect();
        if bytes.is_empty() {
            return (1, "(not present)".to_string(), Vec::new());
        }
        match disasm::disassemble(self.pc.cpu.model, big, &bytes, offset) {
            Ok((text, len)) => {
                let len = len.clamp(1, bytes.len());
                (len, text, bytes[..len].to_vec())
            }
            Err(_) => (1, format!("db {:02X}h", bytes[0]), bytes[..1].to_vec()),
        }
    }

    /// Events recorded so far (kept and dropped).
    fn events_total(&self) -> u64 {
        self.teaching()
            .map_or(0, |t| t.events.len() as u64 + t.events_dropped)
    }

    /// Whether an event recorded after `before` (an `events_total`) is one to stop at.
    fn event_break(&self, before: u64) -> bool {
        let Some(t) = self.teaching() else {
            return false;
        };
        let new = (t.events.len() as u64 + t.events_dropped).saturating_sub(before) as usize;
        t.events.iter().rev().take(new).any(|e| match e.kind {
            EventKind::Exception { vector, .. } => self.break_vectors.contains(&vector),
            EventKind::ModeChange { .. } => self.break_mode,
            _ => false,
        })
    }

    /// The breakpoint check for `runFor`: run up to `n` instructions one at a time, stopping
    /// before an instruction whose linear address is a breakpoint (not the first one, so a run
    /// leaves the breakpoint it stands on), or after an event asked for by `setEventBreaks`.
    /// None when it stopped at a breakpoint.
    pub(crate) fn run_with_breakpoints(&mut self, n: u64, until: Option<u64>) -> Option<Exit> {
        let events = !self.break_vectors.is_empty() || self.break_mode;
        for i in 0..n {
            if i > 0 && self.breakpoints.contains(&self.pc.cpu.pc_linear()) {
                return None;
            }
            let before = if events { self.events_total() } else { 0 };
            match self.pc.run(1, until) {
                Exit::Budget => {}
                e => return Some(e),
            }
            if events && self.event_break(before) {
                return None;
            }
        }
        Some(Exit::Budget)
    }
}

#[wasm_bindgen]
impl Machine {
    /// Start counting for the teaching view (counts, holes, timeline). `fresh` (default false)
    /// starts from zero even if counting was on.
    #[wasm_bindgen(js_name = enableTeaching)]
    pub fn enable_teaching(&mut self, fresh: Option<bool>) {
        if fresh.unwrap_or(false) {
            self.pc.cpu.disable_teaching();
        }
        self.pc.cpu.enable_teaching();
    }

    /// Stop counting (and forget the counts).
    #[wasm_bindgen(js_name = disableTeaching)]
    pub fn disable_teaching(&mut self) {
        self.pc.cpu.disable_teaching();
    }

    #[wasm_bindgen(js_name = teachingEnabled)]
    pub fn teaching_enabled(&self) -> bool {
        self.pc.cpu.teach.is_some()
    }

    /// `{classes, modes, counts[class][ring][mode], totals[class], holesTotal, eventsDropped}`
    /// (all zero while counting is off).
    #[wasm_bindgen(js_name = classCounts)]
    pub fn class_counts(&self) -> Result<JsValue, JsValue> {
        let empty = Teaching::default();
        let t = self.teaching().unwrap_or(&empty);
        let counts = t
            .counts
            .iter()
            .map(|rings| {
                rings
                    .iter()
                    .map(|modes| modes.iter().map(|&n| n as f64).collect())
                    .collect()
            })
            .collect();
        let totals = t
            .counts
            .iter()
            .map(|c| c.iter().flatten().sum::<u64>() as f64)
            .collect();
        to_js(&ClassCountsJs {
            classes: CLASSES,
            modes: Mode::ALL.map(mode_name),
            counts,
            totals,
            holes_total: t.holes_total as f64,
            events_dropped: t.events_dropped as f64,
        })
    }

    /// The last holes (at most 64): `[{at, cs, eip, linear, bytes, disasm, mode, ring, why}]`.
    pub fn holes(&self) -> Result<JsValue, JsValue> {
        let Some(t) = self.teaching() else {
            return to_js(&Vec::<HoleJs>::new());
        };
        let v: Vec<HoleJs> = t
            .holes
            .iter()
            .map(|h| {
                // The code size is not kept with the hole: 32-bit in protected mode is the
                // common case (and what the lessons use).
                let big = matches!(h.mode, Mode::Protected | Mode::Paged);
                let disasm = disasm::disassemble(self.pc.cpu.model, big, &h.bytes, h.eip)
                    .map(|(t, _)| t)
                    .unwrap_or_else(|_| hex_bytes(&h.bytes));
                HoleJs {
                    at: h.at as f64,
                    cs: h.cs,
                    eip: h.eip,
                    linear: h.linear,
                    bytes: hex_bytes(&h.bytes),
                    disasm,
                    mode: h.mode.name(),
                    ring: h.ring,
                    why: h.why,
                }
            })
            .collect();
        to_js(&v)
    }

    /// Timeline events that happened at instruction count `since` or later (default: all
    /// kept, at most 4096): `[{at, kind, vector, errorCode, from, to, cplBefore, cplAfter, cs,
    /// eip}]` with kind "exception", "interrupt", "int" (INT n), "mode" or "task".
    pub fn timeline(&self, since: Option<f64>) -> Result<JsValue, JsValue> {
        let since = whole("since", since.unwrap_or(0.0), MAX_SAFE_INTEGER)? as u64;
        let Some(t) = self.teaching() else {
            return to_js(&Vec::<EventJs>::new());
        };
        let v: Vec<EventJs> = t
            .events
            .iter()
            .filter(|e| e.at >= since)
            .map(|e| {
                let mut j = EventJs {
                    at: e.at as f64,
                    kind: "",
                    vector: None,
                    error_code: None,
                    from: None,
                    to: None,
                    cpl_before: e.cpl_before,
                    cpl_after: e.cpl_after,
                    cs: e.cs,
                    eip: e.eip,
                };
                match &e.kind {
                    EventKind::Exception { vector, error_code } => {
                        j.kind = "exception";
                        j.vector = Some(*vector);
                        j.error_code = *error_code;
                    }
                    EventKind::Interrupt { vector } => {
                        j.kind = "interrupt";
                        j.vector = Some(*vector);
                    }
                    EventKind::SoftwareInterrupt { vector } => {
                        j.kind = "int";
                        j.vector = Some(*vector);
                    }
                    EventKind::ModeChange { from, to } => {
                        j.kind = "mode";
                        j.from = Some(from.name().to_string());
                        j.to = Some(to.name().to_string());
                    }
                    EventKind::TaskSwitch { from, to } => {
                        j.kind = "task";
                        j.from = Some(format!("{from:04X}"));
                        j.to = Some(format!("{to:04X}"));
                    }
                }
                j
            })
            .collect();
        to_js(&v)
    }

    /// BIOS calls by interrupt vector: `[{name: "10", count}]` (hex vector), sorted.
    #[wasm_bindgen(js_name = biosCalls)]
    pub fn bios_calls(&self) -> Result<JsValue, JsValue> {
        let mut v: Vec<(u8, u64)> = self
            .pc
            .bios
            .call_counts
            .iter()
            .map(|(k, n)| (*k, *n))
            .collect();
        v.sort_unstable();
        let v: Vec<NamedCount> = v
            .into_iter()
            .map(|(k, n)| NamedCount {
                name: format!("{k:02X}"),
                count: n as f64,
            })
            .collect();
        to_js(&v)
    }

    /// I/O port accesses by device: `[{name, count}]`, devices never touched left out.
    #[wasm_bindgen(js_name = ioCounts)]
    pub fn io_counts(&self) -> Result<JsValue, JsValue> {
        let v: Vec<NamedCount> = DeviceId::ALL
            .iter()
            .zip(self.pc.board.io_counts.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(d, n)| NamedCount {
                name: device_name(*d),
                count: *n as f64,
            })
            .collect();
        to_js(&v)
    }

    /// Execute one instruction (or deliver one interrupt): "budget" if it went on normally,
    /// else why the machine stopped (as `run`).
    pub fn step(&mut self) -> String {
        crate::exit_name(self.pc.run(1, None)).to_string()
    }

    /// Breakpoints on linear addresses of instructions (replaces the previous set; empty to
    /// clear). `runFor` then answers "breakpoint" when it stops before one.
    #[wasm_bindgen(js_name = setBreakpoints)]
    pub fn set_breakpoints(&mut self, addrs: Vec<f64>) -> Result<(), JsValue> {
        let mut v = Vec::with_capacity(addrs.len());
        for a in addrs {
            v.push(to_u32("breakpoint address", a)?);
        }
        v.sort_unstable();
        v.dedup();
        self.breakpoints = v;
        Ok(())
    }

    /// Stop `runFor` (answering "breakpoint") right after an exception with one of `vectors`
    /// is delivered, and, with `modeChange`, after the CPU changes mode. Needs counting on
    /// (`enableTeaching`), which records the events.
    #[wasm_bindgen(js_name = setEventBreaks)]
    pub fn set_event_breaks(&mut self, vectors: Vec<u8>, mode_change: bool) {
        self.break_vectors = vectors;
        self.break_mode = mode_change;
    }

    pub fn breakpoints(&self) -> Vec<u32> {
        self.breakpoints.clone()
    }

    /// The registers for the debugger: `{gpr: [[name, value]], eip, eflags, eflagsSet, cr0,
    /// cr0Set, cr2, cr3, cr4, cr4Set, segs: [{name, selector, base, limit, flags, dpl, big}],
    /// gdtr, idtr, ldtr, tr, cpl, mode, linear}`.
    pub fn registers(&self) -> Result<JsValue, JsValue> {
        let c = &self.pc.cpu;
        let names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
        let eflags = c.eflags();
        let mut eflags_set: Vec<String> = set_names(eflags, &EFLAGS_NAMES)
            .into_iter()
            .map(str::to_string)
            .collect();
        eflags_set.push(format!("IOPL={}", (eflags >> 12) & 3));
        let seg_names = ["es", "cs", "ss", "ds", "fs", "gs"];
        to_js(&RegistersJs {
            gpr: names.iter().copied().zip(c.regs.iter().copied()).collect(),
            eip: c.eip,
            eflags,
            eflags_set,
            cr0: c.cr0,
            cr0_set: set_names(c.cr0, &CR0_NAMES),
            cr2: c.cr2,
            cr3: c.cr3,
            cr4: c.cr4,
            cr4_set: set_names(c.cr4, &CR4_NAMES),
            segs: seg_names
                .iter()
                .zip(c.segs.iter())
                .map(|(n, s)| seg_js(n, s))
                .collect(),
            gdtr: TableJs {
                base: c.gdtr.base,
                limit: c.gdtr.limit,
            },
            idtr: TableJs {
                base: c.idtr.base,
                limit: c.idtr.limit,
            },
            ldtr: seg_js("ldtr", &c.ldtr),
            tr: seg_js("tr", &c.tr),
            cpl: c.cpl(),
            mode: c.mode_name(),
            linear: c.pc_linear(),
        })
    }

    /// Disassemble `count` instructions from CS:EIP (or from linear address `linear`, taken as
    /// in the current code segment): `[{linear, offset, bytes, text}]`.
    pub fn disassemble(&mut self, count: f64, linear: Option<f64>) -> Result<JsValue, JsValue> {
        let count = to_usize("count", count)?.min(256);
        let cs = self.pc.cpu.segs[1];
        let big = self.pc.cpu.protected_mode() && !self.pc.cpu.v86_mode() && cs.big();
        let mut lin = match linear {
            Some(l) => to_u32("linear", l)?,
            None => self.pc.cpu.pc_linear(),
        };
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let offset = lin.wrapping_sub(cs.base);
            let offset = if big { offset } else { offset & 0xFFFF };
            let (len, text, bytes) = self.disasm_at(lin, offset, big);
            out.push(LineJs {
                linear: lin,
                offset,
                bytes: hex_bytes(&bytes),
                text,
            });
            lin = lin.wrapping_add(len as u32);
        }
        to_js(&out)
    }

    /// `len` bytes at a linear address, through the page tables (unmapped bytes read as 0).
    #[wasm_bindgen(js_name = readLinear)]
    pub fn read_linear_js(&mut self, linear: f64, len: f64) -> Result<Vec<u8>, JsValue> {
        let linear = to_u32("linear", linear)?;
        let len = to_usize("len", len)?.min(1 << 20);
        Ok(self
            .read_linear(linear, len)
            .into_iter()
            .map(|b| b.unwrap_or(0))
            .collect())
    }
}
