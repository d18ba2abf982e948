//! `aula86 bench`: emulated MIPS on a long integer loop run from memory, or the time one kind
//! of instruction takes.
//!
//! Two guests (`pc::bench`): `tests/guests/bench16.asm` (real mode) and
//! `tests/guests/bench32.asm` (32-bit protected mode, flat segments, paging on). They loop
//! forever, so the instruction count is exactly the budget given. `--mode real|protected|both`
//! (default both). `--case NAME|all` times the instruction cases of `pc::bench::CASES` instead
//! (`--case list` names them).

use cpu::Model;
use pc::bench::{self, BENCH16, BENCH32, CASES};
use std::process::ExitCode;

pub const USAGE: &str = "\
aula86 bench [--model M] [--seconds S | --insns N] [--mode real|protected|both]
    emulated MIPS of the benchmark guests (tests/guests/bench16.asm, real mode;
    bench32.asm, 32-bit protected mode with paging), each run for about S seconds
    (default 3) or for exactly N instructions after its set-up
aula86 bench --case NAME|all [--model M] [--insns N]
    nanoseconds per instruction for one kind of instruction (--case list names them)
  --model 8086|186|286|386|486|pentium|pentiumpro   (default pentiumpro)";

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
    let mut cases: Vec<&'static bench::Case> = Vec::new();
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
            "--case" => {
                let c = it.next().ok_or("bench: --case needs a name or 'all'")?;
                if c == "list" {
                    for c in CASES {
                        println!("{:<12} {}", c.name, c.what);
                    }
                    return Ok(ExitCode::SUCCESS);
                } else if c == "all" {
                    cases.extend(CASES);
                } else {
                    cases.push(bench::case(c).ok_or_else(|| {
                        let names: Vec<_> = CASES.iter().map(|c| c.name).collect();
                        format!(
                            "bench: unknown case '{c}' (list, all, {})",
                            names.join(", ")
                        )
                    })?);
                }
            }
            other => return Err(format!("bench: unknown option '{other}'\n{USAGE}")),
        }
    }
    if !cases.is_empty() {
        return run_cases(model, &cases, insns);
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
    let mut pc =
        bench::machine(model, guest).map_err(|e| format!("bench: the {name} guest: {e}"))?;
    let before = pc.counters();
    // Exactly `insns`, or slices until the time is up.
    let err = |e| format!("bench: the {name} guest: {e}");
    let (mut n, mut secs) = (0, 0.0);
    match insns {
        Some(insns) => (n, secs) = bench::time(&mut pc, insns).map_err(err)?,
        None => {
            while secs < seconds {
                let (dn, ds) = bench::time(&mut pc, 10_000_000).map_err(err)?;
                (n, secs) = (n + dn, secs + ds);
            }
        }
    }
    let c = pc.counters();
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

/// Time each case (`--case`): nanoseconds per guest instruction, best of seven runs of `insns`
/// (default ten million) instructions.
fn run_cases(model: Model, cases: &[&bench::Case], insns: Option<u64>) -> Result<ExitCode, String> {
    if !model.has_32bit() {
        return Err(format!(
            "bench: the cases need 32-bit protected mode, which {} lacks",
            model.name()
        ));
    }
    let insns = insns.unwrap_or(10_000_000);
    for case in cases {
        let ns = bench::time_case(model, case, insns, 7)
            .map_err(|e| format!("bench: case {}: {e}", case.name))?;
        println!(
            "case={} ns={ns:.2} mips={:.1} model={} insn=\"{}\"",
            case.name,
            1e3 / ns,
            model.name(),
            case.what
        );
    }
    Ok(ExitCode::SUCCESS)
}
