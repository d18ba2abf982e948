//! The run loop goes from block to block without its between-block checks only after
//! instructions that cannot change what those checks look at (`chains` in `exec/block.rs`).
//! These programs raise the interrupt line with an OUT, or open interrupts with STI, in the
//! middle of chained loops, and check that the interrupt is taken at the first instruction
//! boundary where the architecture allows it: not one instruction later.

use cpu::bus::{Bus, FlatBus};
use cpu::{Cpu, Model, RunExit};

const CODE: u32 = 0x1000;
const HANDLER: u32 = 0x2000;
/// Where the handler stores BX.
const SEEN_BX: u32 = 0x3000;
const STACK: u32 = 0x8000;
const VECTOR: u8 = 0x40;

/// Flat RAM and one interrupt line, raised by a write of 1 to port 20h.
struct IrqBus {
    ram: FlatBus,
    line: bool,
}

impl Bus for IrqBus {
    fn read8(&mut self, addr: u32) -> u8 {
        self.ram.read8(addr)
    }
    fn write8(&mut self, addr: u32, value: u8) {
        self.ram.write8(addr, value)
    }
    fn io_read8(&mut self, _port: u16) -> u8 {
        0xFF
    }
    fn io_write8(&mut self, port: u16, value: u8) {
        if port == 0x20 && value == 1 {
            self.line = true;
        }
    }
    fn interrupt_pending(&mut self) -> bool {
        self.line
    }
    fn acknowledge_interrupt(&mut self) -> u8 {
        self.line = false;
        VECTOR
    }
}

/// Run `program` at 0:1000 in real mode until the handler halts; returns the BX the handler
/// saw and the IP the interrupt pushed.
fn run(program: &[u8]) -> (u16, u16) {
    let mut bus = IrqBus {
        ram: FlatBus::new(1 << 20),
        line: false,
    };
    let ram = &mut bus.ram.ram;
    ram[CODE as usize..CODE as usize + program.len()].copy_from_slice(program);
    // The vector: offset HANDLER, segment 0.
    let v = VECTOR as usize * 4;
    ram[v..v + 4].copy_from_slice(&[HANDLER as u8, (HANDLER >> 8) as u8, 0, 0]);
    // mov [SEEN_BX], bx; cli; hlt
    let handler = [0x89, 0x1E, SEEN_BX as u8, (SEEN_BX >> 8) as u8, 0xFA, 0xF4];
    ram[HANDLER as usize..HANDLER as usize + handler.len()].copy_from_slice(&handler);
    let mut cpu = Cpu::new(Model::PentiumPro);
    for s in ["cs", "ds", "es", "ss", "ebx"] {
        assert!(cpu.set_named(s, 0));
    }
    assert!(cpu.set_named("eip", CODE));
    assert!(cpu.set_named("esp", STACK));
    assert_eq!(cpu.run(&mut bus, 100_000), RunExit::Halted);
    let word = |a: u32| u16::from_le_bytes([bus.ram.ram[a as usize], bus.ram.ram[a as usize + 1]]);
    // The interrupt pushed FLAGS, CS and IP: IP is at the top.
    (word(SEEN_BX), word(STACK - 6))
}

#[test]
fn an_interrupt_raised_by_out_is_taken_right_after_it() {
    let program = [
        0xFB, // sti
        0xB9, 0x64, 0x00, // mov cx, 100
        0xE2, 0xFE, // loop $ (blocks chain through the loop)
        0xB0, 0x01, // mov al, 1
        0xE6, 0x20, // out 20h, al: the line goes up
        0x43, // 100A: inc bx
        0xEB, 0xFD, // jmp 100A
    ];
    let (bx, ip) = run(&program);
    assert_eq!((bx, ip), (0, 0x100A), "taken before the INC after the OUT");
}

#[test]
fn an_interrupt_waiting_for_sti_is_taken_one_instruction_after_it() {
    let program = [
        0xB0, 0x01, // mov al, 1
        0xE6, 0x20, // out 20h, al: the line goes up with IF clear
        0xB9, 0x64, 0x00, // mov cx, 100
        0xE2, 0xFE, // loop $
        0xFB, // sti: interrupts open after the next instruction
        0x43, // 100A: inc bx
        0xEB, 0xFD, // 100B: jmp 100A
    ];
    let (bx, ip) = run(&program);
    assert_eq!(
        (bx, ip),
        (1, 0x100B),
        "one INC in STI's shadow, then the interrupt"
    );
}
