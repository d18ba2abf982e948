//! PAUSE (F3 90), the spin-wait hint, takes [`PAUSE_SLOTS`] instruction slots of emulated time,
//! and the time-stamp counter and the devices' clock stay in step however often it comes.

use pc::cpu::Model;
use pc::cpu::PAUSE_SLOTS;
use pc::{Exit, Pc};

mod common;

/// A boot sector: the TSC across one PAUSE into [600h], then a spin-wait of 100,000 TSC ticks
/// with a PAUSE in each turn (Linux's `udelay`), its turns counted into [604h]; then it halts.
const PAUSE_BOOT: &[u8] = &[
    0x0F, 0x31, // rdtsc
    0x66, 0x89, 0xC6, // mov esi, eax
    0xF3, 0x90, // pause
    0x0F, 0x31, // rdtsc
    0x66, 0x29, 0xF0, // sub eax, esi
    0x66, 0xA3, 0x00, 0x06, // mov [600h], eax
    0x66, 0x31, 0xDB, // xor ebx, ebx
    0x0F, 0x31, // rdtsc
    0x66, 0x89, 0xC6, // mov esi, eax
    // .wait:
    0x66, 0x43, // inc ebx
    0xF3, 0x90, // pause
    0x0F, 0x31, // rdtsc
    0x66, 0x29, 0xF0, // sub eax, esi
    0x66, 0x3D, 0xA0, 0x86, 0x01, 0x00, // cmp eax, 100000
    0x72, 0xF0, // jb .wait
    0x66, 0x89, 0x1E, 0x04, 0x06, // mov [604h], ebx
    0xFA, // cli
    0xF4, // hlt
];

/// A machine booted from a floppy whose boot sector is `code`, at 290 MIPS (3,448 ps an
/// instruction, not a whole number of nanoseconds).
fn machine(code: &[u8]) -> Pc {
    common::boot_sector_machine(
        code,
        pc::Config {
            model: Model::PentiumPro,
            ps_per_insn: 3_448,
            ..pc::Config::default()
        },
    )
}

fn dword(pc: &Pc, at: usize) -> u32 {
    u32::from_le_bytes(pc.board.mem.ram[at..at + 4].try_into().expect("4 bytes"))
}

#[test]
fn pause_lets_time_move_on_and_the_tsc_keeps_pace() {
    let mut pc = machine(PAUSE_BOOT);
    let exit = pc.run(200_000_000, None);
    assert_eq!(exit, Exit::Stopped, "the boot sector ends in CLI; HLT");

    // Between the two RDTSCs: MOV, PAUSE and the second RDTSC's own slot, PAUSE being
    // PAUSE_SLOTS of them.
    let across = dword(&pc, 0x600) as u64;
    assert!(
        (PAUSE_SLOTS..=PAUSE_SLOTS + 3).contains(&across),
        "one PAUSE took {across} TSC ticks"
    );
    // Each turn of the wait is six instructions, PAUSE one of them, and PAUSE_SLOTS slots
    // more: 100,000 ticks take about 100,000 / (PAUSE_SLOTS + 6) turns, not 100,000 / 6.
    let turns = dword(&pc, 0x604) as u64;
    let expected = 100_000 / (PAUSE_SLOTS + 6);
    assert!(
        turns.abs_diff(expected) <= 2,
        "the wait took {turns} turns, not about {expected}"
    );
    // The TSC counts every instruction slot, and so does the devices' clock: over the whole run
    // (the BIOS's HLTs included) they agree to the slot.
    let slots = (pc.now() as u128 * 1000 / 3_448) as u64;
    let tsc = pc.cpu.tsc();
    assert!(
        tsc.abs_diff(slots) <= 1,
        "TSC {tsc} against {slots} slots of emulated time"
    );
}

#[test]
fn a_spin_wait_stops_at_the_time_asked_for() {
    // .spin: pause; jmp .spin
    let mut pc = machine(&[0xF3, 0x90, 0xEB, 0xFC]);
    for _ in 0..20 {
        let until = pc.now() + 1_000_000;
        assert_eq!(pc.run(u64::MAX, Some(until)), pc::Exit::TimeLimit);
        let now = pc.now();
        assert!(
            (until..until + 4).contains(&now),
            "asked to stop at {until} ns, stopped at {now} ns"
        );
    }
}
