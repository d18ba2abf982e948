//! Instruction-level x87 tests: small real-mode machine-code programs run through `Cpu` on a
//! `FlatBus` (Pentium Pro unless said otherwise), with results checked bit for bit in memory,
//! in the status word and in EFLAGS.

use cpu::bus::FlatBus;

use cpu::fpu::float80::F80;
use cpu::fpu::{Fpu, SW_C0, SW_C1, SW_C2, SW_C3, SW_ES, SW_IE, SW_SF};
use cpu::{Cpu, Model, RunExit};

const CODE: usize = 0x1000;
const DATA: u16 = 0x2000;
/// Where the exception handlers of these tests live (each is a HLT).
const HANDLER: u16 = 0x3000;

/// A tiny assembler for the forms the tests use: `[disp16]` memory operands.
#[derive(Default)]
struct Asm(Vec<u8>);

impl Asm {
    fn b(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
    /// ESC (or any opcode) with ModR/M `reg` and a `[disp16]` operand.
    fn m(mut self, op: &[u8], reg: u8, addr: u16) -> Self {
        self.0.extend_from_slice(op);
        self.0.push((reg << 3) | 6);
        self.0.extend_from_slice(&addr.to_le_bytes());
        self
    }
}

struct Machine {
    cpu: Cpu,
    bus: FlatBus,
}

impl Machine {
    fn new(model: Model) -> Machine {
        let mut bus = FlatBus::new(1 << 20);
        // Every interrupt vector points at HANDLER (0000:3000), which halts.
        for v in 0..256usize {
            bus.ram[v * 4..v * 4 + 2].copy_from_slice(&HANDLER.to_le_bytes());
            bus.ram[v * 4 + 2..v * 4 + 4].copy_from_slice(&0u16.to_le_bytes());
        }
        bus.ram[HANDLER as usize] = 0xF4;
        let mut cpu = Cpu::new(model);
        for s in ["cs", "ds", "es", "ss"] {
            cpu.set_named(s, 0);
        }
        cpu.set_named("esp", 0x8000);
        cpu.set_named("eip", CODE as u32);
        Machine { cpu, bus }
    }

    fn put(&mut self, addr: u16, bytes: &[u8]) {
        let a = addr as usize;
        self.bus.ram[a..a + bytes.len()].copy_from_slice(bytes);
    }

    fn get(&self, addr: u16, n: usize) -> &[u8] {
        &self.bus.ram[addr as usize..addr as usize + n]
    }

    fn u16_at(&self, addr: u16) -> u16 {
        u16::from_le_bytes([self.bus.ram[addr as usize], self.bus.ram[addr as usize + 1]])
    }

    fn u32_at(&self, addr: u16) -> u32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.get(addr, 4));
        u32::from_le_bytes(b)
    }

    fn u64_at(&self, addr: u16) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.get(addr, 8));
        u64::from_le_bytes(b)
    }

    fn f80_at(&self, addr: u16) -> F80 {
        let mut b = [0u8; 10];
        b.copy_from_slice(self.get(addr, 10));
        F80::from_le_bytes(b)
    }

    /// Load the program (with a HLT appended) and run it to the HLT.
    fn run(&mut self, code: Asm) -> RunExit {
        let mut c = code.0;
        c.push(0xF4);
        self.bus.ram[CODE..CODE + c.len()].copy_from_slice(&c);
        self.cpu.flush_code_cache();
        self.cpu.run(&mut self.bus, 10_000)
    }

    /// Whether the CPU stopped in the handler (an exception or interrupt was taken).
    fn in_handler(&self) -> bool {
        self.cpu.eip == HANDLER as u32 + 1
    }

    /// The IP pushed by the last exception (top of the stack).
    fn pushed_ip(&self) -> u16 {
        let sp = self.cpu.get_named("sp").unwrap_or(0) as u16;
        self.u16_at(sp)
    }

    fn sw(&self) -> u16 {
        self.cpu.fpu.sw
    }
}

const FNINIT: &[u8] = &[0xDB, 0xE3];
const FLD1: &[u8] = &[0xD9, 0xE8];
const FLDZ: &[u8] = &[0xD9, 0xEE];
const FLDPI: &[u8] = &[0xD9, 0xEB];

fn pentium_pro() -> Machine {
    Machine::new(Model::PentiumPro)
}

#[test]
fn add_doubles_and_store_in_each_precision() {
    let mut m = pentium_pro();
    m.put(DATA, &0.1f64.to_le_bytes());
    m.put(DATA + 8, &0.2f64.to_le_bytes());
    // Extended precision, then stored as a double.
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xDD], 0, DATA) // fld qword [0x2000]
        .m(&[0xDC], 0, DATA + 8) // fadd qword [0x2008]
        .m(&[0xDD], 3, DATA + 16) // fstp qword [0x2010]
        // Single precision control: the sum rounds to 24 bits.
        .m(&[0xD9], 5, DATA + 0x40) // fldcw [0x2040]
        .m(&[0xDD], 0, DATA)
        .m(&[0xDC], 0, DATA + 8)
        .m(&[0xDB], 7, DATA + 0x20) // fstp tword [0x2020]
        .m(&[0xD9], 0, DATA + 0x50) // fld dword [0x2050] (1.5f)
        .m(&[0xD9], 3, DATA + 0x30); // fstp dword [0x2030]
    m.put(DATA + 0x40, &0x007Fu16.to_le_bytes());
    m.put(DATA + 0x50, &1.5f32.to_le_bytes());
    assert_eq!(m.run(prog), RunExit::Halted);
    assert!(!m.in_handler());
    assert_eq!(m.u64_at(DATA + 16), 0x3FD3_3333_3333_3334);
    let single = m.f80_at(DATA + 0x20);
    assert_eq!(single.to_f64() as f32, f32::from_bits(0x3E99_999A));
    assert_eq!(single.sig & 0xFF_FFFF_FFFF, 0, "24-bit significand");
    assert_eq!(m.u32_at(DATA + 0x30), 1.5f32.to_bits());
    // PE and C1 (rounded up) after the last inexact store, no pending error.
    assert_eq!(m.sw() & SW_ES, 0);
    assert_eq!(m.sw() & 0x20, 0x20);
}

#[test]
fn integer_and_bcd_round_trips() {
    let mut m = pentium_pro();
    m.put(DATA, &(-32768i16).to_le_bytes());
    m.put(DATA + 8, &i64::MIN.to_le_bytes());
    m.put(
        DATA + 0x10,
        &[0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x65, 0x87, 0x80],
    );
    m.put(DATA + 0x30, &123456789i32.to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xDF], 0, DATA) // fild word
        .m(&[0xDB], 3, DATA + 0x40) // fistp dword
        .m(&[0xDF], 5, DATA + 8) // fild qword
        .m(&[0xDF], 7, DATA + 0x48) // fistp qword
        .m(&[0xDF], 4, DATA + 0x10) // fbld
        .m(&[0xDF], 6, DATA + 0x50) // fbstp
        .m(&[0xDB], 0, DATA + 0x30) // fild dword
        .m(&[0xDF], 3, DATA + 0x60) // fistp word: out of range -> 8000h
        .b(FLDPI)
        .m(&[0xDB], 3, DATA + 0x64); // fistp dword: 3
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(m.u32_at(DATA + 0x40), (-32768i32) as u32);
    assert_eq!(m.u64_at(DATA + 0x48), i64::MIN as u64);
    assert_eq!(
        m.get(DATA + 0x50, 10),
        m.get(DATA + 0x10, 10).to_vec().as_slice()
    );
    assert_eq!(m.u16_at(DATA + 0x60), 0x8000);
    assert_eq!(m.u32_at(DATA + 0x64), 3);
    assert_ne!(m.sw() & SW_IE, 0);
    assert_eq!(m.cpu.fpu.top(), 0);
}

#[test]
fn stack_overflow_and_underflow() {
    let mut m = pentium_pro();
    let mut prog = Asm::default().b(FNINIT);
    for _ in 0..9 {
        prog = prog.b(FLD1);
    }
    let prog = prog
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA)
        .m(&[0xDB], 7, DATA + 0x10);
    assert_eq!(m.run(prog), RunExit::Halted);
    let sw = m.u16_at(DATA);
    assert_eq!(sw & (SW_IE | SW_SF | SW_C1), SW_IE | SW_SF | SW_C1);
    assert_eq!((sw >> 11) & 7, 7);
    assert_eq!(m.f80_at(DATA + 0x10), F80::INDEFINITE);

    // Underflow: FADD ST(0), ST(1) on an empty stack.
    let mut m = pentium_pro();
    let prog = Asm::default()
        .b(FNINIT)
        .b(&[0xD8, 0xC1])
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA);
    assert_eq!(m.run(prog), RunExit::Halted);
    let sw = m.u16_at(DATA);
    assert_eq!(sw & (SW_IE | SW_SF | SW_C1), SW_IE | SW_SF);
    assert_eq!(m.cpu.fpu.st(0), F80::INDEFINITE);
}

#[test]
fn compares_with_nans() {
    let mut m = pentium_pro();
    m.put(DATA + 0x20, &0x7FC0_0000u32.to_le_bytes());
    // FUCOMI with a QNaN: ZF PF CF = 1 1 1, no IE.
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 0, DATA + 0x20) // fld dword qnan
        .b(FLD1)
        .b(&[0xDB, 0xE9]) // fucomi st, st1
        .b(&[0x9C]) // pushf
        .m(&[0x8F], 0, DATA) // pop word [DATA]
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 2)
        .b(&[0xDB, 0xF1]) // fcomi st, st1: IE
        .b(&[0xD8, 0xD1]) // fcom st1: C3 C2 C0 = 1 1 1
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 4)
        .b(&[0xDE, 0xD9]) // fcompp
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 6);
    assert_eq!(m.run(prog), RunExit::Halted);
    let fl = m.u16_at(DATA) as u32;
    assert_eq!(fl & 0x8D5, 0x45, "ZF PF CF set, OF SF AF clear");
    assert_eq!(m.u16_at(DATA + 2) & SW_IE, 0, "FUCOMI: QNaN is quiet");
    let sw = m.u16_at(DATA + 4);
    assert_eq!(
        sw & (SW_C3 | SW_C2 | SW_C0 | SW_IE),
        SW_C3 | SW_C2 | SW_C0 | SW_IE
    );
    assert_eq!((m.u16_at(DATA + 6) >> 11) & 7, 0, "FCOMPP popped twice");

    // Ordered compares.
    let mut m = pentium_pro();
    let prog = Asm::default()
        .b(FNINIT)
        .b(FLD1)
        .b(FLDZ)
        .b(&[0xD8, 0xD1]) // fcom st1: 0 < 1 -> C0
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA)
        .b(&[0xDF, 0xF1]) // fcomip: CF
        .b(&[0x9C])
        .m(&[0x8F], 0, DATA + 2)
        .b(FLD1)
        .b(&[0xD9, 0xE4]) // ftst: 1 > 0 -> 000
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 4);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(m.u16_at(DATA) & (SW_C3 | SW_C2 | SW_C0), SW_C0);
    assert_eq!(m.u16_at(DATA + 2) & 0x45, 0x01);
    assert_eq!(m.u16_at(DATA + 4) & (SW_C3 | SW_C2 | SW_C0), 0);
}

#[test]
fn fcmov_and_fxch() {
    let mut m = pentium_pro();
    let prog = Asm::default()
        .b(FNINIT)
        .b(FLDPI)
        .b(FLD1)
        .b(&[0xF9]) // stc
        .b(&[0xDA, 0xC1]) // fcmovb st, st1: taken
        .m(&[0xDB], 7, DATA)
        .b(FLD1)
        .b(&[0xDB, 0xC1]) // fcmovnb: not taken
        .m(&[0xDB], 7, DATA + 0x10)
        .b(FLDZ)
        .b(&[0xD9, 0xC9]) // fxch st1
        .m(&[0xDB], 7, DATA + 0x20);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(m.f80_at(DATA).sig, 0xC90F_DAA2_2168_C235);
    assert_eq!(m.f80_at(DATA + 0x10), F80::ONE);
    assert_eq!(m.f80_at(DATA + 0x20).sig, 0xC90F_DAA2_2168_C235);
    assert_eq!(m.cpu.fpu.st(0), F80::ZERO);
}

#[test]
fn fcomi_and_fcmov_need_a_p6() {
    let mut m = Machine::new(Model::Pentium);
    let prog = Asm::default().b(FNINIT).b(FLD1).b(FLD1).b(&[0xDB, 0xF1]);
    m.run(prog);
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, CODE + 6);
}

#[test]
fn transcendental_instructions() {
    let mut m = pentium_pro();
    let prog = Asm::default()
        .b(FNINIT)
        .b(FLD1)
        .b(&[0xD9, 0xFE]) // fsin
        .m(&[0xDB], 7, DATA)
        .b(FLD1)
        .b(&[0xD9, 0xF2]) // fptan: tan(1), then 1.0
        .m(&[0xDB], 7, DATA + 0x10)
        .m(&[0xDB], 7, DATA + 0x20)
        .b(FLD1)
        .b(&[0xD9, 0xFB]) // fsincos: ST0 = cos, ST1 = sin
        .m(&[0xDB], 7, DATA + 0x30)
        .m(&[0xDB], 7, DATA + 0x40)
        .b(FLD1)
        .b(FLD1)
        .b(&[0xD9, 0xF3]) // fpatan: atan(1/1) = pi/4
        .m(&[0xDB], 7, DATA + 0x50);
    assert_eq!(m.run(prog), RunExit::Halted);
    let sin1 = F80 {
        se: 0x3FFE,
        sig: 0xD76A_A478_4867_7021,
    };
    let cos1 = F80 {
        se: 0x3FFE,
        sig: 0x8A51_407D_A834_5C92,
    };
    let tan1 = F80 {
        se: 0x3FFF,
        sig: 0xC759_22E5_F71D_2DC5,
    };
    assert_eq!(m.f80_at(DATA), sin1);
    assert_eq!(m.f80_at(DATA + 0x10), F80::ONE);
    assert_eq!(m.f80_at(DATA + 0x20), tan1);
    assert_eq!(m.f80_at(DATA + 0x30), cos1);
    assert_eq!(m.f80_at(DATA + 0x40), sin1);
    assert_eq!(
        m.f80_at(DATA + 0x50),
        F80 {
            se: 0x3FFE,
            sig: 0xC90F_DAA2_2168_C235
        }
    );
    assert_eq!(m.cpu.fpu.top(), 0);
    assert_eq!(m.sw() & SW_C2, 0);

    // Out of range: C2 set, operand unchanged.
    let mut m = pentium_pro();
    m.put(DATA, &F80::new(false, 16383 + 64, 1 << 63).to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xDB], 5, DATA)
        .b(&[0xD9, 0xFF]);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_ne!(m.sw() & SW_C2, 0);
    assert_eq!(m.cpu.fpu.st(0), F80::new(false, 16383 + 64, 1 << 63));
}

#[test]
fn fxam_and_constants_by_rounding() {
    let mut m = pentium_pro();
    m.put(DATA + 0x40, &0x0F7Fu16.to_le_bytes()); // round toward zero
    let prog = Asm::default()
        .b(FNINIT)
        .b(&[0xD9, 0xE5]) // fxam on empty: C3 C0
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA)
        .m(&[0xD9], 5, DATA + 0x40)
        .b(FLDPI)
        .b(&[0xD9, 0xE0]) // fchs
        .b(&[0xD9, 0xE5]) // fxam: normal, negative
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 2)
        .m(&[0xDB], 7, DATA + 0x10);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(m.u16_at(DATA) & (SW_C3 | SW_C2 | SW_C0), SW_C3 | SW_C0);
    assert_eq!(
        m.u16_at(DATA + 2) & (SW_C3 | SW_C2 | SW_C1 | SW_C0),
        SW_C2 | SW_C1
    );
    assert_eq!(
        m.f80_at(DATA + 0x10),
        F80 {
            se: 0xC000,
            sig: 0xC90F_DAA2_2168_C234
        }
    );
}

#[test]
fn fsave_frstor_round_trip_16_and_32_bit() {
    for op32 in [false, true] {
        let mut m = pentium_pro();
        let pfx: &[u8] = if op32 { &[0x66] } else { &[] };
        let size = if op32 { 108 } else { 94 };
        m.put(DATA + 0x400, &0x0A7Bu16.to_le_bytes());
        let prog = Asm::default()
            .b(FNINIT)
            .m(&[0xD9], 5, DATA + 0x400) // fldcw: odd masks, rounding
            .b(FLDPI)
            .b(FLD1)
            .b(FLDZ)
            .b(&[0xD9, 0xF6]) // fdecstp
            .b(pfx)
            .m(&[0xDD], 6, DATA) // fnsave
            .b(&[0xD9, 0xE5]) // fxam: after FSAVE the FPU is initialized: empty
            .b(&[0xDF, 0xE0])
            .m(&[0x89], 0, DATA + 0x300)
            .b(pfx)
            .m(&[0xDD], 4, DATA) // frstor
            .b(pfx)
            .m(&[0xDD], 6, DATA + 0x100); // fnsave again
        assert_eq!(m.run(prog), RunExit::Halted);
        assert!(!m.in_handler());
        assert_eq!(
            m.get(DATA, size),
            m.get(DATA + 0x100, size).to_vec().as_slice(),
            "op32 {op32}"
        );
        assert_eq!(m.u16_at(DATA + 0x300) & (SW_C3 | SW_C0), SW_C3 | SW_C0);
        // The image: CW, then SW with TOP = 4, then tags: R4 empty (fdecstp), R5 zero, R6 valid,
        // R7 valid, the rest empty.
        let w = if op32 { 4 } else { 2 };
        assert_eq!(m.u16_at(DATA), 0x0A7B);
        assert_eq!((m.u16_at(DATA + w) >> 11) & 7, 4);
        assert_eq!(m.u16_at(DATA + 2 * w), 0x07FF);
        let regs = if op32 { 28 } else { 14 };
        // ST(0) is the empty R4 (its contents were never written), ST(1) = +0, ST(2) = 1.
        assert_eq!(m.f80_at(DATA + regs as u16 + 10), F80::ZERO);
        assert_eq!(m.f80_at(DATA + regs as u16 + 20), F80::ONE);
        assert_eq!(m.cpu.fpu.cw, 0x037F);
    }
}

#[test]
fn fstenv_pointers_and_opcode() {
    let mut m = pentium_pro();
    m.put(DATA + 8, &2.0f64.to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT) // 1000
        .b(FLD1) // 1002
        .m(&[0xDC], 0, DATA + 8) // 1004: fadd qword [2008]
        .b(&[0xD9, 0x2E]) // fldcw: a control instruction (does not change the pointers)
        .b(&(DATA + 0x40).to_le_bytes())
        .m(&[0xD9], 6, DATA); // fnstenv [2000] (16-bit real-mode layout)
    m.put(DATA + 0x40, &0x037Fu16.to_le_bytes());
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(m.u16_at(DATA + 6), 0x1004, "FIP");
    assert_eq!(m.u16_at(DATA + 8), 0x0406, "FOP DC 06");
    assert_eq!(m.u16_at(DATA + 10), DATA + 8, "FDP");
    assert_eq!(m.u16_at(DATA + 12), 0);
    assert_eq!(m.u16_at(DATA + 4), 0x3FFF, "ST(0) valid, others empty");
    // FNSTENV masked all exceptions.
    assert_eq!(m.cpu.fpu.cw & 0x3F, 0x3F);
    assert_eq!(m.cpu.fpu.st(0), F80::from_i64(3));
}

/// An unmasked zero divide sets ES; the next waiting FPU instruction raises #MF (vector 16)
/// with CR0.NE = 1, pointing at that instruction.
#[test]
fn unmasked_exception_raises_mf_at_next_instruction() {
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x20; // NE
    m.put(DATA + 0x40, &0x037Bu16.to_le_bytes()); // ZE unmasked
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 5, DATA + 0x40)
        .b(FLD1)
        .b(FLDZ)
        .b(&[0xDE, 0xF9]) // fdivp: 1/0 with ZE unmasked
        .b(&[0x90]) // an ordinary instruction runs
        .b(&[0xDF, 0xE0]) // fnstsw ax: no-wait, runs too
        .b(FLD1); // this one takes #MF
    let at = CODE + 2 + 4 + 2 + 2 + 2 + 1 + 2;
    m.run(prog);
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, at);
    let ax = m.cpu.get_named("ax").unwrap_or(0) as u16;
    assert_eq!(ax & (SW_ES | 0x04 | 0x8000), SW_ES | 0x04 | 0x8000);
    // No result was stored: the operands are still there.
    assert_eq!(m.cpu.fpu.st(0), F80::ZERO);
    assert_eq!(m.cpu.fpu.st(1), F80::ONE);
    // The FIP of the faulting FDIVP.
    assert_eq!(m.cpu.fpu.fip as usize, CODE + 10);
    assert_eq!(m.cpu.fpu.fop, 0x6F9);

    // WAIT reports it too; FNCLEX clears it.
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x20;
    m.put(DATA + 0x40, &0x037Bu16.to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 5, DATA + 0x40)
        .b(FLD1)
        .b(FLDZ)
        .b(&[0xDE, 0xF9])
        .b(&[0xDB, 0xE2]) // fnclex
        .b(&[0x9B]) // wait: nothing pending
        .b(&[0xDE, 0xF9]) // the same zero divide again (nothing was popped)
        .b(&[0x9B]); // wait: #MF
    m.run(prog);
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, CODE + 17);
}

/// With CR0.NE = 0 the error goes out on FERR# (IRQ13 on a PC): the run loop stops right after
/// the faulting instruction so the machine can raise the interrupt.
#[test]
fn unmasked_exception_asserts_ferr_without_ne() {
    let mut m = pentium_pro();
    m.cpu.cr0 &= !0x20;
    m.put(DATA + 0x40, &0x037Bu16.to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 5, DATA + 0x40)
        .b(FLD1)
        .b(FLDZ)
        .b(&[0xDE, 0xF9])
        .b(FLD1);
    assert_eq!(m.run(prog), RunExit::Stopped);
    assert!(m.cpu.fpu.ferr());
    assert_eq!(m.cpu.eip as usize, CODE + 12);
    // The next FPU instruction goes on (IGNNE# behaviour) without an exception.
    assert_eq!(m.cpu.run(&mut m.bus, 100), RunExit::Halted);
    assert!(!m.in_handler());
    assert!(m.cpu.fpu.ferr());
}

#[test]
fn em_and_ts_raise_nm() {
    // EM: every ESC.
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x4;
    m.run(Asm::default().b(&[0x90]).b(FLD1));
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, CODE + 1);
    // TS: ESC faults; WAIT only with MP.
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x8;
    m.run(Asm::default().b(&[0x9B]).b(FLD1));
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, CODE + 1);
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x8 | 0x2;
    m.run(Asm::default().b(&[0x90, 0x9B]));
    assert!(m.in_handler());
    assert_eq!(m.pushed_ip() as usize, CODE + 1);
}

/// The 286 (and 8086-386) have no FPU here: ESC decodes its operand and does nothing.
#[test]
fn no_fpu_before_the_486() {
    for model in [Model::I8086, Model::I286, Model::I386] {
        let mut m = Machine::new(model);
        assert!(!m.cpu.fpu_present());
        let before = m.cpu.fpu.clone();
        let prog = Asm::default()
            .b(FNINIT)
            .b(FLD1)
            .m(&[0xDD], 3, DATA)
            .b(&[0x9B]);
        assert_eq!(m.run(prog), RunExit::Halted);
        assert!(!m.in_handler());
        assert_eq!(m.cpu.fpu, before);
        assert_eq!(m.u64_at(DATA), 0);
    }
    assert!(Cpu::new(Model::I486).fpu_present());
}

#[test]
fn sqrt_scale_rem_rndint_xtract() {
    let mut m = pentium_pro();
    m.put(DATA + 0x40, &0x027Fu16.to_le_bytes()); // double precision
    let prog = Asm::default()
        .b(FNINIT)
        .b(FLD1)
        .b(FLD1)
        .b(&[0xDE, 0xC1]) // faddp: 2
        .b(&[0xD9, 0xFA]) // fsqrt
        .m(&[0xDB], 7, DATA)
        .m(&[0xD9], 5, DATA + 0x40)
        .b(FLD1)
        .b(FLD1)
        .b(&[0xDE, 0xC1])
        .b(&[0xD9, 0xFA]) // fsqrt in double precision
        .m(&[0xDD], 3, DATA + 0x10)
        .b(FNINIT)
        .b(FLD1) // ST1 = 1
        .b(FLDPI)
        .b(&[0xD9, 0xFD]) // fscale: pi × 2
        .b(&[0xD9, 0xFC]) // frndint: 6
        .m(&[0xDF], 2, DATA + 0x20) // fist word
        .b(&[0xD9, 0xF8]) // fprem: 6 mod 1 = 0
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA + 0x22)
        .b(&[0xDD, 0xD8]) // fstp st0
        .b(&[0xDD, 0xD8])
        .b(FLDPI)
        .b(&[0xD9, 0xF4]) // fxtract: ST0 = significand, ST1 = 1
        .m(&[0xDB], 7, DATA + 0x30)
        .m(&[0xDB], 7, DATA + 0x40);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(
        m.f80_at(DATA),
        F80 {
            se: 0x3FFF,
            sig: 0xB504_F333_F9DE_6484
        }
    );
    assert_eq!(m.u64_at(DATA + 0x10), 2f64.sqrt().to_bits());
    assert_eq!(m.u16_at(DATA + 0x20), 6);
    assert_eq!(
        m.u16_at(DATA + 0x22) & (SW_C2 | SW_C0 | SW_C3 | SW_C1),
        SW_C1 | SW_C0
    );
    assert_eq!(
        m.f80_at(DATA + 0x30),
        F80 {
            se: 0x3FFF,
            sig: 0xC90F_DAA2_2168_C235
        }
    );
    assert_eq!(m.f80_at(DATA + 0x40), F80::ONE);
}

#[test]
fn fxsave_image_round_trip() {
    let mut f = Fpu::new(true);
    f.init();
    f.push(F80::ONE);
    f.push(F80::from_i64(-7));
    f.push(F80::INDEFINITE);
    f.load_cw(0x0272);
    f.raise(0x21);
    f.fip = 0x1234_5678;
    f.fcs = 0x0008;
    f.fdp = 0xDEAD_BEEF;
    f.fds = 0x0010;
    f.fop = 0x5D9;
    let img = f.fxsave_image();
    assert_eq!(&img[0..2], &0x0272u16.to_le_bytes());
    assert_eq!(img[4], 0b1110_0000, "abridged tags of R5-R7");
    assert_eq!(&img[32..42], &F80::INDEFINITE.to_le_bytes());
    let mut g = Fpu::new(true);
    g.fxrstor_image(&img);
    assert_eq!(g, f);
    assert!(g.pending());
    assert_eq!(g.tag_word(), 0x0BFF);
    // FSAVE image of the same state, both layouts, loads back identically.
    for (protected, op32) in [(false, false), (false, true), (true, false), (true, true)] {
        let img = f.save_image(protected, op32);
        let mut h = Fpu::new(true);
        h.restore_image(&img, protected, op32);
        assert_eq!(h.regs, f.regs);
        assert_eq!((h.cw, h.sw, h.valid), (f.cw, f.sw, f.valid));
        if protected {
            let mask = if op32 { u32::MAX } else { 0xFFFF };
            assert_eq!((h.fdp, h.fds), (f.fdp & mask, f.fds));
            assert_eq!((h.fip, h.fcs), (f.fip & mask, f.fcs));
        }
    }
}

#[test]
fn reserved_forms_are_ud_and_aliases_work() {
    for bad in [
        &[0xD9u8, 0xD1][..],
        &[0xD9, 0xE2],
        &[0xDA, 0xE8],
        &[0xDF, 0xE1],
        &[0xD9, 0x0E, 0, 0x20],
    ] {
        let mut m = pentium_pro();
        m.run(Asm::default().b(FNINIT).b(bad));
        assert!(m.in_handler(), "{bad:x?}");
        assert_eq!(m.pushed_ip() as usize, CODE + 2);
        assert_eq!(m.cpu.fpu.fip, 0, "no pointer update for #UD");
    }
    // FSTP1 (D9 D8+i), FXCH4 (DD C8+i), FCOMP5 (DE D0+i), FFREEP (DF C0+i).
    let mut m = pentium_pro();
    let prog = Asm::default()
        .b(FNINIT)
        .b(FLD1)
        .b(FLDZ)
        .b(&[0xDD, 0xC9]) // fxch4 st1: ST0 = 1, ST1 = 0
        .b(&[0xDE, 0xD1]) // fcomp5 st1: 1 > 0, pop
        .b(&[0xDF, 0xE0])
        .m(&[0x89], 0, DATA)
        .b(FLDPI)
        .b(&[0xD9, 0xD9]) // fstp1 st1: ST1 = pi, pop
        .b(&[0xDF, 0xC0]); // ffreep st0
    assert_eq!(m.run(prog), RunExit::Halted);
    assert!(!m.in_handler());
    assert_eq!(m.u16_at(DATA) & (SW_C3 | SW_C2 | SW_C0), 0);
    assert_eq!(m.cpu.fpu.top(), 0);
    assert_eq!(m.cpu.fpu.valid, 0);
}

#[test]
fn unmasked_responses() {
    // Unmasked overflow on the stack: the result is stored with its exponent wrapped by 24576.
    let mut m = pentium_pro();
    m.cpu.cr0 |= 0x20; // NE: each error is cleared by FNCLEX (no-wait) before it is reported
    m.put(
        DATA,
        &F80 {
            se: 0x7FFE,
            sig: u64::MAX,
        }
        .to_le_bytes(),
    );
    m.put(DATA + 0x40, &0x0377u16.to_le_bytes()); // OE unmasked
    m.put(DATA + 0x50, &0x7F80_0001u32.to_le_bytes()); // SNaN
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 5, DATA + 0x40)
        .m(&[0xDB], 5, DATA)
        .b(&[0xD8, 0xC0]) // fadd st, st: overflow
        .b(&[0xDB, 0xE2]) // fnclex
        .m(&[0xDB], 5, DATA)
        .m(&[0xDD], 3, DATA + 0x10) // fstp qword: overflow to memory, unmasked: no store
        .b(&[0xDB, 0xE2]);
    m.put(DATA + 0x10, &[0xAA; 8]);
    assert_eq!(m.run(prog), RunExit::Halted);
    assert_eq!(
        m.cpu.fpu.st(0),
        F80 {
            se: 0x7FFE,
            sig: u64::MAX
        }
    );
    assert_eq!(
        m.cpu.fpu.st(1),
        F80 {
            se: (0x7FFF - 24576) as u16,
            sig: u64::MAX
        }
    );
    assert_eq!(m.u64_at(DATA + 0x10), 0xAAAA_AAAA_AAAA_AAAA);
    assert_eq!(m.cpu.fpu.top(), 6, "nothing popped");

    // Unmasked invalid on a load: the SNaN is not pushed.
    let mut m = pentium_pro();
    m.put(DATA + 0x40, &0x037Eu16.to_le_bytes());
    m.put(DATA + 0x50, &0x7F80_0001u32.to_le_bytes());
    let prog = Asm::default()
        .b(FNINIT)
        .m(&[0xD9], 5, DATA + 0x40)
        .m(&[0xD9], 0, DATA + 0x50);
    assert_eq!(m.run(prog), RunExit::Stopped, "FERR# with CR0.NE = 0");
    assert_eq!(m.cpu.fpu.valid, 0);
    assert_eq!(m.sw() & (SW_IE | SW_ES), SW_IE | SW_ES);
}
