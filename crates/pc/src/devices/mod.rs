//! The devices of the PC, one file each, behind the [`Device`] trait.
//!
//! A device sees the rest of the machine only through [`Ctx`]: the emulated time, the interrupt
//! request lines, physical memory (for DMA) and the system lines (A20, reset, power). The board
//! (`board.rs`) owns the devices and routes ports to them; that wiring list is the only other
//! place a new device touches.

pub mod acpi;
pub mod ata;
pub mod atapi;
pub mod cmos;
pub mod dma;
pub mod fdc;
pub mod kbc;
pub mod pci;
pub mod pic;
pub mod pit;
pub mod sysctl;
pub mod uart;
pub mod vga;

use crate::memory::Memory;

/// Emulated time in nanoseconds.
pub type Nanos = u64;

/// Interrupt request lines IRQ0-15 as the devices drive them.
#[derive(Debug, Default, Clone)]
pub struct IrqLines {
    /// Current level of each line.
    pub level: u16,
    /// Rising edges since the interrupt controller last looked (so a pulse is never lost).
    pub edges: u16,
}

impl IrqLines {
    pub fn raise(&mut self, irq: u8) {
        let bit = 1u16 << irq;
        if self.level & bit == 0 {
            self.edges |= bit;
        }
        self.level |= bit;
    }
    pub fn lower(&mut self, irq: u8) {
        self.level &= !(1u16 << irq);
    }
    pub fn set(&mut self, irq: u8, on: bool) {
        if on {
            self.raise(irq)
        } else {
            self.lower(irq)
        }
    }
    /// A rising then falling edge (an edge-triggered ISA interrupt).
    pub fn pulse(&mut self, irq: u8) {
        self.edges |= 1 << irq;
        self.level &= !(1u16 << irq);
    }
}

/// System-wide signals that devices drive.
#[derive(Debug, Clone, Default)]
pub struct SysLines {
    /// The A20 gate (keyboard controller output port or port 92h).
    pub a20_kbc: bool,
    pub a20_fast: bool,
    /// A CPU reset was requested (8042 command FEh, port 92h bit 0, port CF9h).
    pub reset: bool,
    /// The guest asked to power the machine off.
    pub power_off: bool,
    /// PIT channel 2 gate and speaker data (port 61h bits 0 and 1).
    pub speaker_gate: bool,
    pub speaker_data: bool,
    /// Ask the CPU to leave its run loop after the current instruction, so that a device's new
    /// deadline or a firmware request is seen at once.
    pub stop_cpu: bool,
}

impl SysLines {
    pub fn a20(&self) -> bool {
        self.a20_kbc || self.a20_fast
    }
}

/// What a device can reach while it runs.
pub struct Ctx<'a> {
    pub now: Nanos,
    pub irq: &'a mut IrqLines,
    pub mem: &'a mut Memory,
    pub sys: &'a mut SysLines,
}

/// One device: its I/O ports, its reset, and its timed work.
pub trait Device {
    /// Short name, for logs and the teaching view's I/O-by-device counts.
    fn name(&self) -> &'static str;
    /// Read `size` (1, 2 or 4) bytes from an I/O port this device decodes.
    fn io_read(&mut self, port: u16, size: u8, ctx: &mut Ctx) -> u32;
    /// Write to an I/O port this device decodes.
    fn io_write(&mut self, port: u16, size: u8, value: u32, ctx: &mut Ctx);
    /// Return to the power-on state.
    fn reset(&mut self);
    /// The emulated time at which [`Device::run`] must next be called, if any.
    fn deadline(&self) -> Option<Nanos> {
        None
    }
    /// Do the timed work that is due at `ctx.now`.
    fn run(&mut self, _ctx: &mut Ctx) {}
}
