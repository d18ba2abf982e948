//! Nothing a guest's instructions do makes the machine panic: random bytes run as code on each
//! CPU model, entered in each mode (real, 16- and 32-bit protected, paging, ring 3,
//! virtual-8086; `tests/guests/fuzz_entry.asm`), with random descriptors in the GDT, random
//! page-directory entries, every interrupt and exception handled by more random code, the BIOS
//! answering real-mode interrupts with random registers, and the instructions that touch the
//! system (descriptor tables, control registers, far transfers, task state, I/O, MSRs, the FPU,
//! prefixes) far more common than chance makes them.
//!
//! AULA86_FUZZ_SEEDS=N runs N machines (default 24), AULA86_FUZZ_FIRST the first seed (1): a
//! failure names its seed, which replays it alone.

use pc::cpu::{Model, SegReg};
use pc::{Exit, Pc};
use std::panic::{catch_unwind, AssertUnwindSafe};

mod common;

use common::Rng;

/// Instruction starts that reach the system: sprinkled through the random bytes.
const SYSTEM: &[&[u8]] = &[
    &[0x0F, 0x00],       // SLDT STR LLDT LTR VERR VERW
    &[0x0F, 0x01],       // SGDT SIDT LGDT LIDT SMSW LMSW INVLPG
    &[0x0F, 0x02],       // LAR
    &[0x0F, 0x03],       // LSL
    &[0x0F, 0x06],       // CLTS
    &[0x0F, 0x08],       // INVD
    &[0x0F, 0x20, 0xC0], // MOV EAX, CR0
    &[0x0F, 0x22, 0xC0], // MOV CR0, EAX
    &[0x0F, 0x22, 0xD8], // MOV CR3, EAX
    &[0x0F, 0x22, 0xE0], // MOV CR4, EAX
    &[0x0F, 0x23, 0xF8], // MOV DR7, EAX
    &[0x0F, 0x30],       // WRMSR
    &[0x0F, 0x32],       // RDMSR
    &[0x0F, 0x31],       // RDTSC
    &[0x0F, 0xA2],       // CPUID
    &[0x0F, 0xB2],       // LSS
    &[0x0F, 0xC7, 0x0F], // CMPXCHG8B
    &[0xEA],             // JMP far
    &[0x9A],             // CALL far
    &[0xCA],             // RETF imm
    &[0xCB],             // RETF
    &[0xCF],             // IRET
    &[0xCD],             // INT n
    &[0xCC],             // INT3
    &[0xCE],             // INTO
    &[0xFF, 0x18],       // CALL far [eax]
    &[0xFF, 0x28],       // JMP far [eax]
    &[0x8E, 0xD0],       // MOV SS, AX
    &[0x8E, 0xD8],       // MOV DS, AX
    &[0x8E, 0xE0],       // MOV FS, AX
    &[0x63],             // ARPL
    &[0x62, 0x00],       // BOUND
    &[0xC8],             // ENTER
    &[0xF4],             // HLT
    &[0xFA],             // CLI
    &[0xFB],             // STI
    &[0x9D],             // POPF
    &[0xE4],             // IN AL, imm
    &[0xE6],             // OUT imm, AL
    &[0xEC],             // IN AL, DX
    &[0xEE],             // OUT DX, AL
    &[0xEF],             // OUT DX, eAX
    &[0xF3, 0xA5],       // REP MOVS
    &[0xF3, 0xAB],       // REP STOS
    &[0xF3, 0x6D],       // REP INS
    &[0xF3, 0x6F],       // REP OUTS
    &[0xF3, 0xA7],       // REPE CMPS
    &[0xD9],             // x87
    &[0xDB],
    &[0xDD],
    &[0xDF],
    &[0x9B], // WAIT
    &[0x66], // operand size
    &[0x67], // address size
    &[0xF0], // LOCK
    &[0x26], // ES:
    &[0x64], // FS:
];

/// Where `fuzz_entry.asm` puts its tables and the random code starts.
const GDT_RANDOM: u32 = 0x1048;
const GDT_END: u32 = 0x1100;
const PAGE_DIRECTORY: u32 = 0x4000;
const RANDOM: u32 = 0x1_0000;
const RANDOM_END: u32 = 0x9_0000;
/// The end of the interrupt handlers (256 of them, 100h apart from `RANDOM`).
const HANDLERS_END: usize = 0x2_0000;

/// The modes `fuzz_entry.asm` enters (BP), and the CPU's name for each.
const MODES: [&str; 6] = [
    "real",
    "protected",
    "protected",
    "protected+paging",
    "protected+paging",
    "v86",
];

fn random_bytes(r: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 4);
    while out.len() < len {
        if r.below(5) == 0 {
            out.extend_from_slice(SYSTEM[r.below(SYSTEM.len() as u64) as usize]);
        } else {
            out.push(r.next() as u8);
        }
    }
    out.truncate(len);
    out
}

/// Ways into the random code a machine takes, one after another.
const ENTRIES: usize = 64;
/// Instructions a way in runs at most, in slices of `SLICE`.
const SLICE: u64 = 1_000;
const SLICES: usize = 3;

/// One machine: random memory, then [`ENTRIES`] times the way in for its mode at a random place
/// of the random code, each run until it triple faults, powers off, sticks in a loop of faults
/// or has run its instructions. Returns the model, the mode, and the mode each way in reached
/// the random code in (when it did not, the first one of them).
fn run_seed(seed: u64, entry: &[u8]) -> (Model, usize, Result<(), &'static str>) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // Each mode in turn. The way in is 32-bit code: a 286 or older only starts in real mode
    // (and may leave it itself).
    let mode = (seed % MODES.len() as u64) as usize;
    let models = if mode == 0 {
        &Model::ALL[..]
    } else {
        &Model::ALL[Model::ALL
            .iter()
            .position(|&m| m == Model::I386)
            .unwrap_or(0)..]
    };
    let model = models[r.below(models.len() as u64) as usize];
    let mut pc = Pc::new(model, 4 << 20).expect("machine");
    // Every other real-mode machine has the BIOS's interrupt vectors, which then answer INT n
    // with random registers; the others, and every protected-mode one, send them to the random
    // code.
    let bios_vectors = mode == 0 && (seed / MODES.len() as u64).is_multiple_of(2);
    if bios_vectors {
        pc.cpu.load_seg_real(SegReg::Cs, 0xF000);
        pc.cpu.eip = 0xE05B;
        pc.run(3_000_000, None);
    }
    pc.load(
        GDT_RANDOM,
        &random_bytes(&mut r, (GDT_END - GDT_RANDOM) as usize),
    )
    .expect("gdt");
    // Page-directory entries past the first: random, a third of them present.
    let mut pdes = Vec::new();
    for _ in 1..1024 {
        let pde = (r.next() as u32 & !1) | (r.below(3) == 0) as u32;
        pdes.extend_from_slice(&pde.to_le_bytes());
    }
    pc.load(PAGE_DIRECTORY + 4, &pdes).expect("page directory");
    pc.load(
        RANDOM,
        &random_bytes(&mut r, (RANDOM_END - RANDOM) as usize),
    )
    .expect("code");
    if !bios_vectors {
        let mut ivt = Vec::new();
        for _ in 0..256 {
            ivt.extend_from_slice(&(r.next() as u16).to_le_bytes());
            ivt.extend_from_slice(&(0x1000 + r.below(0x7000) as u16).to_le_bytes());
        }
        pc.load(0, &ivt).expect("vectors");
    }
    let mut reached = Ok(());
    for _ in 0..ENTRIES {
        // The CPU starts again; memory keeps what the code before wrote, but the way in
        // (which the random code may have overwritten) is loaded again.
        pc.cpu_reset();
        pc.load(0x7C00, entry).expect("entry");
        // New code where the way in goes and where every interrupt goes: otherwise the first
        // fault of each way in would lead to the same handler, and on from there alike.
        pc.load(
            RANDOM,
            &random_bytes(&mut r, HANDLERS_END - RANDOM as usize),
        )
        .expect("handlers");
        for s in [SegReg::Cs, SegReg::Ds, SegReg::Es, SegReg::Ss] {
            pc.cpu.load_seg_real(s, 0);
        }
        pc.cpu.eip = 0x7C00;
        for reg in 0..8 {
            pc.cpu.regs[reg] = r.next() as u32;
        }
        pc.cpu.regs[4] = 0x7C00; // SP
        pc.cpu.regs[5] = mode as u32; // BP
        pc.cpu.regs[6] = r.below(0x8000) as u32; // SI: where in the random code
        pc.cpu.set_eflags(0x0002);
        // Up to the first random instruction.
        let mut there = None;
        for _ in 0..20_000 {
            let cs = &pc.cpu.segs[SegReg::Cs as usize];
            if cs.base.wrapping_add(pc.cpu.eip) >= RANDOM {
                there = Some(pc.cpu.mode_name());
                break;
            }
            pc.run(1, None);
        }
        if there != Some(MODES[mode]) && reached.is_ok() {
            reached = Err(there.unwrap_or("no"));
        }
        for _ in 0..SLICES {
            pc.cpu.halted = false;
            let faults = pc.cpu.counters.exceptions;
            let e = pc.run(SLICE, None);
            let stuck = pc.cpu.counters.exceptions - faults > SLICE / 4;
            if stuck || e == Exit::PowerOff || e == Exit::TripleFault {
                break;
            }
        }
    }
    (model, mode, reached)
}

#[test]
fn random_code_in_every_mode_does_not_panic() {
    let seeds: u64 = std::env::var("AULA86_FUZZ_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let first: u64 = std::env::var("AULA86_FUZZ_FIRST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let entry = common::assemble("fuzz_entry");
    let mut panicked = Vec::new();
    let mut entered = [0; MODES.len()];
    for seed in first..first + seeds {
        match catch_unwind(AssertUnwindSafe(|| run_seed(seed, &entry))) {
            Ok((model, mode, reached)) => {
                if let Err(there) = reached {
                    panic!("seed {seed} ({model:?}): the way in for mode {mode} reached the random code in {there} mode, not {}", MODES[mode]);
                }
                entered[mode] += 1;
            }
            Err(_) => panicked.push(seed),
        }
    }
    assert!(panicked.is_empty(), "panicked with seeds {panicked:?}");
    if seeds >= MODES.len() as u64 {
        assert!(
            entered.iter().all(|&n| n > 0),
            "every mode entered: {entered:?}"
        );
    }
}
