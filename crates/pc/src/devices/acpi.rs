//! The ACPI power-management registers of the PIIX4 (at the PCI-programmed PMBA): PM1 status,
//! enable and control (sleep type and enable: soft-off powers the machine down) and the 24-bit
//! PM timer at 3.579545 MHz, which guests such as Linux use as a clock source.

use super::{Ctx, Device, Nanos};

/// PM timer frequency in Hz.
pub const PM_TIMER_HZ: u64 = 3_579_545;
/// The sleep type our ACPI tables give for S5 (soft off), as on QEMU's PIIX4.
pub const SLP_TYP_S5: u16 = 0;

#[derive(Debug, Clone, Default)]
pub struct Acpi {
    pub base: u16,
    pm1_sts: u16,
    pm1_en: u16,
    pm1_cnt: u16,
}

impl Acpi {
    pub fn new() -> Acpi {
        // SCI_EN set: there is no SMM to hand over from, ACPI mode is always on.
        Acpi {
            base: 0,
            pm1_sts: 0,
            pm1_en: 0,
            pm1_cnt: 1,
        }
    }

    pub fn timer(now: Nanos) -> u32 {
        ((now as u128 * PM_TIMER_HZ as u128 / 1_000_000_000) & 0xFF_FFFF) as u32
    }

    /// Whether `port` is one of the PM registers at the current base.
    pub fn decodes(&self, port: u16) -> bool {
        self.base != 0 && (self.base..self.base + 0x40).contains(&port)
    }
}

impl Device for Acpi {
    fn name(&self) -> &'static str {
        "acpi"
    }

    fn io_read(&mut self, port: u16, size: u8, ctx: &mut Ctx) -> u32 {
        let off = port.wrapping_sub(self.base);
        let v: u32 = match off {
            0..=1 => self.pm1_sts as u32,
            2..=3 => self.pm1_en as u32,
            4..=5 => self.pm1_cnt as u32,
            8..=11 => Acpi::timer(ctx.now),
            _ => 0,
        };
        let shift = 8 * (off as u32 & if off >= 8 { 3 } else { 1 });
        let v = v >> shift;
        match size {
            1 => v & 0xFF,
            2 => v & 0xFFFF,
            _ => v,
        }
    }

    fn io_write(&mut self, port: u16, size: u8, value: u32, ctx: &mut Ctx) {
        let off = port.wrapping_sub(self.base);
        let v = if size == 1 {
            value & 0xFF
        } else {
            value & 0xFFFF
        } as u16;
        match off {
            // Status bits are cleared by writing ones.
            0 => self.pm1_sts &= !v,
            2 => self.pm1_en = v,
            4 | 5 => {
                let v = if off == 5 {
                    (self.pm1_cnt & 0xFF) | v << 8
                } else if size == 1 {
                    (self.pm1_cnt & 0xFF00) | v
                } else {
                    v
                };
                // SLP_EN is write-only; it triggers the transition to SLP_TYP.
                if v & (1 << 13) != 0 && (v >> 10) & 7 == SLP_TYP_S5 {
                    ctx.sys.power_off = true;
                    ctx.sys.stop_cpu = true;
                }
                self.pm1_cnt = v & !(1 << 13);
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        let base = self.base;
        *self = Acpi::new();
        self.base = base;
    }
}
