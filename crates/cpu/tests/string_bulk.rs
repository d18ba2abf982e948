//! REP MOVS and REP STOS in one step over plain RAM (`Bus::copy_ram`, `Bus::fill_ram`) against
//! the same programs on a bus that refuses those, so that every element goes through `read*` and
//! `write*`: both must end in the same registers, flags, memory and instruction count. The
//! programs mix sizes, counts past the 4096-iteration chunk, both directions, 16- and 32-bit
//! addressing, segment overrides, overlapping copies both ways (a MOVSB one byte up repeats a
//! pattern) and indexes that wrap at 64 KiB.

mod differential;

use cpu::bus::FlatBus;
use cpu::{Bus, Cpu, Model, RunExit};
use differential::{assert_same, Rng};

const CODE: u32 = 0x1000;
/// Every interrupt vector points here, at a HLT: a string element that faults (a word at offset
/// FFFFh is past the real-mode limit) ends the program there, the same way on both buses.
const HANDLER: u16 = 0x0800;

/// FlatBus without the one-step copy and fill.
struct ElementBus(FlatBus);

impl Bus for ElementBus {
    fn read8(&mut self, addr: u32) -> u8 {
        self.0.read8(addr)
    }
    fn write8(&mut self, addr: u32, value: u8) {
        self.0.write8(addr, value)
    }
    fn io_read8(&mut self, port: u16) -> u8 {
        self.0.io_read8(port)
    }
    fn io_write8(&mut self, port: u16, value: u8) {
        self.0.io_write8(port, value)
    }
}

/// `mov r32, imm32` in 16-bit code.
fn mov32(out: &mut Vec<u8>, reg: u8, v: u32) {
    out.extend([0x66, 0xB8 + reg]);
    out.extend(v.to_le_bytes());
}

/// A program of eight REP string instructions, each after loading ECX, ESI, EDI, ES and DF.
fn program(r: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..8 {
        let a32 = r.below(4) == 0;
        let count = match r.below(4) {
            0 => r.below(8),
            1 => r.below(300),
            2 => 4000 + r.below(2000),
            _ => r.below(70000),
        };
        // Offsets: anywhere in the segment, near its end (16-bit indexes wrap there), or close
        // together for overlapping copies. With 32-bit addressing the whole run stays under
        // 64 KiB (the real-mode limit), so nothing faults.
        let si = match r.below(3) {
            0 => r.below(0x10000),
            1 => 0xFFFF - r.below(64),
            _ => 0x8000 + r.below(16),
        };
        let di = match r.below(4) {
            0 => r.below(0x10000),
            1 => 0xFFFF - r.below(64),
            2 => si + r.below(5),
            _ => si.wrapping_sub(r.below(5)) & 0xFFFF,
        };
        let (count, si, di) = if a32 {
            (count.min(0x2000), si.min(0x4000), di.min(0x4000))
        } else {
            // The upper halves are not part of 16-bit addresses and must stay as they were.
            (count, si | r.next() << 16, di | r.next() << 16)
        };
        mov32(&mut out, 1, count);
        mov32(&mut out, 6, si);
        mov32(&mut out, 7, di);
        mov32(&mut out, 0, r.next());
        // ES: the data segment itself (copies within one segment) or another one.
        let es: u16 = if r.below(2) == 0 { 0x2000 } else { 0x5000 };
        out.push(0xB8);
        out.extend(es.to_le_bytes());
        out.extend([0x8E, 0xC0]);
        out.push(if r.below(5) == 0 { 0xFD } else { 0xFC });
        out.push(0xF3);
        if r.below(2) == 0 {
            out.push(0x66);
        }
        if a32 {
            out.push(0x67);
        }
        if r.below(4) == 0 {
            out.push(r.pick(&[0x26, 0x2E, 0x36, 0x3E]));
        }
        out.push(r.pick(&[0xA4, 0xA5, 0xAA, 0xAB]));
    }
    out.push(0xF4);
    out
}

fn run<B: Bus>(bus: &mut B, cpu: &mut Cpu) {
    for s in ["cs", "ss"] {
        assert!(cpu.set_named(s, 0));
    }
    assert!(cpu.set_named("ds", 0x2000));
    assert!(cpu.set_named("esp", 0x0F00));
    assert!(cpu.set_named("eip", CODE));
    let exit = cpu.run(bus, 10_000_000);
    assert_eq!(exit, RunExit::Halted, "at {:#x}", cpu.eip);
}

#[test]
fn rep_movs_and_stos_in_one_step_match_element_by_element() {
    let mut bulk_elements = 0u64;
    let mut faults = 0;
    for seed in 1..=40u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let code = program(&mut r);
        let mut ram = FlatBus::new(1 << 20);
        for b in &mut ram.ram[0x20000..0x70000] {
            *b = r.next() as u8;
        }
        ram.ram[CODE as usize..CODE as usize + code.len()].copy_from_slice(&code);
        for v in 0..256usize {
            ram.ram[v * 4..v * 4 + 2].copy_from_slice(&HANDLER.to_le_bytes());
            ram.ram[v * 4 + 2..v * 4 + 4].fill(0);
        }
        ram.ram[HANDLER as usize] = 0xF4;
        let mut elements = ElementBus(FlatBus {
            ram: ram.ram.clone(),
        });

        let mut a = Cpu::new(Model::PentiumPro);
        run(&mut ram, &mut a);
        let mut b = Cpu::new(Model::PentiumPro);
        run(&mut elements, &mut b);

        let what = format!("seed {seed}, program {code:02X?}");
        assert_same(&a, &ram.ram, &b, &elements.0.ram, &what);
        faults += a.counters.exceptions;
        bulk_elements += a.counters.instructions;
    }
    // The programs do run long copies (most of the count is REP iterations).
    assert!(bulk_elements > 1_000_000, "{bulk_elements} instructions");
    // Some programs end at a fault, most do not.
    assert!(
        faults > 0 && faults < 30,
        "{faults} programs ended at a fault"
    );
}
