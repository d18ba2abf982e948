//! aula86 for JavaScript: a thin wasm-bindgen bridge over the `pc` crate.
//!
//! It holds no emulation logic. It turns JavaScript values into the machine's Rust types (with
//! clear errors instead of panics for bad input), and the machine's results back into plain
//! JavaScript values.
//!
//! ```js
//! import init, { Machine } from "./pkg/aula86_web.js";
//! await init();
//! const m = new Machine(16 << 20, "pentiumpro");
//! m.insertDisk("fda", bytes);  // a floppy image (Uint8Array); throws an Error with a .code
//! m.runFor(100_000, m.now() + 8e6);  // "budget" | "time" | "idle" | "halted" | ...
//! m.screenText();              // the text screen
//! m.renderFrame();             // {width, height, rgba} when the picture changed, else undefined
//! m.keyEvent(0x1E, true);      // press A (set-1 scan codes)
//! ```

use pc::cdrom::{CdError, CdImage, CD_SECTOR_SIZE};
use pc::cpu::{self, Model};
use pc::disk::{DiskError, DiskImage, DiskKind};
use pc::{Exit, Pc};
use serde::Serialize;
use std::collections::HashSet;
use wasm_bindgen::prelude::*;

mod teach;

/// The CPU model used when `new Machine(memBytes)` names none.
pub const DEFAULT_MODEL: Model = Model::I286;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JavaScript `Error` carrying `msg`.
fn js_error(msg: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(msg.as_ref()).into()
}

fn install_panic_hook() {
    // set_once installs the hook the first time only.
    console_error_panic_hook::set_once();
}

/// A JavaScript number that must be a whole number within `0..=max`.
fn whole(what: &str, v: f64, max: f64) -> Result<f64, JsValue> {
    if v.is_finite() && v.fract() == 0.0 && v >= 0.0 && v <= max {
        Ok(v)
    } else {
        Err(js_error(format!(
            "{what} must be a whole number from 0 to {max}, not {v}"
        )))
    }
}

fn to_u32(what: &str, v: f64) -> Result<u32, JsValue> {
    whole(what, v, u32::MAX as f64).map(|v| v as u32)
}

fn to_usize(what: &str, v: f64) -> Result<usize, JsValue> {
    let max = (usize::MAX as f64).min(MAX_SAFE_INTEGER);
    whole(what, v, max).map(|v| v as usize)
}

fn parse_model(name: Option<String>) -> Result<Model, JsValue> {
    match name {
        None => Ok(DEFAULT_MODEL),
        Some(n) => Model::from_name(&n).ok_or_else(|| {
            let known: Vec<&str> = Model::ALL.iter().map(|m| m.name()).collect();
            js_error(format!(
                "unknown CPU model '{n}' (known: {})",
                known.join(", ")
            ))
        }),
    }
}

/// The most guest memory a Machine takes: RAM is one buffer, and a buffer in 32-bit
/// WebAssembly is under 2 GiB (Rust's limit for one allocation there, `isize::MAX` bytes). The
/// native machine goes to 3 GiB.
pub const MAX_MEM_BYTES: usize = 2047 << 20;

/// An Error for guest memory of `mem_bytes` over the limit, or None.
fn check_mem_bytes(mem_bytes: usize) -> Result<(), JsValue> {
    if mem_bytes > MAX_MEM_BYTES {
        return Err(js_error(format!(
            "{} MiB of guest memory is more than the browser's machine holds: at most {} MiB",
            mem_bytes >> 20,
            MAX_MEM_BYTES >> 20
        )));
    }
    Ok(())
}

fn no_room_for_ram(mem_bytes: usize) -> JsValue {
    coded_error(
        "out-of-memory",
        format!("cannot allocate {mem_bytes} bytes of guest memory here"),
    )
}

/// A PC built from `config`, on `ram` when given (cleared already; `Machine.onRam` takes the
/// memory size from it).
fn new_pc(config: pc::Config, ram: Option<GuestRam>) -> Result<Pc, JsValue> {
    let mem_bytes = config.mem_bytes;
    check_mem_bytes(mem_bytes)?;
    if let Some(ram) = ram {
        let Some(mut mem) = pc::memory::Memory::from_fresh(ram.fresh) else {
            return Err(js_error(
                "the GuestRam is not ready: call fill() until it returns true",
            ));
        };
        return Pc::with_config_reusing(config, &mut mem).map_err(|e| js_error(e.to_string()));
    }
    // Ask for the memory first, so a size the tab cannot hold is an error and not an abort.
    let mut probe: Vec<u8> = Vec::new();
    if probe.try_reserve_exact(mem_bytes).is_err() {
        return Err(no_room_for_ram(mem_bytes));
    }
    drop(probe);
    Pc::with_config(config).map_err(|e| js_error(e.to_string()))
}

/// Guest memory made ready a piece at a time, for `new Machine(memBytes, model, rtc, ram)`.
/// A machine of a gigabyte or two otherwise holds the page for most of a second while the
/// browser's allocator clears its memory; in pieces of a few tens of megabytes, with the
/// browser's turn between them, the page stays responsive:
///
/// ```js
/// const ram = new GuestRam(memBytes);
/// while (!ram.fill(32 << 20)) await nextTask();
/// const m = new Machine(memBytes, "pentiumpro", undefined, ram);
/// ```
#[wasm_bindgen]
pub struct GuestRam {
    fresh: pc::memory::FreshRam,
}

#[wasm_bindgen]
impl GuestRam {
    /// `new GuestRam(memBytes)`: room for `memBytes` of guest memory, not yet cleared. Throws
    /// an Error over 2047 MiB, and one with `code` "out-of-memory" when the tab cannot have it.
    #[wasm_bindgen(constructor)]
    pub fn new(mem_bytes: f64) -> Result<GuestRam, JsValue> {
        let mem_bytes = to_usize("memBytes", mem_bytes)?;
        check_mem_bytes(mem_bytes)?;
        let fresh = pc::memory::FreshRam::new(mem_bytes).map_err(|_| no_room_for_ram(mem_bytes))?;
        Ok(GuestRam { fresh })
    }

    /// Clear up to `bytes` more of it; returns whether all of it is ready.
    pub fn fill(&mut self, bytes: f64) -> Result<bool, JsValue> {
        Ok(self.fresh.fill(to_usize("bytes", bytes)?))
    }

    /// Whether all of it is cleared.
    #[wasm_bindgen(getter)]
    pub fn ready(&self) -> bool {
        self.fresh.is_ready()
    }
}

impl Machine {
    /// A machine of `mem_bytes` running `firmware`, on `ram` when given (see `Machine.onRam`).
    fn build(
        mem_bytes: usize,
        model: Option<String>,
        rtc_unix_seconds: Option<f64>,
        firmware: pc::Firmware,
        ram: Option<GuestRam>,
    ) -> Result<Machine, JsValue> {
        install_panic_hook();
        let model = parse_model(model)?;
        let mut config = pc::Config {
            model,
            mem_bytes,
            firmware,
            ..pc::Config::default()
        };
        if let Some(t) = rtc_unix_seconds {
            config.rtc_unix_seconds = to_rtc_seconds(t)?;
        }
        let pc = new_pc(config, ram)?;
        Ok(Machine {
            pc,
            breakpoints: Vec::new(),
            break_vectors: Vec::new(),
            break_mode: false,
        })
    }
}

/// What `Machine.run` returns for each way a run can end.
fn exit_name(e: Exit) -> &'static str {
    match e {
        // No time limit is given to `Pc::run`, so a time limit is only ever a full budget.
        Exit::Budget | Exit::TimeLimit => "budget",
        Exit::Stopped => "halted",
        Exit::Idle => "idle",
        Exit::TripleFault => "shutdown",
        Exit::PowerOff => "poweroff",
    }
}

/// `Machine.counters()` as JavaScript sees it (numbers, exact below 2^53).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CountersJs {
    instructions: f64,
    exceptions: f64,
    invalid_opcodes: f64,
    interrupts: f64,
    cache_hits: f64,
    cache_misses: f64,
}

impl From<cpu::Counters> for CountersJs {
    fn from(c: cpu::Counters) -> Self {
        CountersJs {
            instructions: c.instructions as f64,
            exceptions: c.exceptions as f64,
            invalid_opcodes: c.invalid_opcodes as f64,
            interrupts: c.interrupts as f64,
            cache_hits: c.cache_hits as f64,
            cache_misses: c.cache_misses as f64,
        }
    }
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(v).map_err(|e| js_error(e.to_string()))
}

/// A JavaScript `Error` carrying `msg`, with a `code` property the page can act on.
fn coded_error(code: &str, msg: impl AsRef<str>) -> JsValue {
    let e = js_sys::Error::new(msg.as_ref());
    // Setting a property on a fresh Error object cannot fail; if it did, the message remains.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}

/// The `code` of the Error thrown for each way a disk image can be refused.
fn disk_error_code(e: &DiskError) -> &'static str {
    match e {
        DiskError::Empty => "empty",
        DiskError::NotFloppySize { .. } => "not-floppy-size",
        DiskError::Truncated { .. } => "truncated",
        DiskError::TooLarge { .. } => "too-large",
        DiskError::NotADisk { .. } => "not-a-disk",
        DiskError::NoSuchDrive { .. } => "no-such-drive",
        DiskError::WrongKind { .. } => "wrong-kind",
    }
}

fn disk_error(e: &DiskError) -> JsValue {
    coded_error(disk_error_code(e), e.to_string())
}

/// The `code` of the Error thrown for each way a CD image can be refused.
fn cd_error_code(e: &CdError) -> &'static str {
    match e {
        CdError::Empty => "empty",
        CdError::NotWholeSectors { .. } => "truncated",
        CdError::TooSmall { .. } | CdError::NotIso9660 => "not-iso",
    }
}

fn cd_error(e: &CdError) -> JsValue {
    coded_error(cd_error_code(e), e.to_string())
}

/// Whether `bytes` hold an ISO 9660 volume descriptor ("CD001" at sector 16): what the slot
/// "auto" sends to the CD-ROM drive.
fn looks_like_iso(bytes: &[u8]) -> bool {
    let at = 16 * CD_SECTOR_SIZE;
    bytes.len() >= at + CD_SECTOR_SIZE && &bytes[at + 1..at + 6] == b"CD001"
}

/// A drive slot as the page names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Floppy drive 0 (A:) or 1 (B:).
    Floppy(u8),
    /// ATA primary master (0, C:) or slave (1).
    Hard(u8),
    /// The CD-ROM drive (ATAPI, master of the secondary channel).
    Cdrom,
}

/// The slot names `insertDisk` and friends accept.
const SLOT_NAMES: &str = "fda, fdb, hda, hdb, cdrom";

fn parse_slot(name: &str) -> Result<Slot, JsValue> {
    match name.to_ascii_lowercase().as_str() {
        "fda" | "a" | "a:" => Ok(Slot::Floppy(0)),
        "fdb" | "b" | "b:" => Ok(Slot::Floppy(1)),
        "hda" | "c" | "c:" => Ok(Slot::Hard(0)),
        "hdb" | "d" | "d:" => Ok(Slot::Hard(1)),
        "cdrom" | "cd" => Ok(Slot::Cdrom),
        _ => Err(coded_error(
            "bad-slot",
            format!("unknown drive slot '{name}' (known: {SLOT_NAMES})"),
        )),
    }
}

fn slot_name(slot: Slot) -> &'static str {
    match slot {
        Slot::Floppy(0) => "fda",
        Slot::Floppy(_) => "fdb",
        Slot::Hard(0) => "hda",
        Slot::Hard(_) => "hdb",
        Slot::Cdrom => "cdrom",
    }
}

/// `Machine.diskInfo(slot)` as JavaScript sees it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiskInfoJs {
    slot: &'static str,
    /// "floppy disk", "hard disk" or "CD-ROM".
    kind: String,
    /// The size of the image file (what `diskImage` returns).
    bytes: f64,
    sectors: f64,
    cylinders: u32,
    heads: u32,
    sectors_per_track: u32,
    /// The floppy format ("1.44M"), "ISO 9660" for a CD, or "" for a hard disk.
    format: String,
    modified: bool,
    writable: bool,
    /// Whether the first sector holds something (not all one byte value); for a CD, whether
    /// it has an El Torito boot entry.
    bootable: bool,
    notes: Vec<String>,
}

/// `diskInfo` of the disc in the CD-ROM drive: 2048-byte sectors, never writable; `bootable`
/// when it has a usable El Torito boot entry (else a note says why not).
fn cd_info(cd: &CdImage) -> DiskInfoJs {
    let (bootable, notes) = match cd.boot_entry() {
        Ok(_) => (true, Vec::new()),
        Err(e) => (false, vec![e.to_string()]),
    };
    DiskInfoJs {
        slot: "cdrom",
        kind: "CD-ROM".to_string(),
        bytes: cd.bytes().len() as f64,
        sectors: cd.sectors() as f64,
        cylinders: 0,
        heads: 0,
        sectors_per_track: 0,
        format: "ISO 9660".to_string(),
        modified: false,
        writable: false,
        bootable,
        notes,
    }
}

fn disk_info(slot: Slot, d: &DiskImage) -> DiskInfoJs {
    let g = d.geometry();
    DiskInfoJs {
        slot: slot_name(slot),
        kind: d.kind().to_string(),
        // (Four times a second on the page: a 64 MB disk must not be copied for its size.)
        bytes: d.file_len() as f64,
        sectors: d.sectors() as f64,
        cylinders: g.cylinders,
        heads: g.heads,
        sectors_per_track: g.sectors,
        format: d
            .floppy_format()
            .map(|f| f.name.to_string())
            .unwrap_or_default(),
        modified: d.is_modified(),
        writable: d.is_writable(),
        bootable: d.boot_sector_plausible(),
        notes: d.notes().to_vec(),
    }
}

/// `{width, height, rgba}` for a picture (RGBA8888 rows, top to bottom).
fn frame_js(f: &pc::devices::vga::Frame<'_>) -> Result<JsValue, JsValue> {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    set("width", JsValue::from(f.width))?;
    set("height", JsValue::from(f.height))?;
    set("rgba", js_sys::Uint8ClampedArray::from(f.rgba).into())?;
    Ok(o.into())
}

/// A JavaScript number that must be a whole number of seconds a clock can show.
fn to_rtc_seconds(v: f64) -> Result<i64, JsValue> {
    // 1970 to about 2200: what a CMOS clock with a century byte can hold, and then some.
    if v.is_finite() && v.fract() == 0.0 && (0.0..=7_300_000_000.0).contains(&v) {
        Ok(v as i64)
    } else {
        Err(js_error(format!(
            "rtcUnixSeconds must be a whole number of seconds from 0 to 7300000000, not {v}"
        )))
    }
}

/// Whether `code` is a set-1 scan code the keyboard can send: 01h-7Fh, E0h-prefixed
/// E001h-E07Fh, or E11Dh (Pause).
fn valid_scan_code(code: u32) -> bool {
    matches!(code, 0x01..=0x7F | 0xE001..=0xE07F | 0xE11D)
}

/// The largest disk or CD image a drive takes here (the page says the same).
pub const MAX_IMAGE_BYTES: usize = 1 << 30;

/// A disk or CD image being read in, chunk by chunk, before it goes into a drive
/// (`Machine.insertDiskBuffer`). A large file then never sits whole in JavaScript beside its
/// copy here, and no single call copies more than a chunk: a page that reads a 700 MB ISO in
/// chunks of a few megabytes stays responsive while it does.
#[wasm_bindgen]
pub struct ImageBuffer {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl ImageBuffer {
    /// `new ImageBuffer(sizeHint?)`: an empty image, with room reserved for `sizeHint` bytes
    /// (its expected size, when known). Throws an Error with `code` "too-large" for a size over
    /// 1 GiB or one the tab cannot allocate beside the machine.
    #[wasm_bindgen(constructor)]
    pub fn new(size_hint: Option<f64>) -> Result<ImageBuffer, JsValue> {
        let hint = size_hint.unwrap_or(0.0);
        if !(hint.is_finite() && hint >= 0.0) {
            return Err(js_error(format!(
                "an image's size is a number of bytes, not {hint}"
            )));
        }
        let mut buffer = ImageBuffer { bytes: Vec::new() };
        buffer.reserve(hint as u64)?;
        Ok(buffer)
    }

    /// Add `chunk` (a Uint8Array) at the end, copied once, straight from JavaScript's memory
    /// into place. Throws "too-large" as the constructor does.
    pub fn append(&mut self, chunk: &js_sys::Uint8Array) -> Result<(), JsValue> {
        let start = self.bytes.len();
        let needed = start as u64 + chunk.length() as u64;
        if needed > self.bytes.capacity() as u64 {
            // Grow by at least half, as a Vec would, but with the limit and a clear error.
            let more = (needed - start as u64).max(start as u64 / 2);
            let wanted = (start as u64 + more).min(MAX_IMAGE_BYTES as u64);
            self.reserve(wanted.max(needed))?;
        }
        self.bytes.resize(needed as usize, 0);
        chunk.copy_to(&mut self.bytes[start..]);
        Ok(())
    }

    /// Bytes appended so far.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> f64 {
        self.bytes.len() as f64
    }
}

impl ImageBuffer {
    /// Make room for `total` bytes in all.
    fn reserve(&mut self, total: u64) -> Result<(), JsValue> {
        let too_large = |what: &str| {
            coded_error(
                "too-large",
                format!("the image is {} MiB; {what}", total.div_ceil(1 << 20)),
            )
        };
        if total > MAX_IMAGE_BYTES as u64 {
            return Err(too_large(&format!(
                "a drive here takes images up to {} MiB",
                MAX_IMAGE_BYTES >> 20
            )));
        }
        let more = (total as usize).saturating_sub(self.bytes.len());
        if self.bytes.try_reserve_exact(more).is_err() {
            return Err(too_large(
                "the browser cannot give this tab that much more memory beside the machine's",
            ));
        }
        Ok(())
    }
}

/// One emulated PC: CPU, memory, devices, drives, display, keyboard, mouse and serial port.
#[wasm_bindgen]
pub struct Machine {
    pc: Pc,
    /// Linear addresses `runFor` stops before (see `setBreakpoints`).
    breakpoints: Vec<u32>,
    /// Exception vectors `runFor` stops after (see `setEventBreaks`).
    break_vectors: Vec<u8>,
    /// Stop after a mode change (see `setEventBreaks`).
    break_mode: bool,
}

#[wasm_bindgen]
impl Machine {
    /// `new Machine(memBytes, model?)`: a powered-on PC with `memBytes` of RAM (the PC takes
    /// 1 MiB to 2047 MiB) and the built-in BIOS, its CPU at the reset vector. `model` is "8086",
    /// "186", "286", "386", "486", "pentium" or "pentiumpro" (default "286"). Throws an Error on
    /// a bad size or model.
    /// `rtcUnixSeconds` is what the real-time clock reads at power-on (seconds since 1970 as a
    /// local time; default 2026-01-01 00:00:00, the same every run).
    #[wasm_bindgen(constructor)]
    pub fn new(
        mem_bytes: f64,
        model: Option<String>,
        rtc_unix_seconds: Option<f64>,
    ) -> Result<Machine, JsValue> {
        let mem_bytes = to_usize("memBytes", mem_bytes)?;
        Machine::build(
            mem_bytes,
            model,
            rtc_unix_seconds,
            pc::Firmware::Builtin,
            None,
        )
    }

    /// `Machine.onRam(ram, model?, rtcUnixSeconds?)`: as the constructor, with a [`GuestRam`]
    /// that `fill` has made ready as its memory (of the GuestRam's size), so that the
    /// constructor has no memory to clear. The GuestRam is used up.
    #[wasm_bindgen(js_name = onRam)]
    pub fn on_ram(
        ram: GuestRam,
        model: Option<String>,
        rtc_unix_seconds: Option<f64>,
    ) -> Result<Machine, JsValue> {
        let mem_bytes = ram.fresh.size();
        Machine::build(
            mem_bytes,
            model,
            rtc_unix_seconds,
            pc::Firmware::Builtin,
            Some(ram),
        )
    }

    /// `Machine.withFirmware(memBytes, model, rtcUnixSeconds, bios, vgaBios?)`: as the
    /// constructor, but the PC runs the given system BIOS (e.g. SeaBIOS's `bios.bin`: 64, 128,
    /// 192 or 256 KiB, mapped below 1 MiB and 4 GiB) instead of the built-in one, with an
    /// optional VGA BIOS option ROM at C0000h (`vgabios-stdvga.bin`). Throws an Error that says
    /// what is wrong with a file (its size, no 55AAh option-ROM signature).
    #[wasm_bindgen(js_name = withFirmware)]
    pub fn with_firmware(
        mem_bytes: f64,
        model: Option<String>,
        rtc_unix_seconds: Option<f64>,
        bios: Vec<u8>,
        vga_bios: Option<Vec<u8>>,
    ) -> Result<Machine, JsValue> {
        let mem_bytes = to_usize("memBytes", mem_bytes)?;
        let firmware = pc::Firmware::Rom { bios, vga_bios };
        Machine::build(mem_bytes, model, rtc_unix_seconds, firmware, None)
    }

    /// Whether the machine runs the built-in BIOS (false: firmware given to `withFirmware`).
    #[wasm_bindgen(getter, js_name = builtinBios)]
    pub fn builtin_bios(&self) -> bool {
        self.pc.bios.is_builtin()
    }

    /// Copy `bytes` into guest memory at physical address `addr`. Throws if they do not fit.
    pub fn load(&mut self, addr: f64, bytes: &[u8]) -> Result<(), JsValue> {
        let addr = to_u32("addr", addr)?;
        self.pc
            .load(addr, bytes)
            .map_err(|e| js_error(e.to_string()))
    }

    /// Set a register by name ("eax", "ax", "al", "ip", "flags", "cs", ...). Segment registers
    /// are loaded as in real mode. Throws on an unknown name or a value outside 0..2^32.
    #[wasm_bindgen(js_name = setReg)]
    pub fn set_reg(&mut self, name: &str, value: f64) -> Result<(), JsValue> {
        let value = to_u32("register value", value)?;
        if self.pc.cpu.set_named(name, value) {
            Ok(())
        } else {
            Err(unknown_register(name))
        }
    }

    /// Read a register by name. Throws on an unknown name.
    #[wasm_bindgen(js_name = getReg)]
    pub fn get_reg(&self, name: &str) -> Result<u32, JsValue> {
        self.pc
            .cpu
            .get_named(name)
            .ok_or_else(|| unknown_register(name))
    }

    /// Run at most `n` instructions. Returns why it stopped: "budget" (all `n` ran), "halted"
    /// (HLT with interrupts off: stopped until reset), "idle" (HLT with interrupts on and no
    /// device with anything to do: waiting for input), "shutdown" (triple fault) or "poweroff"
    /// (the guest turned the machine off).
    pub fn run(&mut self, n: f64) -> Result<String, JsValue> {
        let n = whole("instruction count", n, MAX_SAFE_INTEGER)? as u64;
        Ok(exit_name(self.pc.run(n, None)).to_string())
    }

    /// `{instructions, exceptions, invalidOpcodes, interrupts, cacheHits, cacheMisses}`.
    pub fn counters(&self) -> Result<JsValue, JsValue> {
        to_js(&CountersJs::from(self.pc.counters()))
    }

    /// "real", "protected", "protected+paging" or "v86".
    pub fn mode(&self) -> String {
        self.pc.cpu.mode_name().to_string()
    }

    /// Current privilege level, 0-3.
    pub fn cpl(&self) -> u8 {
        self.pc.cpu.cpl()
    }

    /// `len` bytes of guest memory from physical address `addr` (past the end of RAM read as
    /// 0xFF). `len` may not exceed the memory size.
    #[wasm_bindgen(js_name = readMem)]
    pub fn read_mem(&mut self, addr: f64, len: f64) -> Result<Vec<u8>, JsValue> {
        let addr = to_u32("addr", addr)?;
        let len = to_usize("len", len)?;
        let mem_bytes = self.pc.config.mem_bytes;
        if len > mem_bytes {
            return Err(js_error(format!(
                "len {len} is larger than the machine's {mem_bytes} bytes of memory"
            )));
        }
        Ok(self.pc.read(addr, len))
    }

    /// What the guest wrote to port 0xE9, one character per byte (Latin-1), from byte `start`
    /// (default 0) on.
    #[wasm_bindgen(js_name = debugOutput)]
    pub fn debug_output(&self, start: Option<f64>) -> Result<String, JsValue> {
        let start = to_usize("start", start.unwrap_or(0.0))?;
        Ok(self
            .pc
            .debug_output()
            .get(start..)
            .unwrap_or_default()
            .iter()
            .map(|&b| char::from(b))
            .collect())
    }

    /// How many bytes the guest has written to port 0xE9.
    #[wasm_bindgen(js_name = debugOutputLength)]
    pub fn debug_output_length(&self) -> f64 {
        self.pc.debug_output().len() as f64
    }

    /// Power-cycle: a fresh machine built the same way (memory cleared, firmware and devices
    /// reset, CPU at the reset vector, counters, debug and serial output emptied). The disks
    /// stay in their drives, with what the guest wrote to them. `rtcUnixSeconds` sets the
    /// clock the new machine starts with (default: what the old one started with).
    pub fn reset(&mut self, rtc_unix_seconds: Option<f64>) -> Result<(), JsValue> {
        let config = self.config_at(rtc_unix_seconds)?;
        self.rebuild(config)
    }

    /// This machine's configuration, with the clock at power-on set to `rtc_unix_seconds` if given.
    fn config_at(&self, rtc_unix_seconds: Option<f64>) -> Result<pc::Config, JsValue> {
        let mut config = self.pc.config.clone();
        if let Some(t) = rtc_unix_seconds {
            config.rtc_unix_seconds = to_rtc_seconds(t)?;
        }
        Ok(config)
    }

    /// `setFirmware(bios?, vgaBios?, rtcUnixSeconds?)`: power-cycle into other firmware, `bios`
    /// a system BIOS image as `withFirmware` takes it (e.g. SeaBIOS's `bios.bin`) with an
    /// optional VGA BIOS option ROM, or no `bios` for the built-in BIOS. Otherwise as `reset`:
    /// the disks stay in, the speed and the breakpoints stay. Throws an Error that says what is
    /// wrong with a file, and then the machine runs on as it was.
    #[wasm_bindgen(js_name = setFirmware)]
    pub fn set_firmware(
        &mut self,
        bios: Option<Vec<u8>>,
        vga_bios: Option<Vec<u8>>,
        rtc_unix_seconds: Option<f64>,
    ) -> Result<(), JsValue> {
        let mut config = self.config_at(rtc_unix_seconds)?;
        config.firmware = match (bios, vga_bios) {
            (Some(bios), vga_bios) => pc::Firmware::Rom { bios, vga_bios },
            (None, None) => pc::Firmware::Builtin,
            (None, Some(_)) => {
                return Err(js_error(
                    "a VGA BIOS goes with a system BIOS: the built-in BIOS has its own",
                ))
            }
        };
        self.rebuild(config)
    }

    /// Replace the PC by a new one built from `config`, on the old one's RAM buffer (cleared),
    /// so that this does not need room for a second copy of guest memory, and with its disks.
    /// On failure (firmware that cannot be used) the old machine is kept as it was.
    fn rebuild(&mut self, config: pc::Config) -> Result<(), JsValue> {
        let mut fresh = Pc::with_config_reusing(config, &mut self.pc.board.mem)
            .map_err(|e| js_error(e.to_string()))?;
        // The drives' images move over. (A drive takes back what it held, so this does not
        // fail; if it did, the new machine would still take over, without that disk.)
        let mut moved = Ok(());
        for d in 0..2 {
            if let Some(img) = self.pc.eject_floppy(d) {
                if let Err(e) = fresh.insert_floppy(d, img) {
                    moved = Err(disk_error(&e));
                }
            }
            if let Some(img) = self.pc.detach_hard_disk(d) {
                if let Err(e) = fresh.attach_hard_disk(d, img) {
                    moved = Err(disk_error(&e));
                }
            }
        }
        if self.pc.has_cdrom_drive() {
            fresh.attach_cdrom_drive();
        }
        if let Some(cd) = self.pc.eject_cdrom() {
            fresh.insert_cdrom(cd);
        }
        // The I/O breakpoints (`setPortBreaks`) stay, as the other breakpoints do.
        fresh.board.watch_ports = std::mem::take(&mut self.pc.board.watch_ports);
        self.pc = fresh;
        moved
    }

    /// Set the CPU's speed: `mips` million instructions per second of emulated time (0.001 to
    /// 10000), or 0 for the default (a 50 MIPS clock, which the page runs as fast as the host
    /// allows). Emulated time per instruction changes, not the clock: timers keep real time,
    /// and a paced run (`runFor` to the wall clock) executes about `mips` million instructions a
    /// second while the guest is busy. Kept across `reset`. Throws on a bad number.
    #[wasm_bindgen(js_name = setMips)]
    pub fn set_mips(&mut self, mips: f64) -> Result<(), JsValue> {
        let ps = if mips == 0.0 {
            pc::Config::default().ps_per_insn
        } else if mips.is_finite() && (0.001..=10_000.0).contains(&mips) {
            (1e6 / mips).round().max(1.0) as u64
        } else {
            return Err(js_error(format!(
                "mips must be 0 (the default) or from 0.001 to 10000, not {mips}"
            )));
        };
        // Emulated time so far stays; only the instructions from here on take the new time.
        let b = &mut self.pc.board;
        let insns = b.cur_insns;
        b.rebase(insns);
        b.ps_per_insn = ps;
        self.pc.config.ps_per_insn = ps;
        Ok(())
    }

    /// The CPU's speed in million instructions per emulated second (see `setMips`).
    pub fn mips(&self) -> f64 {
        1e6 / self.pc.board.ps_per_insn as f64
    }

    /// Run for at most `n` instructions, and (when `untilNs` is given) until emulated time
    /// reaches `untilNs` nanoseconds (see `now()`): the page paces the machine to the wall clock
    /// this way. Returns "budget" (all `n` ran), "time" (the time came; a halted CPU waiting
    /// for an interrupt jumps to it at once), "idle" (halted, and nothing will happen until
    /// input from the host), "halted" (HLT with interrupts off), "shutdown" (triple fault) or
    /// "poweroff"; or "breakpoint" when it stopped before an instruction at a breakpoint
    /// (`setBreakpoints`) or after an exception or mode change it was asked to stop at
    /// (`setEventBreaks`).
    #[wasm_bindgen(js_name = runFor)]
    pub fn run_for(&mut self, n: f64, until_ns: Option<f64>) -> Result<String, JsValue> {
        let n = whole("instruction count", n, MAX_SAFE_INTEGER)? as u64;
        let until = match until_ns {
            Some(t) => Some(whole("untilNs", t, MAX_SAFE_INTEGER)? as u64),
            None => None,
        };
        let exit = if self.no_breaks() {
            Some(self.pc.run(n, until))
        } else {
            self.run_with_breakpoints(n, until)
        };
        Ok(match exit {
            None => "breakpoint",
            Some(Exit::TimeLimit) => "time",
            Some(e) => exit_name(e),
        }
        .to_string())
    }

    /// Emulated time since power-on, in nanoseconds.
    pub fn now(&self) -> f64 {
        self.pc.now() as f64
    }

    /// How many triple faults the CPU has had since power-on.
    #[wasm_bindgen(js_name = tripleFaults)]
    pub fn triple_faults(&self) -> f64 {
        self.pc.triple_faults as f64
    }

    /// What the built-in BIOS had to say (boot problems, "No bootable disk"), oldest first,
    /// from message `start` (default 0) on.
    #[wasm_bindgen(js_name = firmwareMessages)]
    pub fn firmware_messages(&self, start: Option<f64>) -> Result<Vec<String>, JsValue> {
        let start = to_usize("start", start.unwrap_or(0.0))?;
        Ok(self
            .pc
            .bios
            .messages
            .get(start..)
            .unwrap_or_default()
            .to_vec())
    }

    // ---- keyboard, mouse, serial port ----

    /// Press (`down` true) or release a key: a set-1 scan code, 01h-7Fh, or E0xxh for the
    /// extended keys (E048h is the arrow up key, E01Dh the right Ctrl), or E11Dh for Pause.
    /// Throws on anything else.
    #[wasm_bindgen(js_name = keyEvent)]
    pub fn key_event(&mut self, code: f64, down: bool) -> Result<(), JsValue> {
        let c = to_u32("key code", code)?;
        if !valid_scan_code(c) {
            return Err(js_error(format!(
                "key code {c:#X} is not a set-1 scan code (01h-7Fh, E001h-E07Fh, or E11Dh for Pause)"
            )));
        }
        self.pc.key_event(c as u16, down);
        Ok(())
    }

    /// Type text on the US keyboard layout, at a human pace (queued; see `typingPending()`).
    /// Throws, with nothing typed, when a character has no key.
    #[wasm_bindgen(js_name = typeText)]
    pub fn type_text(&mut self, text: &str) -> Result<(), JsValue> {
        self.pc.type_text(text).map_err(|c| {
            js_error(format!(
                "cannot type {c:?}: the keyboard (US layout) has no key for it"
            ))
        })
    }

    /// Whether key presses from `typeText` are still waiting to be sent.
    #[wasm_bindgen(js_name = typingPending)]
    pub fn typing_pending(&self) -> bool {
        self.pc.typing_pending()
    }

    /// The PS/2 mouse moved by (`dx` right, `dy` up) and its buttons are `buttons` (bit 0
    /// left, 1 right, 2 middle); `wheel` for guests that turned the wheel on.
    #[wasm_bindgen(js_name = mouseEvent)]
    pub fn mouse_event(&mut self, dx: i32, dy: i32, buttons: u8, wheel: i32) {
        self.pc.mouse_event(dx, dy, buttons, wheel);
    }

    /// The bytes the guest sent to COM1 since the last call.
    #[wasm_bindgen(js_name = takeSerial)]
    pub fn take_serial(&mut self) -> Vec<u8> {
        self.pc.take_serial()
    }

    /// Send bytes to the guest through COM1 (they arrive at the line's pace).
    #[wasm_bindgen(js_name = serialInput)]
    pub fn serial_input(&mut self, bytes: &[u8]) {
        self.pc.serial_input(bytes);
    }

    // ---- display ----

    /// The text screen, one line a row with trailing blanks removed; "" in graphics modes.
    #[wasm_bindgen(js_name = screenText)]
    pub fn screen_text(&self) -> String {
        self.pc.screen_text()
    }

    /// The display mode: "text 80x25", "320x200x256", "vbe 800x600x32", "off".
    #[wasm_bindgen(js_name = videoMode)]
    pub fn video_mode(&self) -> String {
        self.pc.video_mode()
    }

    /// The picture as `{width, height, rgba}` (a Uint8ClampedArray of RGBA rows, ready for
    /// `new ImageData(rgba, width, height)`) when it changed since the last call, else
    /// undefined. The size is the mode's own (720x400 for text, 320x200 for mode 13h): the
    /// page scales it.
    #[wasm_bindgen(js_name = renderFrame)]
    pub fn render_frame(&mut self) -> Result<JsValue, JsValue> {
        match self.pc.render_frame() {
            Some(f) => frame_js(&f),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// What changed in the picture since the last call (of this or `renderFrame`), as
    /// `{width, height, y, rgba}`: `rgba` holds the rows from `y` on that differ (all of them
    /// for a first picture or a new size), ready for `new ImageData(rgba, width)` drawn at row
    /// `y` over the picture before; undefined when nothing changed. A text cursor's blink is a
    /// few rows instead of the whole picture: what the page draws with.
    #[wasm_bindgen(js_name = renderChanges)]
    pub fn render_changes(&mut self) -> Result<JsValue, JsValue> {
        let Some(f) = self.pc.render_frame() else {
            return Ok(JsValue::UNDEFINED);
        };
        let (first, end) = f.changed_rows;
        let row = f.width as usize * 4;
        let rows = f
            .rgba
            .get(first as usize * row..end as usize * row)
            .unwrap_or(f.rgba);
        let y = if rows.len() == f.rgba.len() { 0 } else { first };
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        set("width", JsValue::from(f.width))?;
        set("height", JsValue::from(f.height))?;
        set("y", JsValue::from(y))?;
        set("rgba", js_sys::Uint8ClampedArray::from(rows).into())?;
        Ok(o.into())
    }

    /// The picture as last shown (for screenshots), whether or not it changed; undefined while
    /// the display is off.
    #[wasm_bindgen(js_name = currentFrame)]
    pub fn current_frame(&mut self) -> Result<JsValue, JsValue> {
        match self.pc.current_frame() {
            Some(f) => frame_js(&f),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    // ---- drives ----

    /// Put a disk image (the bytes of the file) in a drive: "fda" (A:) or "fdb" (B:) for
    /// floppies, "hda" (C:) or "hdb" for hard disks, "cdrom" for an ISO 9660 CD image, or
    /// "auto" (an ISO image goes to the CD-ROM drive, a floppy size to A:, anything else to
    /// C:). Returns `diskInfo` of the drive. A hard disk is counted by the BIOS at power-on:
    /// reset after attaching one to boot from it. The BIOS boots A:, then C:, then the CD (El
    /// Torito). Throws an Error whose `code` says why an image was refused: "empty",
    /// "not-floppy-size" (it may be a hard disk image), "truncated", "too-large", "not-a-disk",
    /// "not-iso" (not an ISO 9660 CD image), "bad-slot".
    #[wasm_bindgen(js_name = insertDisk)]
    pub fn insert_disk(&mut self, slot: &str, bytes: Vec<u8>) -> Result<JsValue, JsValue> {
        self.insert_image(slot, bytes)
    }

    /// `insertDisk` with an image read in through an [`ImageBuffer`], which this takes (its
    /// bytes move into the drive without a copy; the buffer cannot be used again).
    #[wasm_bindgen(js_name = insertDiskBuffer)]
    pub fn insert_disk_buffer(
        &mut self,
        slot: &str,
        image: ImageBuffer,
    ) -> Result<JsValue, JsValue> {
        self.insert_image(slot, image.bytes)
    }

    /// `length` bytes of the image in a drive from byte `offset`, as `diskImage` would give
    /// them (cut short at its end): the page saves a large disk in pieces this way, without a
    /// copy of all of it at once. Throws for an empty drive or a bad range.
    #[wasm_bindgen(js_name = diskBytes)]
    pub fn disk_bytes(
        &self,
        slot: &str,
        offset: f64,
        length: f64,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let slot = parse_slot(slot)?;
        let whole = |v: f64| v.is_finite() && v >= 0.0 && v.fract() == 0.0;
        if !whole(offset) || !whole(length) {
            return Err(js_error(format!(
                "diskBytes takes a whole offset and length, not {offset} and {length}"
            )));
        }
        let Some((data, trailer)) = self.file_parts(slot) else {
            return Err(js_error(format!("drive {} is empty", slot_name(slot))));
        };
        let total = (data.len() + trailer.len()) as f64;
        let start = offset.min(total) as usize;
        let end = (offset + length).min(total) as usize;
        // Copied once, from the disk straight into a new JavaScript array.
        let out = js_sys::Uint8Array::new_with_length((end - start) as u32);
        for (part, at) in [(data, 0), (trailer, data.len())] {
            let (from, to) = (start.max(at), end.min(at + part.len()));
            if from < to {
                out.subarray((from - start) as u32, (to - start) as u32)
                    .copy_from(&part[from - at..to - at]);
            }
        }
        Ok(out)
    }

    /// Take the disk out of a drive; returns whether there was one.
    #[wasm_bindgen(js_name = ejectDisk)]
    pub fn eject_disk(&mut self, slot: &str) -> Result<bool, JsValue> {
        Ok(match parse_slot(slot)? {
            Slot::Floppy(d) => self.pc.eject_floppy(d).is_some(),
            Slot::Hard(i) => self.pc.detach_hard_disk(i).is_some(),
            Slot::Cdrom => self.pc.eject_cdrom().is_some(),
        })
    }

    /// The image in a drive as a file would hold it, with everything the guest wrote (a CD as
    /// it went in); undefined for an empty drive.
    #[wasm_bindgen(js_name = diskImage)]
    /// Throws an Error with `code` "out-of-memory" when the tab has no room for the copy
    /// (`diskBytes` copies a piece at a time).
    pub fn disk_image(&self, slot: &str) -> Result<Option<Vec<u8>>, JsValue> {
        let Some((data, trailer)) = self.file_parts(parse_slot(slot)?) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        if out.try_reserve_exact(data.len() + trailer.len()).is_err() {
            return Err(coded_error(
                "out-of-memory",
                format!(
                    "the tab has no room for a copy of the {} MiB image: take it out in pieces \
                     with diskBytes",
                    (data.len() + trailer.len()).div_ceil(1 << 20)
                ),
            ));
        }
        out.extend_from_slice(data);
        out.extend_from_slice(trailer);
        Ok(Some(out))
    }

    /// `{slot, kind, bytes, sectors, cylinders, heads, sectorsPerTrack, format, modified,
    /// writable, bootable, notes}` for the disk in a drive; undefined for an empty drive.
    #[wasm_bindgen(js_name = diskInfo)]
    pub fn disk_info(&self, slot: &str) -> Result<JsValue, JsValue> {
        let slot = parse_slot(slot)?;
        if slot == Slot::Cdrom {
            return match self.pc.cdrom_image() {
                Some(cd) => to_js(&cd_info(cd)),
                None => Ok(JsValue::UNDEFINED),
            };
        }
        match self.disk(slot) {
            Some(d) => to_js(&disk_info(slot, d)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Whether the guest wrote to the disk in a drive since it was put there.
    #[wasm_bindgen(js_name = diskModified)]
    pub fn disk_modified(&self, slot: &str) -> Result<bool, JsValue> {
        Ok(self
            .disk(parse_slot(slot)?)
            .is_some_and(DiskImage::is_modified))
    }

    /// The CPU model's name ("286", ...).
    pub fn model(&self) -> String {
        self.pc.config.model.name().to_string()
    }

    /// The memory size given to the constructor.
    #[wasm_bindgen(js_name = memBytes)]
    pub fn mem_bytes(&self) -> f64 {
        self.pc.config.mem_bytes as f64
    }
}

impl Machine {
    /// What `insertDisk` and `insertDiskBuffer` do with the image's bytes.
    fn insert_image(&mut self, slot: &str, bytes: Vec<u8>) -> Result<JsValue, JsValue> {
        let slot = if slot.eq_ignore_ascii_case("auto") {
            if looks_like_iso(&bytes) {
                Slot::Cdrom
            } else {
                let image = DiskImage::from_bytes(bytes, None).map_err(|e| disk_error(&e))?;
                let slot = match image.kind() {
                    DiskKind::Floppy => Slot::Floppy(0),
                    DiskKind::HardDisk => Slot::Hard(0),
                };
                return self.put_disk(slot, image);
            }
        } else {
            parse_slot(slot)?
        };
        let kind = match slot {
            Slot::Floppy(_) => DiskKind::Floppy,
            Slot::Hard(_) => DiskKind::HardDisk,
            Slot::Cdrom => {
                let cd = CdImage::from_bytes(bytes).map_err(|e| cd_error(&e))?;
                let info = cd_info(&cd);
                self.pc.insert_cdrom(cd);
                return to_js(&info);
            }
        };
        let image = DiskImage::from_bytes(bytes, Some(kind)).map_err(|e| disk_error(&e))?;
        self.put_disk(slot, image)
    }

    /// The bytes of the image in a drive as a file holds them: the disk's (or the CD's), then
    /// what the file had after them (a fixed VHD's footer). None for an empty drive.
    fn file_parts(&self, slot: Slot) -> Option<(&[u8], &[u8])> {
        match slot {
            Slot::Cdrom => self.pc.cdrom_image().map(|cd| (cd.bytes(), &[][..])),
            _ => self.disk(slot).map(|d| (d.bytes(), d.trailer())),
        }
    }

    /// Put a floppy or hard disk image in its drive; `diskInfo` of the drive.
    fn put_disk(&mut self, slot: Slot, image: DiskImage) -> Result<JsValue, JsValue> {
        let info = disk_info(slot, &image);
        match slot {
            Slot::Floppy(d) => self.pc.insert_floppy(d, image),
            Slot::Hard(i) => self.pc.attach_hard_disk(i, image),
            // Not reached: CDs go in through `insert_disk`.
            Slot::Cdrom => return Err(js_error("a CD image is not a disk image")),
        }
        .map_err(|e| disk_error(&e))?;
        to_js(&info)
    }

    /// The floppy or hard disk in a drive (`None` for the CD-ROM drive: see `cdrom_image`).
    fn disk(&self, slot: Slot) -> Option<&DiskImage> {
        match slot {
            Slot::Floppy(d) => self.pc.floppy_image(d),
            Slot::Hard(i) => self.pc.hard_disk_image(i),
            Slot::Cdrom => None,
        }
    }
}

fn unknown_register(name: &str) -> JsValue {
    js_error(format!(
        "unknown register '{name}' (known: {})",
        cpu::REGISTER_NAMES.join(", ")
    ))
}

/// The names `getReg`/`setReg` accept.
#[wasm_bindgen(js_name = registerNames)]
pub fn register_names() -> js_sys::Array {
    cpu::REGISTER_NAMES
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect()
}

/// The names of the instruction cases `aula86 bench --case` and `cargo bench` time
/// (`pc::bench::CASES`), for timing the same ones in this build.
#[wasm_bindgen(js_name = benchCaseNames)]
pub fn bench_case_names() -> js_sys::Array {
    pc::bench::CASES
        .iter()
        .map(|c| JsValue::from_str(c.name))
        .collect()
}

/// `benchCase(name)`: the guest of one instruction case, to load at 10000h and enter at
/// 1000:0000 in real mode (`load`, `setReg("cs", 0x1000)`, `setReg("eip", 0)`); it sets up
/// protected mode with paging and loops forever. Throws for an unknown name.
#[wasm_bindgen(js_name = benchCase)]
pub fn bench_case(name: &str) -> Result<Vec<u8>, JsValue> {
    match pc::bench::case(name) {
        Some(c) => Ok(c.guest()),
        None => Err(js_error(format!("unknown benchmark case '{name}'"))),
    }
}

/// The aula86 version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// `runVectorFile(...)` as JavaScript sees it.
#[derive(Serialize)]
struct VectorReportJs {
    base: String,
    passed: u32,
    failed: u32,
    skipped: u32,
    failures: Vec<String>,
}

/// `runVectorFile(base, gzBytes, flagsMask)`: run one file of 80286 hardware test vectors
/// (`<base>.json.gz` bytes; `flagsMask` from `index.json`) on a fresh real-mode 286.
/// Returns `{base, passed, failed, skipped, failures: [string]}`; throws on a malformed file.
#[wasm_bindgen(js_name = runVectorFile)]
pub fn run_vector_file(base: &str, gz_bytes: &[u8], flags_mask: f64) -> Result<JsValue, JsValue> {
    install_panic_hook();
    let mask = whole("flagsMask", flags_mask, u16::MAX as f64)? as u16;
    let mut runner = conformance::Runner::new();
    let rep = conformance::run_file(&mut runner, base, gz_bytes, mask, &HashSet::new())
        .map_err(|e| js_error(format!("{base}: {e}")))?;
    to_js(&VectorReportJs {
        base: rep.base,
        passed: rep.passed,
        failed: rep.failed,
        skipped: rep.skipped,
        failures: rep.failures,
    })
}
