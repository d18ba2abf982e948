//! A halted CPU lets emulated time pass to its next interrupt, but a run does not wait for
//! ever: a guest halted with interrupts enabled in the CPU and masked at the PIC (the timer
//! goes on ticking, and no interrupt ever comes) held `Pc::run` without a time limit, and with
//! it `aula86 run` and the page's `Machine.run`, in an endless wait (found by `cpu_fuzz.rs`).

use pc::cpu::Model;
use pc::{Exit, Pc};

mod common;

/// A boot sector that masks every interrupt at the master PIC, then waits for one.
const MASKED_WAIT: &[u8] = &[
    0xB0, 0xFF, // mov al, 0FFh
    0xE6, 0x21, // out 21h, al
    0xFB, // sti
    0xF4, // .wait: hlt
    0xEB, 0xFD, // jmp .wait
];

/// 1,000 ps an instruction: a nanosecond.
fn machine() -> Pc {
    common::boot_sector_machine(
        MASKED_WAIT,
        pc::Config {
            model: Model::PentiumPro,
            ps_per_insn: 1_000,
            ..pc::Config::default()
        },
    )
}

#[test]
fn a_run_without_a_time_limit_waits_no_longer_than_its_instructions_would_take() {
    let mut pc = machine();
    // Booting: the BIOS, then the boot sector, which halts for good.
    assert_eq!(pc.run(50_000_000, None), Exit::Budget);
    assert!(pc.cpu.halted, "waiting in its HLT");
    assert_eq!(pc.cpu.eip, 0x7C06, "after the HLT at 7C05h");
    assert_ne!(pc.board.next_deadline(), None, "the timer still ticks");
    let (insns, t) = (pc.counters().instructions, pc.now());
    assert_eq!(pc.run(1_000_000, None), Exit::Budget);
    assert_eq!(pc.counters().instructions, insns, "nothing ran");
    let waited = pc.now() - t;
    assert!(
        (1_000_000..1_000_002).contains(&waited),
        "a million instructions' time: {waited} ns"
    );
    // With a time limit, the limit ends the wait.
    let t = pc.now();
    assert_eq!(pc.run(u64::MAX, Some(t + 5_000_000)), Exit::TimeLimit);
    assert!((5_000_000..5_000_002).contains(&(pc.now() - t)));
}
