//! The conformance harness for hardware-captured CPU vectors (`shared/vectors/PROTOCOL.md`).
//!
//! Each test gives the registers and the bytes of memory before one instruction, and what changed
//! after it. The harness loads that state into a real-mode 286, runs until a HLT has executed, and
//! compares registers (FLAGS under the file's mask of undefined flags) and every listed byte.
//!
//! It works on bytes, not paths, so the same code runs natively and in WebAssembly.

use cpu::{Bus, Cpu, Model, SegReg};
use flate2::read::GzDecoder;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Read;

/// Register names in the order the vectors list them.
pub const REGS: [&str; 14] = [
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
];

/// Step limit per test (instructions, REP iterations included).
pub const STEP_LIMIT: u64 = 10_000;

/// 16 MiB: the 286's physical address space, no 1 MiB wrap.
const RAM_SIZE: usize = 1 << 24;

#[derive(Debug, Clone, Deserialize)]
pub struct State {
    #[serde(default)]
    pub regs: HashMap<String, u16>,
    #[serde(default)]
    pub ram: Vec<(u32, u8)>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExceptionInfo {
    pub number: u8,
    #[serde(default)]
    pub flag_address: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Test {
    pub idx: u32,
    pub name: String,
    pub bytes: Vec<u8>,
    pub initial: State,
    #[serde(rename = "final")]
    pub final_: State,
    pub exception: Option<ExceptionInfo>,
    #[serde(default)]
    pub hash: String,
}

/// A problem with an input file (not a test failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Decompress and parse one `<BASE>.json.gz` file.
pub fn parse_gz(gz: &[u8]) -> Result<Vec<Test>, InputError> {
    if gz.len() < 2 || gz[0] != 0x1F || gz[1] != 0x8B {
        return Err(InputError("not a gzip file".into()));
    }
    let mut text = String::new();
    GzDecoder::new(gz)
        .read_to_string(&mut text)
        .map_err(|e| InputError(format!("gzip: {e}")))?;
    serde_json::from_str(&text).map_err(|e| InputError(format!("malformed JSON: {e}")))
}

#[derive(Deserialize)]
struct IndexFile {
    files: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexEntry {
    file: String,
    flags_mask: u16,
}

/// The per-file FLAGS masks from `index.json`.
pub fn parse_index(json: &str) -> Result<HashMap<String, u16>, InputError> {
    let idx: IndexFile =
        serde_json::from_str(json).map_err(|e| InputError(format!("index.json: {e}")))?;
    Ok(idx
        .files
        .into_iter()
        .map(|f| {
            (
                f.file.trim_end_matches(".json.gz").to_string(),
                f.flags_mask,
            )
        })
        .collect())
}

/// The revoked test hashes from `revocation_list.txt`.
pub fn parse_revocations(text: &str) -> HashSet<String> {
    text.lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// Flat 16 MiB memory with all ports reading as ones; remembers every byte written.
struct VectorBus {
    ram: Vec<u8>,
    written: Vec<u32>,
}

impl Bus for VectorBus {
    fn read8(&mut self, addr: u32) -> u8 {
        self.ram.get(addr as usize).copied().unwrap_or(0xFF)
    }
    fn write8(&mut self, addr: u32, value: u8) {
        if let Some(b) = self.ram.get_mut(addr as usize) {
            *b = value;
            self.written.push(addr);
        }
    }
    fn io_read8(&mut self, _port: u16) -> u8 {
        0xFF
    }
    fn io_write8(&mut self, _port: u16, _value: u8) {}
}

/// What one test produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// None if the test passed; else why not.
    pub failure: Option<String>,
    /// Final registers, in [`REGS`] order (FLAGS as the CPU holds it).
    pub regs: [u16; 14],
    /// The byte after the run at every address listed in initial or final RAM, sorted.
    pub ram: Vec<(u32, u8)>,
    /// Set when the test could not run to its HLT.
    pub error: Option<String>,
}

/// Runs tests one after another on one CPU and one memory.
pub struct Runner {
    cpu: Cpu,
    bus: VectorBus,
}

impl Default for Runner {
    fn default() -> Self {
        Runner::new()
    }
}

fn reg_of(cpu: &Cpu, name: &str) -> u16 {
    match name {
        "ip" => cpu.eip as u16,
        "flags" => cpu.eflags() as u16,
        _ => cpu.get_named(name).unwrap_or(0) as u16,
    }
}

impl Runner {
    pub fn new() -> Runner {
        Runner {
            cpu: Cpu::new(Model::I286),
            bus: VectorBus {
                ram: vec![0; RAM_SIZE],
                written: Vec::new(),
            },
        }
    }

    fn load(&mut self, t: &Test) {
        let cpu = &mut self.cpu;
        for (name, v) in &t.initial.regs {
            let v = *v as u32;
            match name.as_str() {
                "flags" => cpu.set_eflags(v & 0x0FFF),
                "ip" => cpu.eip = v,
                "cs" => cpu.load_seg_real(SegReg::Cs, v as u16),
                "ss" => cpu.load_seg_real(SegReg::Ss, v as u16),
                "ds" => cpu.load_seg_real(SegReg::Ds, v as u16),
                "es" => cpu.load_seg_real(SegReg::Es, v as u16),
                other => {
                    cpu.set_named(other, v);
                }
            }
        }
        for &(addr, b) in &t.initial.ram {
            if let Some(x) = self.bus.ram.get_mut(addr as usize) {
                *x = b;
            }
            cpu.notify_write(addr, 1);
        }
    }

    /// Put the CPU and memory back to a blank state for the next test.
    fn clear(&mut self, t: &Test) {
        for &(addr, _) in t.initial.ram.iter().chain(&t.final_.ram) {
            if let Some(x) = self.bus.ram.get_mut(addr as usize) {
                *x = 0;
            }
            self.cpu.notify_write(addr, 1);
        }
        for &addr in &self.bus.written {
            self.bus.ram[addr as usize] = 0;
            self.cpu.notify_write(addr, 1);
        }
        self.bus.written.clear();
        let cpu = &mut self.cpu;
        cpu.regs = [0; 8];
        cpu.cr0 = 0;
        cpu.idtr = cpu::TableReg {
            base: 0,
            limit: 0x3FF,
        };
        cpu.halted = false;
        cpu.shutdown = false;
        for s in SegReg::ALL {
            cpu.load_seg_real(s, 0);
        }
    }

    /// Run one test and judge it with `flags_mask`.
    pub fn run(&mut self, t: &Test, flags_mask: u16) -> Outcome {
        self.load(t);
        let start = self.cpu.counters.instructions;
        let mut error = None;
        loop {
            self.cpu.step(&mut self.bus);
            if self.cpu.halted {
                break;
            }
            if self.cpu.shutdown {
                error = Some("CPU shut down (triple fault)".to_string());
                break;
            }
            if self.cpu.counters.instructions - start > STEP_LIMIT {
                error = Some(format!("no HLT within {STEP_LIMIT} steps"));
                break;
            }
        }
        let regs: [u16; 14] = std::array::from_fn(|i| reg_of(&self.cpu, REGS[i]));
        let mut addrs: Vec<u32> = t
            .initial
            .ram
            .iter()
            .chain(&t.final_.ram)
            .map(|&(a, _)| a)
            .collect();
        addrs.sort_unstable();
        addrs.dedup();
        let ram: Vec<(u32, u8)> = addrs.iter().map(|&a| (a, self.bus.read8(a))).collect();
        let failure = match &error {
            Some(e) => Some(e.clone()),
            None => self.judge(t, flags_mask, &regs, &ram),
        };
        self.clear(t);
        Outcome {
            failure,
            regs,
            ram,
            error,
        }
    }

    fn judge(
        &self,
        t: &Test,
        flags_mask: u16,
        regs: &[u16; 14],
        ram: &[(u32, u8)],
    ) -> Option<String> {
        let mut why = String::new();
        for (i, name) in REGS.iter().enumerate() {
            let init = t.initial.regs.get(*name).copied().unwrap_or(0);
            let init = if *name == "flags" {
                init & 0x0FFF
            } else {
                init
            };
            let want = t.final_.regs.get(*name).copied().unwrap_or(init);
            let got = regs[i];
            let mask = if *name == "flags" { flags_mask } else { 0xFFFF };
            if got & mask != want & mask {
                let _ = write!(why, " {name}={got:04X} want {want:04X}");
            }
        }
        // Bytes of the FLAGS image an exception pushed are compared under the same mask.
        let mut byte_mask: HashMap<u32, u8> = HashMap::new();
        if t.exception.is_some() {
            let ss = regs[5] as u32;
            let sp = regs[8] as u32;
            byte_mask.insert((ss << 4) + ((sp + 4) & 0xFFFF), flags_mask as u8);
            byte_mask.insert((ss << 4) + ((sp + 5) & 0xFFFF), (flags_mask >> 8) as u8);
        }
        let mut want: HashMap<u32, u8> = t.initial.ram.iter().copied().collect();
        want.extend(t.final_.ram.iter().copied());
        for &(a, got) in ram {
            let w = want.get(&a).copied().unwrap_or(got);
            let m = byte_mask.get(&a).copied().unwrap_or(0xFF);
            if got & m != w & m {
                let _ = write!(why, " [{a:06X}]={got:02X} want {w:02X}");
            }
        }
        // Stricter: no byte may be written outside the listed addresses.
        for &a in &self.bus.written {
            if !want.contains_key(&a) {
                let _ = write!(why, " stray write [{a:06X}]");
                break;
            }
        }
        if why.is_empty() {
            None
        } else {
            Some(why.trim_start().to_string())
        }
    }
}

/// Totals for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    pub base: String,
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
    /// One line per failing test: `idx name: what differs`.
    pub failures: Vec<String>,
}

impl FileReport {
    /// The summary line of the batch protocol.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "opcode={} passed={} failed={}",
            self.base, self.passed, self.failed
        );
        if self.skipped > 0 {
            let _ = write!(s, " skipped={}", self.skipped);
        }
        s
    }
}

/// Run every test of one file (summary mode).
pub fn run_file(
    runner: &mut Runner,
    base: &str,
    gz: &[u8],
    flags_mask: u16,
    revoked: &HashSet<String>,
) -> Result<FileReport, InputError> {
    let tests = parse_gz(gz)?;
    let mut rep = FileReport {
        base: base.to_string(),
        ..FileReport::default()
    };
    for t in &tests {
        if revoked.contains(&t.hash.to_ascii_lowercase()) {
            rep.skipped += 1;
            continue;
        }
        let out = runner.run(t, flags_mask);
        match out.failure {
            None => rep.passed += 1,
            Some(why) => {
                rep.failed += 1;
                rep.failures.push(format!("{} {}: {}", t.idx, t.name, why));
            }
        }
    }
    Ok(rep)
}

/// Dump mode: one JSON line per test with the registers and memory after the run.
pub fn dump_file(
    runner: &mut Runner,
    gz: &[u8],
    revoked: &HashSet<String>,
) -> Result<Vec<String>, InputError> {
    let tests = parse_gz(gz)?;
    let mut lines = Vec::with_capacity(tests.len());
    for t in &tests {
        if revoked.contains(&t.hash.to_ascii_lowercase()) {
            continue;
        }
        let out = runner.run(t, 0xFFFF);
        let line = match out.error {
            Some(e) => serde_json::json!({ "idx": t.idx, "error": e }),
            None => {
                let regs: serde_json::Map<String, serde_json::Value> = REGS
                    .iter()
                    .zip(out.regs.iter())
                    .map(|(n, v)| (n.to_string(), (*v).into()))
                    .collect();
                let ram: Vec<serde_json::Value> = out
                    .ram
                    .iter()
                    .map(|&(a, b)| serde_json::json!([a, b]))
                    .collect();
                serde_json::json!({ "idx": t.idx, "regs": regs, "ram": ram })
            }
        };
        lines.push(line.to_string());
    }
    Ok(lines)
}
