//! `aula86 bench`: emulated MIPS on a long integer loop run from memory.
//!
//! Two guests: `tests/guests/bench16.asm` (real mode) and `tests/guests/bench32.asm` (32-bit
//! protected mode, flat segments, paging on); their assembled bytes are below and `scripts/test`
//! checks they match the sources. They loop forever, so the instruction count is exactly the
//! budget given. `--mode real|protected|both` (default both).

use cpu::Model;
use pc::Exit;
use std::process::ExitCode;
use std::time::Instant;

/// `nasm -f bin tests/guests/bench16.asm`
pub const BENCH16: [u8; 70] = [
    0xfa, 0xb8, 0x00, 0x20, 0x8e, 0xd0, 0xbc, 0xfe, 0xff, 0xb8, 0x00, 0x30, 0x8e, 0xd8, 0x8e, 0xc0,
    0x31, 0xc0, 0xbb, 0x01, 0x00, 0x31, 0xed, 0xb9, 0x00, 0x01, 0x01, 0xc8, 0x11, 0xda, 0x31, 0xc3,
    0x81, 0xe3, 0xfe, 0x01, 0x8b, 0x37, 0x89, 0x87, 0x00, 0x04, 0xd1, 0xe0, 0xd1, 0xda, 0xf7, 0xee,
    0x50, 0xe8, 0x10, 0x00, 0x58, 0xe2, 0xe3, 0x31, 0xf6, 0xbf, 0x00, 0x08, 0xb9, 0x40, 0x00, 0xfc,
    0xf3, 0xa5, 0xeb, 0xd3, 0x45, 0xc3,
];

/// `nasm -f bin tests/guests/bench32.asm`
pub const BENCH32: [u8; 214] = [
    0xfa, 0x8c, 0xc8, 0x8e, 0xd8, 0x0f, 0x01, 0x16, 0xd0, 0x00, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f,
    0x22, 0xc0, 0x66, 0xea, 0x1a, 0x00, 0x01, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8,
    0x8e, 0xc0, 0x8e, 0xd0, 0x8e, 0xe0, 0x8e, 0xe8, 0xbc, 0xfc, 0xff, 0x02, 0x00, 0xbf, 0x00, 0x00,
    0x04, 0x00, 0x31, 0xc0, 0xb9, 0x00, 0x04, 0x00, 0x00, 0xf3, 0xab, 0xb8, 0x03, 0x00, 0x00, 0x00,
    0xb9, 0x00, 0x04, 0x00, 0x00, 0xab, 0x05, 0x00, 0x10, 0x00, 0x00, 0xe2, 0xf8, 0xc7, 0x05, 0x00,
    0x00, 0x04, 0x00, 0x03, 0x10, 0x04, 0x00, 0xb8, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xd8, 0x0f,
    0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0x31, 0xc0, 0xbb, 0x01, 0x00, 0x00,
    0x00, 0x31, 0xed, 0xb9, 0x00, 0x01, 0x00, 0x00, 0x01, 0xc8, 0x11, 0xda, 0x31, 0xc3, 0x81, 0xe3,
    0xfc, 0x01, 0x00, 0x00, 0x8b, 0xb3, 0x00, 0x00, 0x03, 0x00, 0x89, 0x83, 0x00, 0x04, 0x03, 0x00,
    0xd1, 0xe0, 0xd1, 0xda, 0xf7, 0xee, 0x50, 0xe8, 0x17, 0x00, 0x00, 0x00, 0x58, 0xe2, 0xd9, 0xbe,
    0x00, 0x00, 0x03, 0x00, 0xbf, 0x00, 0x08, 0x03, 0x00, 0xb9, 0x40, 0x00, 0x00, 0x00, 0xfc, 0xf3,
    0xa5, 0xeb, 0xc0, 0x45, 0xc3, 0x90, 0x90, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,
    0x17, 0x00, 0xb8, 0x00, 0x01, 0x00,
];

/// Which benchmark guest to run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Real,
    Protected,
}

pub fn main(args: &[String]) -> Result<ExitCode, String> {
    let mut model = Model::PentiumPro;
    let mut seconds = 3.0f64;
    let mut insns: Option<u64> = None;
    let mut modes = vec![Mode::Real, Mode::Protected];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => {
                let m = it.next().ok_or("bench: --model needs a value")?;
                model = Model::from_name(m).ok_or_else(|| format!("bench: unknown model '{m}'"))?;
            }
            "--seconds" => {
                let s = it.next().ok_or("bench: --seconds needs a value")?;
                seconds = s
                    .parse()
                    .map_err(|_| format!("bench: bad --seconds '{s}'"))?;
            }
            "--insns" => {
                let s = it.next().ok_or("bench: --insns needs a value")?;
                insns = Some(s.parse().map_err(|_| format!("bench: bad --insns '{s}'"))?);
            }
            "--mode" => {
                let m = it.next().ok_or("bench: --mode needs a value")?;
                modes = match m.as_str() {
                    "real" => vec![Mode::Real],
                    "protected" => vec![Mode::Protected],
                    "both" => vec![Mode::Real, Mode::Protected],
                    _ => return Err(format!("bench: unknown mode '{m}' (real|protected|both)")),
                };
            }
            other => return Err(format!("bench: unknown option '{other}'")),
        }
    }
    if modes.contains(&Mode::Protected) && !model.has_32bit() {
        if modes.len() == 1 {
            return Err(format!(
                "bench: {} has no 32-bit protected mode",
                model.name()
            ));
        }
        modes.retain(|&m| m == Mode::Real);
    }
    for mode in modes {
        run(model, mode, seconds, insns)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Run one guest for about `seconds` (or exactly `insns` instructions after the warm-up: a
/// fixed amount of work, for instruction-counting profilers) and print its MIPS.
fn run(model: Model, mode: Mode, seconds: f64, insns: Option<u64>) -> Result<(), String> {
    let (guest, name): (&[u8], &str) = match mode {
        Mode::Real => (&BENCH16, "real"),
        Mode::Protected => (&BENCH32, "protected"),
    };
    // On the heap: on the stack, where the machine lands in its page changes from run to run
    // (address randomisation), and with it how often the guest's stores alias the CPU's
    // registers in the host's store buffer (4 KiB aliasing), which moved the timings a lot.
    let mut pc = Box::new(pc::Pc::new(model, 1 << 20).map_err(|e| e.to_string())?);
    pc.load(0x10000, guest).map_err(|e| e.to_string())?;
    pc.cpu.set_named("cs", 0x1000);
    pc.cpu.set_named("eip", 0);
    // Warm up (this also runs the guest's set-up code), then run slices until the time is up.
    pc.run(1_000_000, None);
    let start = Instant::now();
    let before = pc.counters();
    loop {
        let done = pc.counters().instructions - before.instructions;
        let slice = insns.map_or(10_000_000, |n| n.saturating_sub(done).min(10_000_000));
        if slice == 0 {
            break;
        }
        if pc.run(slice, None) != Exit::Budget {
            return Err(format!(
                "bench: the {name} guest stopped unexpectedly at {:#x}",
                pc.cpu.pc_linear()
            ));
        }
        if insns.is_none() && start.elapsed().as_secs_f64() >= seconds {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let c = pc.counters();
    let n = c.instructions - before.instructions;
    println!(
        "mode={name} ({}) model={} instructions={n} seconds={secs:.3} mips={:.1}",
        pc.cpu.mode_name(),
        model.name(),
        n as f64 / secs / 1e6
    );
    println!(
        "  exceptions={} cache_hits={} cache_misses={}",
        c.exceptions - before.exceptions,
        c.cache_hits - before.cache_hits,
        c.cache_misses - before.cache_misses
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both guests run their loops without a fault; the protected one with paging on.
    #[test]
    fn guests_reach_their_loops() {
        for (guest, mode) in [(&BENCH16[..], "real"), (&BENCH32[..], "protected+paging")] {
            let mut pc = pc::Pc::new(Model::PentiumPro, 1 << 20).expect("machine");
            pc.load(0x10000, guest).expect("load");
            pc.cpu.set_named("cs", 0x1000);
            pc.cpu.set_named("eip", 0);
            let before = pc.counters();
            assert_eq!(pc.run(200_000, None), Exit::Budget);
            assert_eq!(pc.cpu.mode_name(), mode);
            assert_eq!(pc.counters().exceptions, before.exceptions);
            // A REP instruction retires its iterations in one step, so the budget may be passed.
            assert!(pc.counters().instructions - before.instructions >= 200_000);
        }
    }
}
