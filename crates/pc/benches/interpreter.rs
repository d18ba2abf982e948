//! `cargo bench`: the interpreter's speed on the benchmark guests and on each instruction case
//! of `pc::bench` (native build). `cargo bench -- NAME...` runs only the guests (`real`,
//! `protected`) and cases whose names contain one of the NAMEs.
//!
//! Each figure is the best of seven runs of one machine, after a warm-up: the fastest run is the
//! one the rest of the host disturbed least. `aula86 bench` gives the same figures one at a time.

use pc::bench::{self, BENCH16, BENCH32, CASES};
use pc::cpu::Model;
use std::process::ExitCode;

const ROUNDS: u32 = 7;
const GUEST_INSNS: u64 = 100_000_000;
const CASE_INSNS: u64 = 10_000_000;

fn main() -> ExitCode {
    // Cargo passes `--bench` (and libtest's options, which this harness does not have).
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let model = Model::PentiumPro;
    let mut failed = false;
    println!("{:<12} {:>9} {:>9}  what", "name", "ns/insn", "MIPS");
    for (name, guest, what) in [
        ("real", &BENCH16[..], "tests/guests/bench16.asm, real mode"),
        (
            "protected",
            &BENCH32[..],
            "tests/guests/bench32.asm, protected mode with paging",
        ),
    ] {
        if !wanted(name) {
            continue;
        }
        let best = bench::machine(model, guest)
            .and_then(|mut pc| bench::best_ns(&mut pc, GUEST_INSNS, ROUNDS));
        failed |= report(name, what, best);
    }
    for case in CASES.iter().filter(|c| wanted(c.name)) {
        failed |= report(
            case.name,
            case.what,
            bench::time_case(model, case, CASE_INSNS, ROUNDS),
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Print one line; true when it failed.
fn report(name: &str, what: &str, ns: Result<f64, String>) -> bool {
    match ns {
        Ok(ns) => {
            println!("{name:<12} {ns:>9.2} {:>9.1}  {what}", 1e3 / ns);
            false
        }
        Err(e) => {
            println!("{name:<12} failed: {e}");
            true
        }
    }
}
