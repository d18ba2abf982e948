//! `aula86 bench`: emulated MIPS on a long integer loop run from memory.
//!
//! The guest is `tests/guests/bench16.asm` (assembled bytes below; `scripts/test` checks they
//! match the source). It loops forever, so the instruction count is exactly the budget given.

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

pub fn main(args: &[String]) -> Result<ExitCode, String> {
    let mut model = Model::PentiumPro;
    let mut seconds = 3.0f64;
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
            other => return Err(format!("bench: unknown option '{other}'")),
        }
    }
    let mut pc = pc::Pc::new(model, 1 << 20).map_err(|e| e.to_string())?;
    pc.load(0x10000, &BENCH16).map_err(|e| e.to_string())?;
    pc.cpu.set_named("cs", 0x1000);
    pc.cpu.set_named("eip", 0);
    // Warm up, then run slices until the time is up.
    pc.run(1_000_000, None);
    let slice = 10_000_000u64;
    let start = Instant::now();
    let before = pc.counters().instructions;
    loop {
        if pc.run(slice, None) != Exit::Budget {
            return Err(format!(
                "bench: the guest stopped unexpectedly at {:#x}",
                pc.cpu.pc_linear()
            ));
        }
        if start.elapsed().as_secs_f64() >= seconds {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = pc.counters().instructions - before;
    let c = pc.counters();
    println!(
        "model={} instructions={n} seconds={secs:.3} mips={:.1}",
        model.name(),
        n as f64 / secs / 1e6
    );
    println!(
        "exceptions={} cache_hits={} cache_misses={}",
        c.exceptions, c.cache_hits, c.cache_misses
    );
    Ok(ExitCode::SUCCESS)
}
