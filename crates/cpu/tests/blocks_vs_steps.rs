//! The block path (`Cpu::run`: decoded blocks, handlers resolved and specialised at decode time)
//! against the plain path (`Cpu::step`: one instruction through the general dispatcher) on
//! pseudo-random programs of the forms that have specialised handlers, and their neighbours:
//! ALU in all forms and sizes, MOV, shifts and rotates, MOVZX, PUSH/POP, INC/DEC, SETcc (which
//! reads every flag back), CF changes, CALL and RET, TEST/NOT/NEG/MUL/IMUL, LOOP, CMOVcc, Jcc,
//! LEA, JMP over bytes that never run, and short loops, with 16- and 32-bit addresses. Both
//! runs, and the block path again in slices of random length, must end in the same registers,
//! flags and memory.

mod differential;

use cpu::bus::FlatBus;
use cpu::{Cpu, Model, RunExit};
use differential::{assert_same, Rng};

const CODE: u32 = 0x1000;
/// Where the memory operands point: [SI+d8], [DI+d8], [BX+d8].
const SI: u32 = 0x3000;
const DI: u32 = 0x3100;
const BX: u32 = 0x3200;
const STACK: u32 = 0x8000;

/// Registers an instruction may write: not SP, nor the pointers BX, SI, DI.
const DATA: [u8; 4] = [0, 1, 2, 5];
/// Byte registers that may be written: AL CL DL AH CH DH.
const DATA8: [u8; 6] = [0, 1, 2, 4, 5, 6];

thread_local! {
    /// Where the instruction being generated starts in the program (for a 67h prefix).
    static START: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A memory operand ([SI+d8], [DI+d8] or [BX+d8]) with `reg` in the reg field; a quarter of
/// them with a 32-bit address instead ([ESI+d8], [EDI+d8], [EBX+d8], the same places), whose
/// 67h prefix goes before the instruction's other bytes.
fn mem(r: &mut Rng, reg: u8, out: &mut Vec<u8>) {
    let rm = if r.below(4) == 0 {
        out.insert(START.get(), 0x67);
        r.pick(&[6, 7, 3])
    } else {
        r.pick(&[4, 5, 7])
    };
    out.push(0x40 | (reg << 3) | rm);
    out.push(r.below(0x78) as u8);
}

fn reg_reg(reg: u8, rm: u8) -> u8 {
    0xC0 | (reg << 3) | rm
}

/// An r/m operand with `reg` in the reg field: any of the eight registers, or memory.
fn reg_or_mem(r: &mut Rng, reg: u8, out: &mut Vec<u8>) {
    if r.below(2) == 0 {
        out.push(reg_reg(reg, r.below(8) as u8));
    } else {
        mem(r, reg, out);
    }
}

/// A random immediate of the operand's size: a byte, or a word or doubleword when `wide`.
fn imm(r: &mut Rng, wide: bool, o32: bool, out: &mut Vec<u8>) {
    let n = match (wide, o32) {
        (false, _) => 1,
        (true, false) => 2,
        (true, true) => 4,
    };
    for _ in 0..n {
        out.push(r.next() as u8);
    }
}

/// One random instruction.
fn instruction(r: &mut Rng, out: &mut Vec<u8>) {
    START.set(out.len());
    let o32 = r.below(4) != 0;
    if o32 {
        out.push(0x66);
    }
    let wide = r.below(5) != 0;
    let dst = |r: &mut Rng| if wide { r.pick(&DATA) } else { r.pick(&DATA8) };
    match r.below(28) {
        // ALU, register to register, either direction.
        0 | 1 => {
            let op = r.below(8) as u8;
            let dir = r.below(2) as u8 * 2;
            out.push((op << 3) | dir | wide as u8);
            let (d, s) = (dst(r), r.below(8) as u8);
            out.push(if dir == 0 {
                reg_reg(s, d)
            } else {
                reg_reg(d, s)
            });
        }
        // ALU with memory, either direction.
        2 => {
            let op = r.below(8) as u8;
            let dir = r.below(2) as u8 * 2;
            out.push((op << 3) | dir | wide as u8);
            let reg = if dir == 0 { r.below(8) as u8 } else { dst(r) };
            mem(r, reg, out);
        }
        // ALU with an immediate: 80, 81, 83 to a register or memory.
        3 => {
            let op = r.below(8) as u8;
            let form = if !wide { 0x80 } else { r.pick(&[0x81, 0x83]) };
            out.push(form);
            if r.below(3) == 0 {
                mem(r, op, out);
            } else {
                out.push(reg_reg(op, dst(r)));
            }
            let n = match form {
                0x81 if o32 => 4,
                0x81 => 2,
                _ => 1,
            };
            for _ in 0..n {
                out.push(r.next() as u8);
            }
        }
        // MOV between registers, and with memory.
        4 | 5 => {
            let to_reg = r.below(2) == 1;
            out.push(0x88 | (to_reg as u8) << 1 | wide as u8);
            if r.below(2) == 0 {
                let (d, s) = (dst(r), r.below(8) as u8);
                out.push(if to_reg { reg_reg(d, s) } else { reg_reg(s, d) });
            } else {
                let reg = if to_reg { dst(r) } else { r.below(8) as u8 };
                mem(r, reg, out);
            }
        }
        // Shifts and rotates by an immediate, by one and by CL.
        6 | 7 => {
            let kind = r.below(8) as u8;
            let form = r.pick(&[0xC0, 0xD0, 0xD2]) | wide as u8;
            out.push(form);
            if r.below(4) == 0 {
                mem(r, kind, out);
            } else {
                out.push(reg_reg(kind, dst(r)));
            }
            if form & 0xFE == 0xC0 {
                out.push(r.pick(&[0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33]));
            }
        }
        // MOVZX and MOVSX from a byte or word register or memory.
        8 => {
            out.extend([0x0F, r.pick(&[0xB6, 0xB7, 0xBE, 0xBF])]);
            let d = r.pick(&DATA);
            reg_or_mem(r, d, out);
        }
        // PUSH and POP of a register (POP only to the data registers).
        9 => {
            if r.below(2) == 0 {
                out.push(0x50 + r.below(8) as u8);
            } else {
                out.push(0x58 + r.pick(&DATA));
            }
        }
        // INC and DEC of a register, or of memory (FE, FF).
        10 => {
            if r.below(2) == 0 {
                out.push(0x40 + r.pick(&DATA) + 8 * r.below(2) as u8);
            } else {
                out.push(0xFE | wide as u8);
                let dec = r.below(2) as u8;
                mem(r, dec, out);
            }
        }
        // SETcc to a byte register: every condition, read from the lazy flags.
        11 => {
            if o32 {
                out.pop();
            }
            out.extend([0x0F, 0x90 + r.below(16) as u8, reg_reg(0, r.pick(&DATA8))]);
        }
        // CLC, STC, CMC, or MOV r, imm (B0+r, B8+r) of each size.
        12 => {
            if r.below(2) == 0 {
                out.push(if wide { 0xB8 } else { 0xB0 } + dst(r));
                imm(r, wide, o32, out);
            } else {
                if o32 {
                    out.pop();
                }
                out.push(r.pick(&[0xF8, 0xF9, 0xF5]));
            }
        }
        // F6/F7 on a register: TEST, NOT, NEG, MUL, IMUL (not DIV: its faults are elsewhere).
        13 => {
            let kind = r.pick(&[0, 2, 3, 4, 5]);
            out.push(0xF6 | wide as u8);
            out.push(reg_reg(
                kind,
                if kind >= 4 { r.below(8) as u8 } else { dst(r) },
            ));
            if kind == 0 {
                imm(r, wide, o32, out);
            }
        }
        // IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69, 6B).
        16 => {
            let form = r.pick(&[0xAF, 0x69, 0x6B]);
            if form == 0xAF {
                out.extend([0x0F, 0xAF]);
            } else {
                out.push(form);
            }
            let d = r.pick(&DATA);
            reg_or_mem(r, d, out);
            let n = match (form, o32) {
                (0xAF, _) => 0,
                (0x6B, _) => 1,
                (_, false) => 2,
                (_, true) => 4,
            };
            for _ in 0..n {
                out.push(r.next() as u8);
            }
        }
        // TEST r/m, r (84, 85) between registers or with memory.
        18 => {
            out.push(0x84 | wide as u8);
            let a = r.below(8) as u8;
            reg_or_mem(r, a, out);
        }
        // CMOVcc from a register or memory.
        19 => {
            out.extend([0x0F, 0x40 + r.below(16) as u8]);
            let d = r.pick(&DATA);
            reg_or_mem(r, d, out);
        }
        // LOOP to the next instruction (taken or not, it goes on there), counting in CX or,
        // with an address-size prefix, ECX.
        17 => {
            if r.below(2) == 0 {
                out.push(0x67);
            }
            out.extend([0xE2, 0]);
        }
        // CALL to the next instruction, its return address popped into a data register.
        14 => {
            out.extend([0xE8, 0, 0]);
            if o32 {
                out.extend([0, 0]);
            }
            if o32 {
                out.push(0x66);
            }
            out.push(0x58 + r.pick(&DATA));
        }
        // PUSH of the address after a RET, and the RET.
        15 => {
            let at = CODE as usize + out.len();
            let after = at + if o32 { 1 + 4 + 2 } else { 1 + 2 + 1 };
            out.push(0x68);
            let n = if o32 { 4 } else { 2 };
            out.extend(&(after as u32).to_le_bytes()[..n]);
            if o32 {
                out.push(0x66);
            }
            out.push(0xC3);
        }
        // JMP over one to three bytes that never run (a block follows it).
        21 => {
            if o32 {
                out.pop();
            }
            let n = 1 + r.below(3) as usize;
            out.extend([0xEB, n as u8]);
            for _ in 0..n {
                out.push(r.next() as u8);
            }
        }
        // A loop of one to four rounds, back with LOOP or with DEC CX / JNZ (a block follows
        // a backward branch as taken, and stops where it falls through).
        22 | 23 => {
            if o32 {
                out.pop();
            }
            out.extend([0xB9, 1 + r.below(4) as u8, 0]); // mov cx, 1-4
                                                         // inc dx / xor ax, dx / add ax, 7
            const BODIES: [&[u8]; 3] = [&[0x42], &[0x31, 0xD0], &[0x83, 0xC0, 0x07]];
            let body = BODIES[r.below(3) as usize];
            out.extend(body);
            if r.below(2) == 0 {
                out.extend([0xE2, (-(body.len() as i8) - 2) as u8]); // loop
            } else {
                out.extend([0x49, 0x75, (-(body.len() as i8) - 3) as u8]); // dec cx; jnz
            }
        }
        // LEA of a memory operand's address.
        24 => {
            out.push(0x8D);
            let d = r.pick(&DATA);
            mem(r, d, out);
        }
        // ALU with the accumulator and an immediate (04, 05, 0C... 3D).
        25 => {
            out.push((r.below(8) as u8) << 3 | 4 | wide as u8);
            imm(r, wide, o32, out);
        }
        // MOV m, imm (C6, C7).
        26 => {
            out.push(0xC6 | wide as u8);
            mem(r, 0, out);
            imm(r, wide, o32, out);
        }
        // TEST m, imm (F6, F7 /0), NOP, or the multi-byte NOP (0F 1F /0, which only decodes
        // its memory operand).
        27 => {
            if r.below(4) == 0 {
                out.push(0x90);
            } else if r.below(4) == 0 {
                out.extend([0x0F, 0x1F]);
                mem(r, 0, out);
            } else {
                out.push(0xF6 | wide as u8);
                mem(r, 0, out);
                imm(r, wide, o32, out);
            }
        }
        // Jcc over nothing (taken or not, the next instruction follows): a condition read.
        _ => {
            if o32 {
                out.pop();
            }
            out.extend([0x70 + r.below(16) as u8, 0]);
        }
    }
}

fn machine(program: &[u8], seed: u64) -> (Cpu, FlatBus) {
    let mut bus = FlatBus::new(1 << 20);
    bus.ram[CODE as usize..CODE as usize + program.len()].copy_from_slice(program);
    let mut r = Rng(seed ^ 0xDEAD_BEEF);
    for b in &mut bus.ram[SI as usize..BX as usize + 0x100] {
        *b = r.next() as u8;
    }
    let mut cpu = Cpu::new(Model::PentiumPro);
    for s in ["cs", "ds", "es", "ss"] {
        assert!(cpu.set_named(s, 0));
    }
    assert!(cpu.set_named("eip", CODE));
    for (name, v) in [("esi", SI), ("edi", DI), ("ebx", BX), ("esp", STACK)] {
        assert!(cpu.set_named(name, v));
    }
    for name in ["eax", "ecx", "edx", "ebp"] {
        assert!(cpu.set_named(name, r.next()));
    }
    (cpu, bus)
}

#[test]
fn blocks_and_single_steps_agree_on_random_programs() {
    let mut insns_checked = 0;
    for seed in 1..=200u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut program = Vec::new();
        let count = 600;
        for _ in 0..count {
            instruction(&mut r, &mut program);
        }
        program.push(0xF4);

        let (mut stepped, mut bus_s) = machine(&program, seed);
        let mut steps = 0;
        while !stepped.halted && steps < 10 * count {
            stepped.step(&mut bus_s);
            steps += 1;
        }
        assert!(
            stepped.halted,
            "seed {seed}: the stepped run did not reach HLT"
        );

        let (mut blocks, mut bus_b) = machine(&program, seed);
        let exit = blocks.run(&mut bus_b, 10 * count as u64);
        assert_eq!(
            exit,
            RunExit::Halted,
            "seed {seed}: the block run did not halt"
        );

        let what = format!("seed {seed}, program {program:02X?}");
        assert_same(&stepped, &bus_s.ram, &blocks, &bus_b.ram, &what);
        assert_eq!(stepped.counters.exceptions, 0, "an exception; {what}");
        assert_eq!(
            stepped.counters.instructions, blocks.counters.instructions,
            "instructions retired; {what}"
        );

        // Again in slices of 1 to 40 instructions: every slice must end exactly at its budget,
        // in a block that loops back to its start as anywhere else, and end the same.
        let (mut sliced, mut bus_c) = machine(&program, seed);
        let mut slices = 0;
        loop {
            let before = sliced.counters.instructions;
            let budget = 1 + r.below(40) as u64;
            match sliced.run(&mut bus_c, budget) {
                RunExit::Halted => break,
                RunExit::Budget => assert_eq!(
                    sliced.counters.instructions - before,
                    budget,
                    "seed {seed}: slice {slices}"
                ),
                other => panic!("seed {seed}: slice {slices} ended {other:?}"),
            }
            slices += 1;
            assert!(
                slices < 10 * count,
                "seed {seed}: the sliced run did not halt"
            );
        }
        assert_same(&stepped, &bus_s.ram, &sliced, &bus_c.ram, &what);
        assert_eq!(
            stepped.counters.instructions, sliced.counters.instructions,
            "instructions retired in slices; {what}"
        );
        insns_checked += stepped.counters.instructions;
    }
    assert!(insns_checked >= 200 * 600);
}
