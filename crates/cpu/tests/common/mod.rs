//! Helpers for the guest-program tests: assemble a nasm source from `tests/guests/cpu/`, load it
//! at physical 0x10000 on a 16 MiB machine, run it from 1000:0000 in real mode and collect what
//! it writes to port 0xE9.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cpu::{Bus, Cpu, Model, RunExit};

/// Where the guest binary is loaded and entered (1000:0000).
pub const LOAD: usize = 0x10000;
pub const RAM: usize = 16 << 20;

/// 16 MiB of RAM, port 0xE9 captured, port reads 0xFF, other port writes dropped, except
/// port 0xE0 (test device: a write raises the INTR line with that vector until the CPU
/// acknowledges it; QEMU has nothing there). `direct`: whether the RAM is offered to the CPU's
/// direct path ([`Bus::ram_page`]); without it every access goes through `read8`/`write8`.
pub struct TestBus {
    pub ram: Vec<u8>,
    pub out: Vec<u8>,
    pub irq: Option<u8>,
    pub direct: bool,
}

impl TestBus {
    pub fn new() -> TestBus {
        TestBus {
            ram: vec![0; RAM],
            out: Vec::new(),
            irq: None,
            direct: true,
        }
    }
}

impl Bus for TestBus {
    fn read8(&mut self, addr: u32) -> u8 {
        self.ram.get(addr as usize).copied().unwrap_or(0xFF)
    }
    fn write8(&mut self, addr: u32, value: u8) {
        if let Some(b) = self.ram.get_mut(addr as usize) {
            *b = value;
        }
    }
    fn ram(&mut self) -> &mut [u8] {
        &mut self.ram
    }
    fn ram_page(&mut self, page: u32) -> Option<u32> {
        (self.direct && page as u64 + 0x1000 <= self.ram.len() as u64).then_some(page)
    }
    fn io_read8(&mut self, _port: u16) -> u8 {
        0xFF
    }
    fn io_write8(&mut self, port: u16, value: u8) {
        match port {
            0xE9 => self.out.push(value),
            0xE0 => self.irq = Some(value),
            _ => {}
        }
    }
    fn interrupt_pending(&mut self) -> bool {
        self.irq.is_some()
    }
    fn acknowledge_interrupt(&mut self) -> u8 {
        self.irq.take().unwrap_or(0xFF)
    }
}

pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests/cpu")
}

/// Whether nasm can be run. Without it the guest tests are skipped with a message (CI has it).
pub fn have_nasm() -> bool {
    Command::new("nasm")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Assemble `tests/guests/cpu/<name>.asm` and return the flat binary.
pub fn assemble(name: &str) -> Vec<u8> {
    let dir = guest_dir();
    let src = dir.join(format!("{name}.asm"));
    // A file of its own for each call: tests running at once assemble the same guest (pmode
    // on two models), and a shared file could be read while the other nasm rewrites it.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("guest-{name}-{}-{n}.bin", std::process::id()));
    let o = Command::new("nasm")
        .arg("-f")
        .arg("bin")
        .arg("-I")
        .arg(format!("{}/", dir.display()))
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run nasm");
    assert!(
        o.status.success(),
        "nasm {} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let image = std::fs::read(&out).expect("read nasm output");
    let _ = std::fs::remove_file(&out);
    image
}

/// The result of running a guest.
pub struct Run {
    pub cpu: Cpu,
    pub exit: RunExit,
    pub transcript: String,
}

/// Load `image` at 0x10000 of `bus` and run it from 1000:0000 until it halts, shuts down, or
/// `budget` instructions have run.
pub fn run_image(mut bus: TestBus, image: &[u8], model: Model, budget: u64) -> Run {
    bus.ram[LOAD..LOAD + image.len()].copy_from_slice(image);
    let mut cpu = Cpu::new(model);
    cpu.set_named("cs", (LOAD >> 4) as u32);
    cpu.set_named("eip", 0);
    cpu.set_named("ss", 0);
    cpu.set_named("esp", 0x7000);
    let mut exit = RunExit::Budget;
    let mut left = budget;
    while left > 0 {
        let chunk = left.min(100_000);
        exit = cpu.run(&mut bus, chunk);
        left -= chunk;
        if exit != RunExit::Budget {
            break;
        }
    }
    let transcript = String::from_utf8_lossy(&bus.out).into_owned();
    Run {
        cpu,
        exit,
        transcript,
    }
}

/// Assemble and run a guest; `direct`: with the CPU's direct path to RAM (see [`TestBus`]).
pub fn run_guest(name: &str, model: Model, direct: bool) -> Run {
    let image = assemble(name);
    let mut bus = TestBus::new();
    bus.direct = direct;
    run_image(bus, &image, model, 20_000_000)
}

/// The expected transcript: `tests/guests/cpu/<name>.expected` (or `<name>.<model>.expected`).
pub fn expected(name: &str, model: Model) -> String {
    let dir = guest_dir();
    let specific = dir.join(format!("{name}.{}.expected", model.name()));
    let path = if specific.exists() {
        specific
    } else {
        dir.join(format!("{name}.expected"))
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Run a guest and compare its transcript with the expected one, line by line.
pub fn check_guest(name: &str, model: Model, want_exit: RunExit) -> Option<Run> {
    if !have_nasm() {
        eprintln!("SKIPPED guest test {name}: nasm is not installed (apt-get install nasm)");
        return None;
    }
    let mut last = None;
    // Both memory paths: the direct one, and the full one every access takes without it.
    for direct in [true, false] {
        let run = run_guest(name, model, direct);
        check_run(name, model, want_exit, &run, direct);
        last = Some(run);
    }
    last
}

fn check_run(name: &str, model: Model, want_exit: RunExit, run: &Run, direct: bool) {
    let want = expected(name, model);
    if run.transcript != want {
        let got: Vec<&str> = run.transcript.lines().collect();
        let exp: Vec<&str> = want.lines().collect();
        let mut diff = String::new();
        for i in 0..got.len().max(exp.len()) {
            let g = got.get(i).copied().unwrap_or("<missing>");
            let e = exp.get(i).copied().unwrap_or("<missing>");
            if g != e {
                diff.push_str(&format!("line {}: got  {g}\n         want {e}\n", i + 1));
            }
        }
        panic!(
            "guest {name} on {:?} (direct path {direct}): transcript differs (exit {:?}, cs:eip {:04X}:{:08X})\n{diff}\n--- full transcript ---\n{}",
            model,
            run.exit,
            run.cpu.seg_selector(cpu::SegReg::Cs),
            run.cpu.eip,
            run.transcript
        );
    }
    assert_eq!(
        run.exit, want_exit,
        "guest {name} on {model:?} (direct path {direct}): how the run ended"
    );
}
