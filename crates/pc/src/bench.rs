//! Benchmark guests: what `aula86 bench` and `cargo bench` run.
//!
//! Two whole-loop guests, `tests/guests/bench16.asm` (real mode) and `tests/guests/bench32.asm`
//! (32-bit protected mode with paging), whose assembled bytes are below (`scripts/test` checks
//! they match the sources), and instruction cases: one instruction (or a pair) repeated
//! [`COPIES`] times in an endless loop, in `bench32.asm`'s protected mode with paging, to time
//! what one kind of instruction costs the interpreter. All of them loop forever: a run's
//! instruction count is the budget it is given.

use crate::{Exit, Pc};
use cpu::Model;
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

/// Where the guests are loaded and entered (real mode, CS = 1000h, IP = 0).
pub const LOAD_AT: u32 = 0x10000;

/// Where `BENCH32`'s loop starts: its set-up (protected mode, flat segments, stack, page tables,
/// paging on) ends here. An instruction case replaces the loop with a jump to its own.
const BENCH32_LOOP: usize = 0x6A;
/// Where an instruction case's code goes, from `LOAD_AT`: after `BENCH32`'s GDT and GDTR.
const CASE_AT: usize = 0x100;
/// How many copies of its instructions a case's loop holds, before its jump back.
pub const COPIES: usize = 30;

/// One kind of instruction to time: `code` repeated [`COPIES`] times in an endless loop.
pub struct Case {
    pub name: &'static str,
    /// What it runs, in assembler.
    pub what: &'static str,
    code: Code,
}

enum Code {
    /// These bytes (one or two instructions, no jump out).
    Bytes(&'static [u8]),
    /// CALL to a RET just after the loop.
    CallRet,
}

/// A case of `code` (one or two instructions).
const fn bytes(name: &'static str, what: &'static str, code: &'static [u8]) -> Case {
    Case {
        name,
        what,
        code: Code::Bytes(code),
    }
}

/// The cases, registers set up as: EBX = 30000h (a data page), ECX = 1, EDX = 3, ESI = 5,
/// EBP = 2FF00h, ESP = 2FFFCh.
pub const CASES: &[Case] = &[
    bytes("nop", "NOP", &[0x90]),
    bytes("mov-rr", "MOV EAX, EBX", &[0x89, 0xD8]),
    bytes("add-rr", "ADD EAX, ECX", &[0x01, 0xC8]),
    bytes("adc-rr", "ADC EAX, ECX", &[0x11, 0xC8]),
    bytes(
        "add-imm",
        "ADD EDX, 1234h",
        &[0x81, 0xC2, 0x34, 0x12, 0x00, 0x00],
    ),
    bytes("inc", "INC EAX", &[0x40]),
    bytes("shl-imm", "SHL EAX, 5", &[0xC1, 0xE0, 0x05]),
    bytes("rcr-1", "RCR EDX, 1", &[0xD1, 0xDA]),
    bytes("imul-rr", "IMUL EAX, ECX", &[0x0F, 0xAF, 0xC1]),
    bytes("imul-1", "IMUL ESI (EDX:EAX = EAX * ESI)", &[0xF7, 0xEE]),
    bytes("xor-rr", "XOR EDX, EAX", &[0x31, 0xC2]),
    bytes(
        "and-imm",
        "AND EDX, 1FCh",
        &[0x81, 0xE2, 0xFC, 0x01, 0x00, 0x00],
    ),
    bytes("lea", "LEA EAX, [EBX+ECX*2+4]", &[0x8D, 0x44, 0x4B, 0x04]),
    bytes("load", "MOV EAX, [EBX+4]", &[0x8B, 0x43, 0x04]),
    bytes("store", "MOV [EBX+8], EAX", &[0x89, 0x43, 0x08]),
    bytes(
        "movzx-load",
        "MOVZX EAX, BYTE [EBX+1]",
        &[0x0F, 0xB6, 0x43, 0x01],
    ),
    bytes("add-mem", "ADD [EBX+12], EAX", &[0x01, 0x43, 0x0C]),
    bytes(
        "mov-mem-imm",
        "MOV DWORD [EBX+16], 5",
        &[0xC7, 0x43, 0x10, 0x05, 0x00, 0x00, 0x00],
    ),
    bytes(
        "test-imm",
        "TEST ECX, 1",
        &[0xF7, 0xC1, 0x01, 0x00, 0x00, 0x00],
    ),
    bytes("shr-cl", "SHR EAX, CL", &[0xD3, 0xE8]),
    bytes("neg", "NEG EAX", &[0xF7, 0xD8]),
    bytes("add-r8", "ADD AL, BL", &[0x00, 0xD8]),
    bytes("cmp-al-imm", "CMP AL, 3", &[0x3C, 0x03]),
    bytes("load8", "MOV AL, [EBX+1]", &[0x8A, 0x43, 0x01]),
    bytes("store8", "MOV [EBX+2], AL", &[0x88, 0x43, 0x02]),
    bytes(
        "cmp-m8-imm",
        "CMP BYTE [EBX+1], 3",
        &[0x80, 0x7B, 0x01, 0x03],
    ),
    bytes("xchg", "XCHG EAX, EDX", &[0x92]),
    bytes("cdq", "CDQ", &[0x99]),
    bytes("movsx", "MOVSX EAX, CX", &[0x0F, 0xBF, 0xC1]),
    bytes("setcc", "SETZ AL", &[0x0F, 0x94, 0xC0]),
    bytes("bt-imm", "BT EAX, 3", &[0x0F, 0xBA, 0xE0, 0x03]),
    bytes(
        "mov-imm",
        "MOV EAX, 12345678h",
        &[0xB8, 0x78, 0x56, 0x34, 0x12],
    ),
    bytes("push-pop", "PUSH EAX; POP EDX", &[0x50, 0x5A]),
    Case {
        name: "call-ret",
        what: "CALL near; RET",
        code: Code::CallRet,
    },
    bytes(
        "cmp-jcc",
        "CMP ECX, EDX; JE (not taken)",
        &[0x39, 0xD1, 0x74, 0x00],
    ),
    bytes(
        "jcc-taken",
        "CMP ECX, EDX; JNE (taken, to the next instruction: ends the block)",
        &[0x39, 0xD1, 0x75, 0x00],
    ),
    // 16-bit forms (66h prefix), as real-mode code runs them.
    bytes("add-rr16", "ADD AX, CX", &[0x66, 0x01, 0xC8]),
    bytes("adc-rr16", "ADC AX, CX", &[0x66, 0x11, 0xC8]),
    bytes("xor-rr16", "XOR DX, AX", &[0x66, 0x31, 0xC2]),
    bytes("and-imm16", "AND DX, 1FCh", &[0x66, 0x81, 0xE2, 0xFC, 0x01]),
    bytes("load16", "MOV SI, [EBX+4]", &[0x66, 0x8B, 0x73, 0x04]),
    bytes("store16", "MOV [EBX+8], AX", &[0x66, 0x89, 0x43, 0x08]),
    bytes("shl-1-16", "SHL AX, 1", &[0x66, 0xD1, 0xE0]),
    bytes("rcr-1-16", "RCR DX, 1", &[0x66, 0xD1, 0xDA]),
    bytes("imul-1-16", "IMUL SI", &[0x66, 0xF7, 0xEE]),
    bytes("push-pop16", "PUSH AX; POP DX", &[0x66, 0x50, 0x66, 0x5A]),
    bytes("inc16", "INC AX", &[0x66, 0x40]),
    bytes("mov-rr16", "MOV AX, BX", &[0x66, 0x89, 0xD8]),
    bytes("add-imm16", "ADD DX, 1FCh", &[0x66, 0x81, 0xC2, 0xFC, 0x01]),
    bytes("or-imm16", "OR DX, 1FCh", &[0x66, 0x81, 0xCA, 0xFC, 0x01]),
    bytes("cmp-imm16", "CMP DX, 1FCh", &[0x66, 0x81, 0xFA, 0xFC, 0x01]),
];

/// The case called `name`.
pub fn case(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.name == name)
}

impl Case {
    /// The guest: `BENCH32`'s set-up, then a jump to this case's loop, to be loaded at
    /// [`LOAD_AT`] and entered there in real mode.
    pub fn guest(&self) -> Vec<u8> {
        let mut g = BENCH32.to_vec();
        g.resize(CASE_AT, 0x90);
        g[BENCH32_LOOP] = 0xE9;
        rel32(&mut g, BENCH32_LOOP, CASE_AT);
        // The registers the cases use.
        g.extend([0xBB, 0x00, 0x00, 0x03, 0x00]); // mov ebx, 30000h
        g.extend([0xB9, 0x01, 0x00, 0x00, 0x00]); // mov ecx, 1
        g.extend([0xBA, 0x03, 0x00, 0x00, 0x00]); // mov edx, 3
        g.extend([0xBE, 0x05, 0x00, 0x00, 0x00]); // mov esi, 5
        g.extend([0xBD, 0x00, 0xFF, 0x02, 0x00]); // mov ebp, 2FF00h
        let again = g.len();
        let mut calls = Vec::new();
        for _ in 0..COPIES {
            match self.code {
                Code::Bytes(b) => g.extend(b),
                Code::CallRet => {
                    calls.push(g.len());
                    g.extend([0xE8, 0, 0, 0, 0]);
                }
            }
        }
        let back = g.len();
        g.extend([0xE9, 0, 0, 0, 0]);
        rel32(&mut g, back, again);
        // The subroutine the calls go to: RET.
        let sub = g.len();
        g.push(0xC3);
        for at in calls {
            rel32(&mut g, at, sub);
        }
        g
    }
}

/// Give the near JMP or CALL (E9 or E8) at `at` its displacement to `to`, both offsets in the
/// guest.
fn rel32(g: &mut [u8], at: usize, to: usize) {
    let rel = to as i32 - (at as i32 + 5);
    g[at + 1..at + 5].copy_from_slice(&rel.to_le_bytes());
}

/// A machine with `guest` loaded at [`LOAD_AT`], CS:IP at its first byte, and its set-up run
/// (the first million instructions, which also warm the decoded-code cache). On the heap: on the
/// stack, where the machine lands in its page changes from run to run (address randomisation),
/// and with it how often the guest's stores alias the CPU's registers in the host's store buffer
/// (4 KiB aliasing), which moved the timings a lot.
pub fn machine(model: Model, guest: &[u8]) -> Result<Box<Pc>, String> {
    let mut pc = Box::new(Pc::new(model, 1 << 20).map_err(|e| e.to_string())?);
    pc.load(LOAD_AT, guest).map_err(|e| e.to_string())?;
    pc.cpu.set_named("cs", LOAD_AT >> 4);
    pc.cpu.set_named("eip", 0);
    if pc.run(1_000_000, None) != Exit::Budget {
        return Err(format!("the guest stopped at {:#x}", pc.cpu.pc_linear()));
    }
    Ok(pc)
}

/// Run `pc` for `insns` more instructions (in slices of at most ten million); returns the
/// instructions run (a REP instruction may take a slice past its budget) and the seconds it took.
pub fn time(pc: &mut Pc, insns: u64) -> Result<(u64, f64), String> {
    let start = Instant::now();
    let before = pc.counters().instructions;
    loop {
        let done = pc.counters().instructions - before;
        if done >= insns {
            return Ok((done, start.elapsed().as_secs_f64()));
        }
        if pc.run((insns - done).min(10_000_000), None) != Exit::Budget {
            return Err(format!("the guest stopped at {:#x}", pc.cpu.pc_linear()));
        }
    }
}

/// Nanoseconds per guest instruction: the best of `rounds` runs of `insns` instructions of `pc`
/// (the fastest run is the one the rest of the host disturbed least).
pub fn best_ns(pc: &mut Pc, insns: u64, rounds: u32) -> Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let (n, secs) = time(pc, insns)?;
        best = best.min(secs * 1e9 / n as f64);
    }
    Ok(best)
}

/// [`best_ns`] for `case`, in a machine of its own.
pub fn time_case(model: Model, case: &Case, insns: u64, rounds: u32) -> Result<f64, String> {
    best_ns(&mut *machine(model, &case.guest())?, insns, rounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both guests run their loops without a fault; the protected one with paging on.
    #[test]
    fn guests_reach_their_loops() {
        for (guest, mode) in [(&BENCH16[..], "real"), (&BENCH32[..], "protected+paging")] {
            let mut pc = machine(Model::PentiumPro, guest).expect("machine");
            let before = pc.counters();
            let (n, _) = time(&mut pc, 200_000).expect("runs");
            assert_eq!(pc.cpu.mode_name(), mode);
            assert_eq!(pc.counters().exceptions, before.exceptions);
            // A REP instruction retires its iterations in one step, so the budget may be passed.
            assert!(n >= 200_000);
        }
    }

    /// Each case runs in protected mode with paging, without a fault, inside its own loop, and
    /// does what it says: its instruction's effect on the registers it names.
    #[test]
    fn cases_run_their_loops() {
        for case in CASES {
            let guest = case.guest();
            let mut pc = machine(Model::PentiumPro, &guest).expect(case.name);
            let before = pc.counters();
            let (n, _) = time(&mut pc, 100_000).expect(case.name);
            assert_eq!(n, 100_000, "{}: no REP, so exactly the budget", case.name);
            assert_eq!(pc.cpu.mode_name(), "protected+paging", "{}", case.name);
            assert_eq!(pc.counters().exceptions, before.exceptions, "{}", case.name);
            let eip = pc.cpu.get_named("eip").expect("eip") as usize;
            let base = LOAD_AT as usize;
            assert!(
                (base + CASE_AT..base + guest.len()).contains(&eip),
                "{}: EIP {eip:#x} outside its code",
                case.name
            );
            assert_eq!(pc.cpu.get_named("ebx"), Some(0x30000), "{}", case.name);
            // Balanced: as set, or one push (PUSH, CALL) ahead of its POP or RET when the
            // budget ended between them.
            let esp = pc.cpu.get_named("esp").expect("esp");
            assert!(
                (0x2FFF8..=0x2FFFC).contains(&esp),
                "{}: stack not balanced (ESP {esp:#x})",
                case.name
            );
        }
        // A few effects, so that a case's bytes cannot silently be some other instruction.
        let reg = |name: &str, r: &str| {
            let mut pc = machine(Model::PentiumPro, &case(name).expect(name).guest()).expect(name);
            time(&mut pc, 10_000).expect(name);
            pc.cpu.get_named(r).expect(r)
        };
        assert_eq!(reg("mov-rr", "eax"), 0x30000);
        assert_eq!(reg("lea", "eax"), 0x30000 + 2 + 4);
        assert_eq!(reg("push-pop", "edx"), reg("push-pop", "eax"));
        assert_ne!(reg("add-imm", "edx"), 3);
    }
}
