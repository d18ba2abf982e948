//! aula86 for JavaScript: a thin wasm-bindgen bridge over the `pc` crate.
//!
//! It holds no emulation logic. It turns JavaScript values into the machine's Rust types (with
//! clear errors instead of panics for bad input), and the machine's results back into plain
//! JavaScript values.
//!
//! ```js
//! import init, { Machine } from "./pkg/aula86_web.js";
//! await init();
//! const m = new Machine(1 << 20, "286");
//! m.load(0x10000, bytes);
//! m.setReg("cs", 0x1000); m.setReg("ip", 0);
//! m.run(1_000_000);            // "budget" | "halted" | "idle" | "shutdown" | "poweroff"
//! m.debugOutput();             // text the guest wrote to port 0xE9
//! ```

use pc::cpu::{self, Model};
use pc::{Exit, Pc};
use serde::Serialize;
use std::collections::HashSet;
use wasm_bindgen::prelude::*;

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

fn new_pc(config: pc::Config) -> Result<Pc, JsValue> {
    let mem_bytes = config.mem_bytes;
    // Ask for the memory first, so a size the tab cannot hold is an error and not an abort.
    let mut probe: Vec<u8> = Vec::new();
    if probe.try_reserve_exact(mem_bytes).is_err() {
        return Err(js_error(format!(
            "cannot allocate {mem_bytes} bytes of guest memory here"
        )));
    }
    drop(probe);
    Pc::with_config(config).map_err(|e| js_error(e.to_string()))
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

/// One emulated PC: CPU, memory and the debug port 0xE9.
#[wasm_bindgen]
pub struct Machine {
    pc: Pc,
}

#[wasm_bindgen]
impl Machine {
    /// `new Machine(memBytes, model?)`: a powered-on PC with `memBytes` of RAM (the PC takes
    /// 1 MiB to 3 GiB) and the built-in BIOS, its CPU at the reset vector. `model` is "8086",
    /// "186", "286", "386", "486", "pentium" or "pentiumpro" (default "286"). Throws an Error on
    /// a bad size or model.
    #[wasm_bindgen(constructor)]
    pub fn new(mem_bytes: f64, model: Option<String>) -> Result<Machine, JsValue> {
        install_panic_hook();
        let mem_bytes = to_usize("memBytes", mem_bytes)?;
        let model = parse_model(model)?;
        let pc = new_pc(pc::Config {
            model,
            mem_bytes,
            ..pc::Config::default()
        })?;
        Ok(Machine { pc })
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
    /// reset, CPU at the reset vector, counters and debug output emptied).
    pub fn reset(&mut self) -> Result<(), JsValue> {
        // On failure (no memory for the new one) the old machine is kept as it was.
        self.pc = new_pc(self.pc.config.clone())?;
        Ok(())
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
