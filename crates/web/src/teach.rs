//! The teaching view and the debugger for JavaScript: class counts by ring and mode, the holes,
//! the timeline, BIOS calls and I/O by device; registers decoded, disassembly (also before EIP),
//! single steps, breakpoints on addresses, events and I/O ports; the IDT, the page tables and
//! physical memory. Still a bridge: the counting is the CPU's (`cpu::teach`), the port watch the
//! board's; this reads guest memory without side effects and converts.

use crate::{js_error, to_js, to_u32, to_usize, whole, Machine, MAX_SAFE_INTEGER};
use pc::board::{Board, DeviceId, PortHit};
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

/// A line of `disassembleAround`: a `LineJs` and where it stands relative to EIP.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AroundLineJs {
    linear: u32,
    offset: u32,
    bytes: String,
    text: String,
    /// Decoded backwards (see `disassembleAround`): before EIP, and only probably right.
    before: bool,
    /// The instruction at CS:EIP.
    current: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PortHitJs {
    port: u16,
    size: u8,
    write: bool,
    value: u32,
    /// The device that decodes the port ("Uart", "SysCtl", ...), if any.
    device: Option<String>,
}

/// One IDT entry (or real-mode IVT vector).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GateJs {
    vector: u8,
    /// "ivt" (real mode: a segment:offset), "int32", "trap32", "int16", "trap16", "task" or
    /// "bad" (a descriptor type that is no gate).
    kind: &'static str,
    /// The descriptor's type field (0-15; 0 in real mode).
    #[serde(rename = "type")]
    typ: u8,
    /// The code segment selector (the segment in real mode; the TSS selector of a task gate).
    selector: u16,
    offset: u32,
    dpl: u8,
    present: bool,
    /// Linear address of the handler: segment × 16 + offset in real mode; for an interrupt or
    /// trap gate, the base of the selector's descriptor (GDT or LDT) + offset when it can be
    /// read.
    target: Option<u32>,
    /// False when the entry lies on a page that is not present (nothing else is then known).
    readable: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdtJs {
    /// "real" (the IVT: 4-byte segment:offset vectors) or "protected" (8-byte gates; also in
    /// v86 mode).
    mode: &'static str,
    base: u32,
    limit: u32,
    entries: Vec<GateJs>,
}

/// A page-directory entry that is present.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdeJs {
    index: u16,
    /// The first linear address it maps (index × 4 MiB).
    linear: u32,
    entry: u32,
    /// Physical address of its page table, or of the 4 MiB page.
    address: u32,
    /// A 4 MiB page (PS set and CR4.PSE on).
    big: bool,
    flags: Vec<&'static str>,
    /// Present entries in its page table (None for a 4 MiB page).
    pages: Option<u16>,
}

/// The walk of one linear address through the tables.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WalkJs {
    linear: u32,
    pde_address: Option<u32>,
    pde: Option<u32>,
    pde_flags: Vec<&'static str>,
    big: bool,
    pte_address: Option<u32>,
    pte: Option<u32>,
    pte_flags: Vec<&'static str>,
    /// Where the address lands; None when the walk stopped.
    physical: Option<u32>,
    /// None when it got to a page; "pde" or "pte" for the entry that is not present.
    stop: Option<&'static str>,
    /// Effective rights (both levels): user mode may access it, writes are allowed.
    user: bool,
    writable: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageTablesJs {
    /// CR0.PG.
    paging: bool,
    cr3: u32,
    /// Physical address of the page directory.
    directory: u32,
    /// CR4.PSE (4 MiB pages) and CR4.PGE (global pages).
    pse: bool,
    pge: bool,
    /// The present page-directory entries (empty with paging off).
    entries: Vec<PdeJs>,
    walk: Option<WalkJs>,
}

const PDE_FLAGS: [(u32, &str); 9] = [
    (1 << 0, "P"),
    (1 << 1, "R/W"),
    (1 << 2, "U/S"),
    (1 << 3, "PWT"),
    (1 << 4, "PCD"),
    (1 << 5, "A"),
    (1 << 6, "D"),
    (1 << 7, "PS"),
    (1 << 8, "G"),
];

const PTE_FLAGS: [(u32, &str); 9] = [
    (1 << 0, "P"),
    (1 << 1, "R/W"),
    (1 << 2, "U/S"),
    (1 << 3, "PWT"),
    (1 << 4, "PCD"),
    (1 << 5, "A"),
    (1 << 6, "D"),
    (1 << 7, "PAT"),
    (1 << 8, "G"),
];

/// How far before EIP `disassembleAround` starts its candidate decodings (longer than the
/// longest instruction, so that a chain of several instructions can sync).
const BACK_BYTES: u32 = 32;

/// The most bytes `readPhysical` and `readLinear` return at once.
const MAX_READ: usize = 1 << 20;

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

    /// Whether the code segment runs 16- or 32-bit code: the D bit of CS in protected mode;
    /// real and v86 mode are 16-bit.
    fn code_big(&self) -> bool {
        let c = &self.pc.cpu;
        c.protected_mode() && !c.v86_mode() && c.segs[1].big()
    }

    /// `len` bytes at a linear address, or None if any of them is on a page not present.
    fn read_linear_all(&mut self, linear: u32, len: usize) -> Option<Vec<u8>> {
        self.read_linear(linear, len).into_iter().collect()
    }

    /// The base of the segment descriptor `sel` names (GDT or LDT), if it can be read.
    fn descriptor_base(&mut self, sel: u16) -> Option<u32> {
        let c = &self.pc.cpu;
        let (base, limit) = if sel & 4 != 0 {
            (c.ldtr.base, c.ldtr.limit)
        } else {
            (c.gdtr.base, c.gdtr.limit)
        };
        let index = u32::from(sel & !7);
        if (sel & 4 == 0 && index == 0) || index.checked_add(7)? > limit {
            return None;
        }
        let d = self.read_linear_all(base.wrapping_add(index), 8)?;
        Some(u32::from_le_bytes([d[2], d[3], d[4], d[7]]))
    }

    /// One IDT gate (8 bytes) decoded.
    fn gate(&mut self, vector: u8, d: Option<Vec<u8>>) -> GateJs {
        let Some(d) = d else {
            return GateJs {
                vector,
                kind: "bad",
                typ: 0,
                selector: 0,
                offset: 0,
                dpl: 0,
                present: false,
                target: None,
                readable: false,
            };
        };
        let access = d[5];
        let typ = access & 15;
        let kind = if access & 0x10 != 0 {
            "bad"
        } else {
            match typ {
                5 => "task",
                6 => "int16",
                7 => "trap16",
                14 => "int32",
                15 => "trap32",
                _ => "bad",
            }
        };
        let selector = u16::from_le_bytes([d[2], d[3]]);
        let low = u32::from(u16::from_le_bytes([d[0], d[1]]));
        let offset = match kind {
            "int32" | "trap32" => low | u32::from(u16::from_le_bytes([d[6], d[7]])) << 16,
            "int16" | "trap16" => low,
            _ => 0,
        };
        let present = access & 0x80 != 0;
        let target = if present && matches!(kind, "int32" | "trap32" | "int16" | "trap16") {
            self.descriptor_base(selector)
                .map(|b| b.wrapping_add(offset))
        } else {
            None
        };
        GateJs {
            vector,
            kind,
            typ,
            selector,
            offset,
            dpl: (access >> 5) & 3,
            present,
            target,
            readable: true,
        }
    }

    /// The walk of `linear` through the page tables at `dir` (paging on).
    fn walk(&mut self, dir: u32, pse: bool, linear: u32) -> WalkJs {
        let pde_address = dir | ((linear >> 22) << 2);
        let pde = self.read_u32(pde_address);
        let mut w = WalkJs {
            linear,
            pde_address: Some(pde_address),
            pde: Some(pde),
            pde_flags: set_names(pde, &PDE_FLAGS),
            big: false,
            pte_address: None,
            pte: None,
            pte_flags: Vec::new(),
            physical: None,
            stop: None,
            user: false,
            writable: false,
        };
        if pde & 1 == 0 {
            w.stop = Some("pde");
            return w;
        }
        if pse && pde & 0x80 != 0 {
            w.big = true;
            w.physical = Some((pde & 0xFFC0_0000) | (linear & 0x003F_FFFF));
            w.user = pde & 4 != 0;
            w.writable = pde & 2 != 0;
            return w;
        }
        let pte_address = (pde & 0xFFFF_F000) | (((linear >> 12) & 0x3FF) << 2);
        let pte = self.read_u32(pte_address);
        w.pte_address = Some(pte_address);
        w.pte = Some(pte);
        w.pte_flags = set_names(pte, &PTE_FLAGS);
        if pte & 1 == 0 {
            w.stop = Some("pte");
            return w;
        }
        w.physical = Some((pte & 0xFFFF_F000) | (linear & 0xFFF));
        w.user = pde & pte & 4 != 0;
        w.writable = pde & pte & 2 != 0;
        w
    }

    /// The instructions before `eip` (at linear `lin`) that decode into a chain ending exactly
    /// at it: (linear, offset, length, text) each. From each start `eip - BACK_BYTES ..= eip -
    /// 1` (not before the segment's offset 0), decode forward; a chain counts when no byte is
    /// missing, no instruction is `(bad)` and the last one ends at `eip`. The longest chain
    /// (earliest start) wins; none, an empty list.
    fn chain_before(&mut self, lin: u32, eip: u32, big: bool) -> Vec<(u32, u32, usize, String)> {
        let back = BACK_BYTES.min(eip);
        if back == 0 {
            return Vec::new();
        }
        let start_lin = lin.wrapping_sub(back);
        let start_off = eip.wrapping_sub(back);
        let buf = self.read_linear(start_lin, back as usize + 15);
        let model = self.pc.cpu.model;
        for first in 0..back as usize {
            let mut pos = first;
            let mut chain = Vec::new();
            while pos < back as usize {
                let bytes: Vec<u8> = buf[pos..].iter().map_while(|b| *b).collect();
                let off = start_off.wrapping_add(pos as u32);
                let off = if big { off } else { off & 0xFFFF };
                match disasm::disassemble(model, big, &bytes, off) {
                    Ok((text, len)) if len > 0 && text != "(bad)" => {
                        chain.push((start_lin.wrapping_add(pos as u32), off, len, text));
                        pos += len;
                    }
                    _ => break,
                }
            }
            if pos == back as usize {
                return chain;
            }
        }
        Vec::new()
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
        let ports = !self.pc.board.watch_ports.is_empty();
        self.pc.board.port_hit = None;
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
            if ports && self.pc.board.port_hit.is_some() {
                return None;
            }
        }
        Some(Exit::Budget)
    }

    /// Whether `runFor` may run at full speed: no breakpoint of any kind is set.
    pub(crate) fn no_breaks(&self) -> bool {
        self.breakpoints.is_empty()
            && self.break_vectors.is_empty()
            && !self.break_mode
            && self.pc.board.watch_ports.is_empty()
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
                let disasm = disasm::disassemble(self.pc.cpu.model, h.big, &h.bytes, h.eip)
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
        self.pc.board.port_hit = None;
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
        let big = self.code_big();
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
        let len = to_usize("len", len)?.min(MAX_READ);
        Ok(self
            .read_linear(linear, len)
            .into_iter()
            .map(|b| b.unwrap_or(0))
            .collect())
    }

    /// `len` bytes (at most 1 MiB) at physical address `addr`, as the CPU sees RAM and the
    /// BIOS (without side effects: the VGA window shows the RAM behind it, and past the end of
    /// RAM reads as FFh). Throws on a bad address or length.
    #[wasm_bindgen(js_name = readPhysical)]
    pub fn read_physical(&mut self, addr: f64, len: f64) -> Result<Vec<u8>, JsValue> {
        let addr = to_u32("physical address", addr)?;
        let len = to_usize("len", len)?;
        if len > MAX_READ {
            return Err(js_error(format!(
                "len {len} is more than readPhysical returns at once ({MAX_READ} bytes)"
            )));
        }
        Ok(self.pc.read(addr, len))
    }

    /// The linear address's physical address through the page tables (the address itself
    /// with paging off); undefined on a page that is not present.
    #[wasm_bindgen(js_name = linearToPhysical)]
    pub fn linear_to_physical(&mut self, linear: f64) -> Result<Option<u32>, JsValue> {
        let linear = to_u32("linear", linear)?;
        Ok(self.physical(linear))
    }

    /// `count` instructions from CS:EIP, after up to `before` instructions that lead to it:
    /// `[{linear, offset, bytes, text, before, current}]`. x86 code cannot be decoded
    /// backwards for sure, so those are found by decoding forward from each address 1 to 32
    /// bytes before EIP and keeping the longest chain whose last instruction ends exactly at
    /// EIP (no `(bad)` opcode, no missing byte); `before` marks them. When no start syncs there
    /// are none. The code size is that of CS: its D bit in protected mode, 16-bit in real and
    /// v86 mode.
    #[wasm_bindgen(js_name = disassembleAround)]
    pub fn disassemble_around(&mut self, before: f64, count: f64) -> Result<JsValue, JsValue> {
        let before = to_usize("before", before)?.min(32);
        let count = to_usize("count", count)?.min(256);
        let big = self.code_big();
        let cs_base = self.pc.cpu.segs[1].base;
        let eip = self.pc.cpu.eip;
        let lin = self.pc.cpu.pc_linear();
        let mut out = Vec::with_capacity(before + count);
        if before > 0 {
            let chain = self.chain_before(lin, eip, big);
            let skip = chain.len().saturating_sub(before);
            for (linear, offset, len, text) in chain.into_iter().skip(skip) {
                let bytes = self.read_linear_all(linear, len).unwrap_or_default();
                out.push(AroundLineJs {
                    linear,
                    offset,
                    bytes: hex_bytes(&bytes),
                    text,
                    before: true,
                    current: false,
                });
            }
        }
        let mut l = lin;
        for i in 0..count {
            let offset = l.wrapping_sub(cs_base);
            let offset = if big { offset } else { offset & 0xFFFF };
            let (len, text, bytes) = self.disasm_at(l, offset, big);
            out.push(AroundLineJs {
                linear: l,
                offset,
                bytes: hex_bytes(&bytes),
                text,
                before: false,
                current: i == 0,
            });
            l = l.wrapping_add(len as u32);
        }
        to_js(&out)
    }

    /// Stop `runFor` (answering "breakpoint") right after an instruction that reads or writes
    /// one of `ports` (0-65535; an access of 2 or 4 bytes covers the ports after its first;
    /// the built-in BIOS's own port accesses count too). Replaces the previous set; empty to
    /// clear. Throws on a number that is no port (and then changes nothing).
    #[wasm_bindgen(js_name = setPortBreaks)]
    pub fn set_port_breaks(&mut self, ports: Vec<f64>) -> Result<(), JsValue> {
        let mut v = Vec::with_capacity(ports.len());
        for p in ports {
            v.push(whole("port", p, f64::from(u16::MAX))? as u16);
        }
        v.sort_unstable();
        v.dedup();
        if v != self.pc.board.watch_ports {
            // The same set again keeps `portHit` (the page sets its breakpoints after each stop).
            self.pc.board.watch_ports = v;
            self.pc.board.port_hit = None;
        }
        Ok(())
    }

    #[wasm_bindgen(js_name = portBreaks)]
    pub fn port_breaks(&self) -> Vec<u16> {
        self.pc.board.watch_ports.clone()
    }

    /// The access to a watched port that stopped the last `runFor` (or happened in the last
    /// `step`): `{port, size, write, value, device}`; undefined if none did.
    #[wasm_bindgen(js_name = portHit)]
    pub fn port_hit(&self) -> Result<JsValue, JsValue> {
        match self.pc.board.port_hit {
            Some(PortHit {
                port,
                size,
                write,
                value,
            }) => to_js(&PortHitJs {
                port,
                size,
                write,
                value,
                device: Board::port_owner(port).map(device_name),
            }),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The interrupt table the CPU uses now: `{mode, base, limit, entries: [{vector, kind,
    /// type, selector, offset, dpl, present, target, readable}]}`. In real mode the IVT at
    /// IDTR (4-byte segment:offset vectors, kind "ivt"); in protected and v86 mode the IDT's
    /// gates (through the page tables), as many as its limit holds (at most 256).
    pub fn idt(&mut self) -> Result<JsValue, JsValue> {
        let c = &self.pc.cpu;
        let (base, limit) = (c.idtr.base, c.idtr.limit);
        let real = !c.protected_mode();
        let size = if real { 4 } else { 8 };
        let n = ((u64::from(limit) + 1) / size).min(256) as u32;
        let mut entries = Vec::with_capacity(n as usize);
        for v in 0..n {
            let at = base.wrapping_add(v * size as u32);
            let d = self.read_linear_all(at, size as usize);
            let vector = v as u8;
            entries.push(if real {
                match d {
                    Some(d) => {
                        let offset = u32::from(u16::from_le_bytes([d[0], d[1]]));
                        let selector = u16::from_le_bytes([d[2], d[3]]);
                        GateJs {
                            vector,
                            kind: "ivt",
                            typ: 0,
                            selector,
                            offset,
                            dpl: 0,
                            present: true,
                            target: Some((u32::from(selector) << 4).wrapping_add(offset)),
                            readable: true,
                        }
                    }
                    None => self.gate(vector, None),
                }
            } else {
                self.gate(vector, d)
            });
        }
        to_js(&IdtJs {
            mode: if real { "real" } else { "protected" },
            base,
            limit,
            entries,
        })
    }

    /// The page tables (32-bit paging, 4 KiB and, with CR4.PSE, 4 MiB pages): `{paging, cr3,
    /// directory, pse, pge, entries: [{index, linear, entry, address, big, flags, pages}],
    /// walk}`. `entries` are the present page-directory entries (flags by name: P R/W U/S PWT
    /// PCD A D PS G; `pages` counts the present entries of a 4 KiB table). With `linear`,
    /// `walk` follows it: `{linear, pdeAddress, pde, pdeFlags, big, pteAddress, pte, pteFlags,
    /// physical, stop, user, writable}` — `stop` is "pde" or "pte" where an entry is not
    /// present; with paging off the physical address is the linear one. Reads memory only.
    #[wasm_bindgen(js_name = pageTables)]
    pub fn page_tables(&mut self, linear: Option<f64>) -> Result<JsValue, JsValue> {
        let linear = linear.map(|l| to_u32("linear", l)).transpose()?;
        let c = &self.pc.cpu;
        let (cr3, cr4) = (c.cr3, c.cr4);
        let paging = c.cr0 & 0x8000_0000 != 0;
        let (pse, pge) = (cr4 & 0x10 != 0, cr4 & 0x80 != 0);
        let dir = cr3 & 0xFFFF_F000;
        let mut entries = Vec::new();
        let mut walk = None;
        if paging {
            let pd = self.pc.read(dir, 4096);
            for (i, e) in pd.chunks_exact(4).enumerate() {
                let pde = u32::from_le_bytes([e[0], e[1], e[2], e[3]]);
                if pde & 1 == 0 {
                    continue;
                }
                let big = pse && pde & 0x80 != 0;
                let (address, pages) = if big {
                    (pde & 0xFFC0_0000, None)
                } else {
                    let table = pde & 0xFFFF_F000;
                    let pt = self.pc.read(table, 4096);
                    let n = pt.chunks_exact(4).filter(|p| p[0] & 1 != 0).count();
                    (table, Some(n as u16))
                };
                entries.push(PdeJs {
                    index: i as u16,
                    linear: (i as u32) << 22,
                    entry: pde,
                    address,
                    big,
                    flags: set_names(pde, &PDE_FLAGS),
                    pages,
                });
            }
            if let Some(l) = linear {
                walk = Some(self.walk(dir, pse, l));
            }
        } else if let Some(l) = linear {
            walk = Some(WalkJs {
                linear: l,
                pde_address: None,
                pde: None,
                pde_flags: Vec::new(),
                big: false,
                pte_address: None,
                pte: None,
                pte_flags: Vec::new(),
                physical: Some(l),
                stop: None,
                user: true,
                writable: true,
            });
        }
        to_js(&PageTablesJs {
            paging,
            cr3,
            directory: dir,
            pse,
            pge,
            entries,
            walk,
        })
    }
}
