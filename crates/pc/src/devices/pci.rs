//! PCI configuration mechanism #1 (ports CF8h/CFCh-CFFh) with the functions of an i440FX/PIIX
//! chipset: the host bridge (00.0), the PIIX3 ISA bridge (01.0), the PIIX3 IDE controller in
//! compatibility mode (01.1) and the PIIX4 power-management function (01.3) whose I/O base
//! (PMBA) places the ACPI registers (see `acpi.rs`).

use super::{Ctx, Device};

/// One PCI function's 256-byte configuration space and which bits software may change.
#[derive(Debug, Clone)]
pub struct Function {
    pub device: u8,
    pub function: u8,
    pub config: [u8; 256],
    writable: [u8; 256],
}

impl Function {
    fn new(
        device: u8,
        function: u8,
        vendor: u16,
        id: u16,
        class: u32,
        rev: u8,
        header: u8,
    ) -> Function {
        let mut f = Function {
            device,
            function,
            config: [0; 256],
            writable: [0; 256],
        };
        f.config[0..2].copy_from_slice(&vendor.to_le_bytes());
        f.config[2..4].copy_from_slice(&id.to_le_bytes());
        f.config[8] = rev;
        f.config[9] = class as u8;
        f.config[10] = (class >> 8) as u8;
        f.config[11] = (class >> 16) as u8;
        f.config[0x0E] = header;
        // Command register: I/O, memory, bus master, parity/SERR enables are writable.
        f.writable[4] = 0x47;
        f.writable[5] = 0x01;
        // Interrupt line.
        f.writable[0x3C] = 0xFF;
        f
    }

    fn allow(&mut self, range: std::ops::Range<usize>, mask: u8) {
        for i in range {
            self.writable[i] = mask;
        }
    }

    pub fn read16(&self, off: usize) -> u16 {
        u16::from_le_bytes([self.config[off & 0xFF], self.config[(off + 1) & 0xFF]])
    }
}

pub const DEV_HOST: u8 = 0;
pub const DEV_VGA: u8 = 2;
/// Default linear framebuffer address (BAR0 of the VGA function) before firmware moves it.
pub const LFB_DEFAULT: u32 = 0xE000_0000;
/// Size of the linear framebuffer (BAR0) and of the VGA option ROM window (expansion ROM BAR).
pub const LFB_SIZE: u32 = 16 << 20;
pub const VGA_ROM_SIZE: u32 = 64 << 10;
pub const DEV_PIIX: u8 = 1;
pub const FN_ISA: u8 = 0;
pub const FN_IDE: u8 = 1;
pub const FN_PM: u8 = 3;

#[derive(Debug, Clone)]
pub struct Pci {
    address: u32,
    pub functions: Vec<Function>,
}

impl Default for Pci {
    fn default() -> Self {
        Pci::new()
    }
}

impl Pci {
    pub fn new() -> Pci {
        let mut host = Function::new(DEV_HOST, 0, 0x8086, 0x1237, 0x06_00_00, 0x02, 0x00);
        // PAM0-6 (shadow RAM attributes) and SMRAM: kept, the memory map does not change.
        host.allow(0x59..0x60, 0xFF);
        host.allow(0x72..0x73, 0xFF);
        let mut isa = Function::new(DEV_PIIX, FN_ISA, 0x8086, 0x7000, 0x06_01_00, 0x00, 0x80);
        // PIRQ route control A-D, disabled (80h) until firmware routes them.
        isa.config[0x60..0x64].copy_from_slice(&[0x80; 4]);
        isa.allow(0x60..0x64, 0x8F);
        let mut ide = Function::new(DEV_PIIX, FN_IDE, 0x8086, 0x7010, 0x01_01_80, 0x00, 0x00);
        // IDE timing: both channels decoded.
        ide.config[0x41] = 0x80;
        ide.config[0x43] = 0x80;
        ide.allow(0x40..0x44, 0xFF);
        ide.config[4] = 0x01;
        let mut pm = Function::new(DEV_PIIX, FN_PM, 0x8086, 0x7113, 0x06_80_00, 0x03, 0x00);
        // PMBA (I/O space indicator in bit 0, base in bits 15:6) and PMREGMISC bit 0.
        pm.config[0x40] = 0x01;
        pm.allow(0x40..0x41, 0xC0);
        pm.allow(0x41..0x42, 0xFF);
        pm.allow(0x80..0x81, 0x01);
        pm.config[0x3D] = 0x01; // INTA
                                // Bochs/QEMU standard VGA: BAR0 is the linear framebuffer (prefetchable memory), the
                                // expansion ROM BAR exposes the VGA BIOS to firmware that copies it to C0000h.
        let mut vga = Function::new(DEV_VGA, 0, 0x1234, 0x1111, 0x03_00_00, 0x02, 0x00);
        vga.config[0x10..0x14].copy_from_slice(&(LFB_DEFAULT | 0x08).to_le_bytes());
        vga.allow(0x13..0x14, 0xFF);
        vga.writable[0x30] = 0x01;
        vga.allow(0x32..0x34, 0xFF);
        vga.config[4] = 0x03;
        Pci {
            address: 0,
            functions: vec![host, isa, ide, pm, vga],
        }
    }

    fn function(&self, dev: u8, func: u8) -> Option<&Function> {
        self.functions
            .iter()
            .find(|f| f.device == dev && f.function == func)
    }

    /// Where the VGA's linear framebuffer is decoded (BAR0).
    pub fn lfb_base(&self) -> u32 {
        self.function(DEV_VGA, 0).map_or(LFB_DEFAULT, |f| {
            u32::from_le_bytes([
                f.config[0x10],
                f.config[0x11],
                f.config[0x12],
                f.config[0x13],
            ]) & 0xFF00_0000
        })
    }

    /// Where the VGA option ROM is decoded, when its expansion ROM BAR is enabled.
    pub fn vga_rom_base(&self) -> Option<u32> {
        let f = self.function(DEV_VGA, 0)?;
        let bar = u32::from_le_bytes([
            f.config[0x30],
            f.config[0x31],
            f.config[0x32],
            f.config[0x33],
        ]);
        (bar & 1 != 0 && f.config[4] & 0x02 != 0 && bar & 0xFFFF_0000 != 0)
            .then_some(bar & 0xFFFF_0000)
    }

    fn selected(&mut self) -> Option<&mut Function> {
        let a = self.address;
        if a & 0x8000_0000 == 0 || (a >> 16) & 0xFF != 0 {
            return None;
        }
        let dev = ((a >> 11) & 0x1F) as u8;
        let func = ((a >> 8) & 7) as u8;
        self.functions
            .iter_mut()
            .find(|f| f.device == dev && f.function == func)
    }

    /// The I/O base of the ACPI power-management registers, when the guest has enabled them.
    pub fn pm_base(&self) -> Option<u16> {
        let pm = self
            .functions
            .iter()
            .find(|f| f.device == DEV_PIIX && f.function == FN_PM)?;
        let base = pm.read16(0x40) & 0xFFC0;
        (pm.config[0x80] & 1 != 0 && base != 0).then_some(base)
    }

    /// Write a configuration byte from the firmware (the built-in BIOS's PCI setup).
    pub fn firmware_write(&mut self, dev: u8, func: u8, off: u8, v: u8) {
        if let Some(f) = self
            .functions
            .iter_mut()
            .find(|f| f.device == dev && f.function == func)
        {
            f.config[off as usize] = v;
        }
    }
}

impl Device for Pci {
    fn name(&self) -> &'static str {
        "pci"
    }

    fn io_read(&mut self, port: u16, size: u8, _ctx: &mut Ctx) -> u32 {
        match port {
            0xCF8..=0xCFB => {
                let shift = 8 * (port - 0xCF8) as u32;
                let v = self.address >> shift;
                if size == 4 {
                    v
                } else {
                    v & ((1 << (8 * size as u32)) - 1)
                }
            }
            0xCFC..=0xCFF => {
                let off = (self.address & 0xFC) as usize + (port - 0xCFC) as usize;
                match self.selected() {
                    Some(f) => (0..size as usize).fold(0u32, |v, i| {
                        v | (f.config[(off + i) & 0xFF] as u32) << (8 * i)
                    }),
                    // No device: all ones.
                    None => u32::MAX >> (32 - 8 * size as u32),
                }
            }
            _ => 0xFFFF_FFFF,
        }
    }

    fn io_write(&mut self, port: u16, size: u8, value: u32, _ctx: &mut Ctx) {
        match port {
            0xCF8..=0xCFB => {
                let shift = 8 * (port - 0xCF8) as u32;
                let mask = if size == 4 {
                    u32::MAX
                } else {
                    ((1u32 << (8 * size as u32)) - 1) << shift
                };
                self.address = (self.address & !mask) | ((value << shift) & mask);
                self.address &= 0x80FF_FFFC;
            }
            0xCFC..=0xCFF => {
                let off = (self.address & 0xFC) as usize + (port - 0xCFC) as usize;
                if let Some(f) = self.selected() {
                    for i in 0..size as usize {
                        let o = (off + i) & 0xFF;
                        let b = (value >> (8 * i)) as u8;
                        let m = f.writable[o];
                        f.config[o] = (f.config[o] & !m) | (b & m);
                    }
                }
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        *self = Pci::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{IrqLines, SysLines};
    use crate::memory::Memory;

    #[test]
    fn enumerate_and_program_pmba() {
        let mut p = Pci::new();
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now: 0,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        let read = |p: &mut Pci, ctx: &mut Ctx, dev: u32, func: u32, off: u32| {
            p.io_write(0xCF8, 4, 0x8000_0000 | dev << 11 | func << 8 | off, ctx);
            p.io_read(0xCFC, 4, ctx)
        };
        assert_eq!(read(&mut p, &mut ctx, 0, 0, 0), 0x1237_8086);
        assert_eq!(read(&mut p, &mut ctx, 1, 1, 0), 0x7010_8086);
        assert_eq!(read(&mut p, &mut ctx, 5, 0, 0), 0xFFFF_FFFF, "empty slot");
        assert_eq!(
            read(&mut p, &mut ctx, 1, 0, 0x0C) >> 16 & 0xFF,
            0x80,
            "multifunction"
        );
        p.io_write(0xCF8, 4, 0x8000_0000 | 1 << 11 | 3 << 8 | 0x40, &mut ctx);
        p.io_write(0xCFC, 4, 0x601, &mut ctx);
        p.io_write(0xCF8, 4, 0x8000_0000 | 1 << 11 | 3 << 8 | 0x80, &mut ctx);
        p.io_write(0xCFC, 1, 1, &mut ctx);
        assert_eq!(p.pm_base(), Some(0x600));
        // Vendor ID is read-only.
        p.io_write(0xCF8, 4, 0x8000_0000, &mut ctx);
        p.io_write(0xCFC, 2, 0x1234, &mut ctx);
        assert_eq!(p.io_read(0xCFC, 2, &mut ctx), 0x8086);
    }
}
