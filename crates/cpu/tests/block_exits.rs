//! How a block stops in the middle: a fault, a store into its own code, an instruction that
//! reads the retired-instruction count, a transfer the block followed that goes elsewhere.
//! Each program runs twice, through decoded blocks (`Cpu::run`) and one instruction at a time
//! through the general dispatcher (`Cpu::step`), and both runs must end in the same
//! registers, flags, memory and counters. The programs also check their own results, so that
//! a fault that both paths got wrong does not pass.

// Only its comparison is used here, not its random numbers.
#[allow(dead_code)]
mod differential;

use cpu::bus::FlatBus;
use cpu::{Cpu, Model, RunExit};
use differential::assert_same;

const CODE: u32 = 0x1000;
const HANDLER: u32 = 0x2000;
const STACK: u32 = 0x8000;
/// Where the fault handlers store what they saw.
const SEEN: u32 = 0x3000;

/// Real mode at 0:CODE with the handler at 0:HANDLER for `vectors`: it stores the pushed IP
/// and SP, AX and CX at SEEN, then halts.
fn machine(program: &[u8], vectors: &[u8]) -> (Cpu, FlatBus) {
    machine_poked(program, vectors, &[])
}

/// [`machine`] with single bytes of memory set: `(address, value)`.
fn machine_poked(program: &[u8], vectors: &[u8], pokes: &[(u32, u8)]) -> (Cpu, FlatBus) {
    let mut bus = FlatBus::new(1 << 20);
    for &(at, v) in pokes {
        bus.ram[at as usize] = v;
    }
    bus.ram[CODE as usize..CODE as usize + program.len()].copy_from_slice(program);
    for &v in vectors {
        let at = v as usize * 4;
        bus.ram[at..at + 4].copy_from_slice(&[HANDLER as u8, (HANDLER >> 8) as u8, 0, 0]);
    }
    let handler = [
        0x89, 0xE5, // mov bp, sp
        0x8B, 0x76, 0x00, // mov si, [bp+0]: the pushed IP
        0x89, 0x36, 0x00, 0x30, // mov [3000h], si
        0x8D, 0x76, 0x06, // lea si, [bp+6]: SP before the exception
        0x89, 0x36, 0x02, 0x30, // mov [3002h], si
        0xA3, 0x04, 0x30, // mov [3004h], ax
        0x89, 0x0E, 0x06, 0x30, // mov [3006h], cx
        0xF4, // hlt
    ];
    bus.ram[HANDLER as usize..HANDLER as usize + handler.len()].copy_from_slice(&handler);
    let mut cpu = Cpu::new(Model::PentiumPro);
    for s in ["cs", "ds", "es", "ss"] {
        assert!(cpu.set_named(s, 0));
    }
    assert!(cpu.set_named("eip", CODE));
    assert!(cpu.set_named("esp", STACK));
    (cpu, bus)
}

/// Run `program` both ways to HLT; returns the block run's machine after checking that the
/// stepped one is the same.
fn both_ways(program: &[u8], vectors: &[u8]) -> (Cpu, FlatBus) {
    both_ways_poked(program, vectors, &[])
}

/// [`both_ways`] on [`machine_poked`].
fn both_ways_poked(program: &[u8], vectors: &[u8], pokes: &[(u32, u8)]) -> (Cpu, FlatBus) {
    both_ways_set(program, vectors, pokes, |_| {})
}

/// [`both_ways_poked`] with `set` applied to each machine before it runs.
fn both_ways_set(
    program: &[u8],
    vectors: &[u8],
    pokes: &[(u32, u8)],
    set: impl Fn(&mut Cpu),
) -> (Cpu, FlatBus) {
    let (mut stepped, mut bus_s) = machine_poked(program, vectors, pokes);
    set(&mut stepped);
    let mut steps = 0;
    while !stepped.halted && steps < 100_000 {
        stepped.step(&mut bus_s);
        steps += 1;
    }
    assert!(stepped.halted, "the stepped run did not reach HLT");
    let (mut blocks, mut bus_b) = machine_poked(program, vectors, pokes);
    set(&mut blocks);
    assert_eq!(blocks.run(&mut bus_b, 100_000), RunExit::Halted);
    let what = format!("program {program:02X?}");
    assert_same(&stepped, &bus_s.ram, &blocks, &bus_b.ram, &what);
    assert_eq!(
        stepped.counters.instructions, blocks.counters.instructions,
        "instructions retired; {what}"
    );
    assert_eq!(
        stepped.counters.exceptions, blocks.counters.exceptions,
        "exceptions; {what}"
    );
    (blocks, bus_b)
}

fn word(bus: &FlatBus, at: u32) -> u16 {
    u16::from_le_bytes([bus.ram[at as usize], bus.ram[at as usize + 1]])
}

#[test]
fn a_load_that_faults_mid_block_restarts_at_its_first_byte() {
    // mov ax, 1234h; push ax; inc cx; mov ax, [FFFFh] (#GP: a word past the limit); hlt
    let program = [0xB8, 0x34, 0x12, 0x50, 0x41, 0x8B, 0x06, 0xFF, 0xFF, 0xF4];
    let (cpu, bus) = both_ways(&program, &[13]);
    assert_eq!(word(&bus, SEEN), CODE as u16 + 5, "IP of the MOV");
    assert_eq!(word(&bus, SEEN + 2), STACK as u16 - 2, "SP after the PUSH");
    assert_eq!(word(&bus, SEEN + 4), 0x1234, "AX kept");
    assert_eq!(word(&bus, SEEN + 6), 1, "INC CX retired");
    assert_eq!(cpu.counters.exceptions, 1);
}

#[test]
fn a_segment_load_mid_block_moves_the_accesses_after_it() {
    // The block's loads and stores check segments through windows made when the run starts;
    // a segment load in the block must make them again. Pages 0 and 4 are first given to the
    // direct path (read and written with DS = 0), so that a stale window would read and
    // write the wrong page without any fault.
    #[rustfmt::skip]
    let program = [
        0x8B, 0x1E, 0x10, 0x00, // mov bx, [0010h]
        0x8B, 0x1E, 0x10, 0x40, // mov bx, [4010h]
        0x89, 0x1E, 0x20, 0x40, // mov [4020h], bx
        0x89, 0x1E, 0x20, 0x00, // mov [0020h], bx
        0xB8, 0x00, 0x04, // mov ax, 400h
        0x8E, 0xD8, // mov ds, ax: DS at 4000h
        0x8B, 0x06, 0x10, 0x00, // mov ax, [10h]: 4010h
        0x89, 0x06, 0x30, 0x00, // mov [30h], ax: 4030h
        0x1E, // push ds
        0x07, // pop es: ES at 4000h
        0x31, 0xC9, // xor cx, cx
        0x51, // push cx
        0x1F, // pop ds: DS at 0
        0x26, 0x8B, 0x0E, 0x12, 0x00, // mov cx, es:[12h]: 4012h
        0x8B, 0x16, 0x10, 0x00, // mov dx, [10h]: 0010h
        0xF4, // hlt
    ];
    let pokes = [
        (0x0010, 0x78),
        (0x0011, 0x56),
        (0x4010, 0x34),
        (0x4011, 0x12),
        (0x4012, 0xCD),
        (0x4013, 0xAB),
    ];
    let (cpu, bus) = both_ways_poked(&program, &[], &pokes);
    assert_eq!(cpu.regs[0] as u16, 0x1234, "AX from 4010h");
    assert_eq!(cpu.regs[1] as u16, 0xABCD, "CX from ES:12h");
    assert_eq!(cpu.regs[2] as u16, 0x5678, "DX from 0:10h");
    assert_eq!(word(&bus, 0x4030), 0x1234, "the store through DS at 4000h");
    assert_eq!(word(&bus, 0x0030), 0, "nothing stored at 0:30h");
}

#[test]
fn a_jump_of_the_other_operand_size_is_not_followed() {
    // 16-bit code at 0101:0005 (linear 1015h): JMP short -16 with a 66h prefix. Its target is
    // worked out in 32 bits, 0008h - 16 = FFFFFFF8h, past CS's limit: #GP. A block must not
    // follow a jump of the other operand size: it would take the target to be in the page.
    let program = [0xEA, 0x05, 0x00, 0x01, 0x01]; // jmp far 0101:0005
    let pokes = [(0x1015, 0x66), (0x1016, 0xEB), (0x1017, 0xF0)];
    let (cpu, bus) = both_ways_poked(&program, &[13], &pokes);
    assert_eq!(cpu.counters.exceptions, 1, "one #GP");
    assert_eq!(word(&bus, SEEN), 0x0005, "IP of the JMP");
}

#[test]
fn a_followed_call_that_writes_into_its_own_code_goes_on_at_its_target() {
    // The stack is in the code's page: the CALL's push drops the block, and the run must go on
    // at the CALL's target, not after the CALL.
    #[rustfmt::skip]
    let program = [
        0xBC, 0x00, 0x11, // mov sp, 1100h
        0xE8, 0x01, 0x00, // call 1007h
        0xF4, // hlt (only if the CALL went wrong)
        0xB8, 0x34, 0x12, // mov ax, 1234h
        0xF4, // hlt
    ];
    let (cpu, bus) = both_ways(&program, &[]);
    assert_eq!(cpu.regs[0] as u16, 0x1234, "AX set at the target");
    assert_eq!(cpu.regs[4] as u16, 0x10FE, "SP after the push");
    assert_eq!(word(&bus, 0x10FE), 0x1006, "the return address");
}

#[test]
fn a_pop_that_faults_mid_block_leaves_sp_as_it_was() {
    // mov sp, FFFFh; inc cx; pop ax (#SS: the word would run past FFFFh); hlt
    let program = [0xBC, 0xFF, 0xFF, 0x41, 0x58, 0xF4];
    let (_, bus) = both_ways(&program, &[12, 13]);
    assert_eq!(word(&bus, SEEN), CODE as u16 + 4, "IP of the POP");
    assert_eq!(word(&bus, SEEN + 2), 0xFFFF, "SP as before the POP");
    assert_eq!(word(&bus, SEEN + 6), 1, "INC CX retired");
}

#[test]
fn a_return_outside_cs_faults_with_sp_as_it_was() {
    // CS's limit cut to 2FFFh (as a protected-mode descriptor can leave it in real mode):
    // push 4000h; inc cx; ret (#GP: the target is past the limit); hlt
    let program = [0x68, 0x00, 0x40, 0x41, 0xC3, 0xF4];
    let (_, bus) = both_ways_set(&program, &[13], &[], |cpu| cpu.segs[1].limit = 0x2FFF);
    assert_eq!(word(&bus, SEEN), CODE as u16 + 4, "IP of the RET");
    assert_eq!(
        word(&bus, SEEN + 2),
        STACK as u16 - 2,
        "SP as before the RET"
    );
    assert_eq!(word(&bus, SEEN + 6), 1, "INC CX retired");
}

#[test]
fn a_store_into_the_same_block_runs_the_new_code() {
    // mov byte [imm], 99h: rewrites the immediate of the MOV AL that follows it in the block;
    // add byte [imm2], 1: the same, through read-modify-write; then hlt.
    let imm = CODE + 5 + 1;
    let imm2 = CODE + 5 + 2 + 5 + 1;
    let program = [
        0xC6,
        0x06,
        imm as u8,
        (imm >> 8) as u8,
        0x99, // mov byte [imm], 99h
        0xB0,
        0x11, // mov al, 11h (becomes 99h)
        0x80,
        0x06,
        imm2 as u8,
        (imm2 >> 8) as u8,
        0x01, // add byte [imm2], 1
        0xB1,
        0x41, // mov cl, 41h (becomes 42h)
        0xF4,
    ];
    let (cpu, _) = both_ways(&program, &[]);
    assert_eq!(cpu.get_named("eax").map(|v| v & 0xFF), Some(0x99));
    assert_eq!(cpu.get_named("ecx").map(|v| v & 0xFF), Some(0x42));
}

#[test]
fn a_specialised_store_into_the_same_block_runs_the_new_code() {
    // The stores of the specialised handlers (MOV m, r; ADD m, r; INC m; ADD m, imm; PUSH)
    // each rewrite the immediate of the MOV that follows them in the block. They check for
    // rewritten code only on their full path, which they take here because the page holds
    // decoded code.
    #[rustfmt::skip]
    let program = [
        0xB8, 0x99, 0x99, // 1000: mov ax, 9999h
        0xBB, 0x09, 0x10, // 1003: mov bx, 1009h
        0x89, 0x07, // 1006: mov [bx], ax
        0xB9, 0x11, 0x11, // 1008: mov cx, 1111h (becomes 9999h)
        0x01, 0x47, 0x06, // 100B: add [bx+6], ax
        0xBA, 0x22, 0x22, // 100E: mov dx, 2222h (becomes BBBBh)
        0xFF, 0x47, 0x0C, // 1011: inc word [bx+0Ch]
        0xBE, 0x33, 0x33, // 1014: mov si, 3333h (becomes 3334h)
        0x83, 0x47, 0x13, 0x05, // 1017: add word [bx+13h], 5
        0xBF, 0x44, 0x44, // 101B: mov di, 4444h (becomes 4449h)
        0xBC, 0x25, 0x10, // 101E: mov sp, 1025h
        0x50, // 1021: push ax
        0xBD, 0x55, 0x55, // 1022: mov bp, 5555h (becomes 9999h)
        0xF4, // 1025: hlt
    ];
    let (cpu, _) = both_ways(&program, &[]);
    for (reg, want) in [
        ("ecx", 0x9999),
        ("edx", 0xBBBB),
        ("esi", 0x3334),
        ("edi", 0x4449),
        ("ebp", 0x9999),
    ] {
        assert_eq!(cpu.get_named(reg).map(|v| v & 0xFFFF), Some(want), "{reg}");
    }
}

#[test]
fn rdtsc_in_a_block_counts_every_instruction_before_it() {
    // Five register instructions, REP MOVSB of 7 bytes (one instruction per element), then
    // RDTSC twice in the same block: the counts differ by one, and the stepped run agrees.
    let program = [
        0x31, 0xC0, // xor ax, ax
        0x40, // inc ax
        0x40, // inc ax
        0xBE, 0x00, 0x40, // mov si, 4000h
        0xBF, 0x00, 0x50, // mov di, 5000h
        0xB9, 0x07, 0x00, // mov cx, 7
        0xFC, // cld
        0xF3, 0xA4, // rep movsb
        0x0F, 0x31, // rdtsc
        0x89, 0xC3, // mov bx, ax
        0x0F, 0x31, // rdtsc
        0xF4,
    ];
    let (cpu, _) = both_ways(&program, &[]);
    let (a, b) = (cpu.get_named("ebx").unwrap(), cpu.get_named("eax").unwrap());
    assert_eq!(b, a + 2, "RDTSC, MOV, RDTSC");
    // 7 before the REP, 7 elements: the first RDTSC sees 14.
    assert_eq!(a, 14);
}

#[test]
fn fused_compare_and_branch_pairs_take_and_fall_through() {
    // A count to five with CMP ECX,EBX / JNE (taken four times), then TEST / JZ (not taken),
    // CMP ECX,5 / JE (taken) and CMP EBX,ECX / JB (not taken): each a pair that runs as one
    // handler (`fuse` in exec/dispatch.rs).
    #[rustfmt::skip]
    let program = [
        0x66, 0x31, 0xC9, // xor ecx, ecx
        0x66, 0xBB, 0x05, 0x00, 0x00, 0x00, // mov ebx, 5
        // top (+9):
        0x66, 0x41, // inc ecx
        0x66, 0x39, 0xD9, // cmp ecx, ebx
        0x75, 0xF9, // jne top
        0x66, 0x85, 0xC9, // test ecx, ecx
        0x74, 0x13, // jz bad
        0x66, 0x83, 0xF9, 0x05, // cmp ecx, 5
        0x74, 0x04, // je ok
        0xB8, 0xAD, 0x0B, // mov ax, 0BADh
        0xF4, // hlt
        // ok (+31):
        0x66, 0x3B, 0xD9, // cmp ebx, ecx
        0x72, 0x04, // jb bad
        0xB8, 0x0D, 0x60, // mov ax, 600Dh
        0xF4, // hlt
        // bad (+40):
        0xB8, 0xAD, 0x0B, // mov ax, 0BADh
        0xF4,
    ];
    assert_eq!(program[40], 0xB8);
    let (cpu, _) = both_ways(&program, &[]);
    assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(0x600D));
    assert_eq!(cpu.get_named("ecx"), Some(5));
    // 2 + 5 * 3 + 2 + 2 + 2 + 1 + 1 retired, HLT included.
    assert_eq!(cpu.counters.instructions, 25);

    // Budgets of one to seven instructions a run cut blocks between the two halves of a
    // pair, and between the pairs: the end is the same.
    for budget in 1..=7 {
        let (mut cpu, mut bus) = machine(&program, &[]);
        let mut runs = 0;
        while !cpu.halted && runs < 1000 {
            cpu.run(&mut bus, budget);
            runs += 1;
        }
        assert!(cpu.halted, "budget {budget}");
        assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(0x600D));
        assert_eq!(cpu.counters.instructions, 25, "budget {budget}");
    }
}

/// Run `program` with budgets of 1 to 9 instructions a run, which cut its blocks everywhere:
/// each run must end as the stepped one did.
fn every_budget_agrees(program: &[u8]) {
    let (stepped, bus_s) = both_ways(program, &[]);
    for budget in 1..=9 {
        let (mut cpu, mut bus) = machine(program, &[]);
        let mut runs = 0;
        while !cpu.halted && runs < 10_000 {
            cpu.run(&mut bus, budget);
            runs += 1;
        }
        assert!(cpu.halted, "budget {budget}");
        let what = format!("budget {budget}");
        assert_same(&stepped, &bus_s.ram, &cpu, &bus.ram, &what);
        assert_eq!(
            stepped.counters.instructions, cpu.counters.instructions,
            "instructions retired; {what}"
        );
    }
}

#[test]
fn a_block_goes_on_through_calls_and_their_returns() {
    #[rustfmt::skip]
    let program = [
        0x31, 0xC0, // xor ax, ax
        0xE8, 0x06, 0x00, // call sub (+11)
        0x41, // inc cx
        0xE8, 0x02, 0x00, // call sub
        0x41, // inc cx
        0xF4, // hlt
        // sub (+11):
        0x40, // inc ax
        0xC3, // ret
    ];
    let (cpu, _) = both_ways(&program, &[]);
    assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(2));
    assert_eq!(cpu.get_named("ecx").map(|v| v & 0xFFFF), Some(2));
    assert_eq!(cpu.counters.instructions, 10);
    // One block of all ten, the subroutine decoded twice in it: a block that stopped at each
    // CALL and RET would have decoded eight (the subroutine once).
    assert_eq!(cpu.counters.cache_misses, 10);
    every_budget_agrees(&program);
}

#[test]
fn a_return_to_somewhere_else_stops_the_block_there() {
    // The subroutine adds one to its return address: the RET skips the INC CX after the
    // CALL, where the block expected to go on.
    #[rustfmt::skip]
    let program = [
        0x31, 0xD2, // xor dx, dx
        0xE8, 0x03, 0x00, // call sub (+8)
        0x41, // inc cx (skipped)
        0x42, // inc dx
        0xF4, // hlt
        // sub (+8):
        0x89, 0xE5, // mov bp, sp
        0xFF, 0x46, 0x00, // inc word [bp+0]
        0xC3, // ret
    ];
    let (cpu, _) = both_ways(&program, &[]);
    assert_eq!(cpu.get_named("ecx").map(|v| v & 0xFFFF), Some(0));
    assert_eq!(cpu.get_named("edx").map(|v| v & 0xFFFF), Some(1));
    every_budget_agrees(&program);
}

#[test]
fn a_block_goes_on_round_backward_loops_and_over_forward_jumps() {
    // LOOP five times, a JMP over a byte, then DEC/JNZ three times: each backward branch is
    // followed as taken, and leaving the loop stops the block there.
    #[rustfmt::skip]
    let program = [
        0x31, 0xD2, // xor dx, dx
        0xB9, 0x05, 0x00, // mov cx, 5
        0x31, 0xC0, // xor ax, ax
        // top (+7):
        0x40, // inc ax
        0xE2, 0xFD, // loop top
        0xEB, 0x01, // jmp over
        0x42, // inc dx (jumped over)
        // over (+13):
        0xBB, 0x03, 0x00, // mov bx, 3
        // again (+16):
        0x83, 0xC0, 0x02, // add ax, 2
        0x4B, // dec bx
        0x75, 0xFA, // jnz again
        0xF4, // hlt
    ];
    let (cpu, _) = both_ways(&program, &[]);
    assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(11));
    assert_eq!(cpu.get_named("edx").map(|v| v & 0xFFFF), Some(0));
    assert_eq!(cpu.get_named("ecx").map(|v| v & 0xFFFF), Some(0));
    every_budget_agrees(&program);
}

#[test]
fn a_block_is_entered_only_where_all_it_followed_lies_inside_cs() {
    // The block at E (1010h), entered by a far JMP so that a block starts there, follows its
    // JNE back to L (1008h), 8 bytes before its start. The program then enters the same bytes
    // as 0101:0000, where the JNE goes to IP FFF8h (11008h, a HLT), not to L: that block must
    // not run there as it was decoded.
    #[rustfmt::skip]
    let program = [
        0x31, 0xC0, // xor ax, ax
        0xEA, 0x10, 0x10, 0x00, 0x00, // jmp 0000:1010 (E)
        0x90,
        // L (+8):
        0x40, // inc ax
        0xEB, 0x05, // jmp E
        0x90, 0x90, 0x90, 0x90, 0x90,
        // E (+16):
        0x83, 0xF8, 0x03, // cmp ax, 3
        0x75, 0xF3, // jne L
        0x31, 0xC0, // xor ax, ax
        0xEA, 0x00, 0x00, 0x01, 0x01, // jmp 0101:0000 (E)
    ];
    let hlt = [(0x11008, 0xF4)];
    let (cpu, _) = both_ways_poked(&program, &[], &hlt);
    assert_eq!(cpu.get_named("cs"), Some(0x101));
    assert_eq!(
        cpu.get_named("eip"),
        Some(0xFFF9),
        "halted after the HLT at 0101:FFF8"
    );
    assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(0));
}

#[test]
fn a_page_written_before_its_code_was_cached_still_tells_the_cache() {
    // The first store makes the page at 4000h writable by the direct path (it holds no code
    // yet); calling into it caches its code, after which a store there must still reach the
    // code cache: the second call runs the new immediate.
    let program = [
        0xC6, 0x06, 0x10, 0x40, 0x00, // mov byte [4010h], 0
        0xE8, 0xF8, 0x2F, // call 4000h
        0xC6, 0x06, 0x01, 0x40, 0x22, // mov byte [4001h], 22h
        0x88, 0xC3, // mov bl, al
        0xE8, 0xEE, 0x2F, // call 4000h
        0xF4, // hlt
    ];
    // At 4000h: mov al, 11h; ret
    let pokes = [(0x4000, 0xB0), (0x4001, 0x11), (0x4002, 0xC3)];
    let (cpu, _) = both_ways_poked(&program, &[], &pokes);
    assert_eq!(
        cpu.get_named("ebx").map(|v| v & 0xFF),
        Some(0x11),
        "first call"
    );
    assert_eq!(
        cpu.get_named("eax").map(|v| v & 0xFF),
        Some(0x22),
        "after the store"
    );
}

#[test]
fn a_budget_that_ends_inside_a_rep_string_instruction_stops_the_run() {
    // Each element of a REP string instruction counts as an instruction, so a budget of three
    // ends inside the REP STOSB: the run must stop after it (66 instructions), not wrap its
    // count of what is left and run on.
    let program = [
        0xB9, 0x40, 0x00, // mov cx, 64
        0xBF, 0x00, 0x40, // mov di, 4000h
        0xF3, 0xAA, // rep stosb
        0x90, // nop
        0x90, // nop
        0xF4, // hlt
    ];
    let (mut cpu, mut bus) = machine(&program, &[]);
    assert_eq!(cpu.run(&mut bus, 3), RunExit::Budget);
    assert_eq!(cpu.counters.instructions, 66);
    assert_eq!(cpu.run(&mut bus, 100), RunExit::Halted);
    assert_eq!(cpu.counters.instructions, 69);
}

#[test]
fn a_loop_block_runs_its_turns_within_the_budget() {
    // `inner` is a block of one turn of the loop, which the block loop runs again without
    // leaving it: every budget must stop the run exactly there, and the result must not
    // depend on how the run was cut.
    let program = [
        0x31, 0xC0, // xor ax, ax
        0xB9, 0xE8, 0x03, // mov cx, 1000
        0x05, 0x03, 0x00, // inner: add ax, 3
        0x01, 0xC3, // add bx, ax
        0xE2, 0xF9, // loop inner
        0xF4, // hlt
    ];
    for budget in 1..=9 {
        let (mut cpu, mut bus) = machine(&program, &[]);
        let mut runs = 0;
        loop {
            let before = cpu.counters.instructions;
            let exit = cpu.run(&mut bus, budget);
            runs += 1;
            if exit == RunExit::Halted {
                break;
            }
            assert_eq!(exit, RunExit::Budget);
            assert_eq!(
                cpu.counters.instructions - before,
                budget,
                "budget {budget}"
            );
        }
        assert_eq!(
            cpu.counters.instructions,
            2 + 3 * 1000 + 1,
            "budget {budget}"
        );
        assert!(runs > 3001 / budget as usize, "budget {budget}");
        assert_eq!(cpu.get_named("eax").map(|v| v & 0xFFFF), Some(3000));
        let bx: u32 = (1..=1000).map(|i| 3 * i).sum::<u32>() & 0xFFFF;
        assert_eq!(cpu.get_named("ebx").map(|v| v & 0xFFFF), Some(bx));
    }
}
