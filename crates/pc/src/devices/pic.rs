//! The two 8259A programmable interrupt controllers (master at 20h, slave at A0h cascaded on
//! IRQ2), with the ELCR edge/level registers at 4D0h/4D1h.

use super::{Ctx, Device};

/// One 8259A.
#[derive(Debug, Clone, Default)]
pub struct Chip {
    pub irr: u8,
    pub isr: u8,
    pub imr: u8,
    /// Vector base (ICW2, low three bits clear).
    pub base: u8,
    /// Line levels last seen, for edge detection.
    last_level: u8,
    /// Level-triggered lines (ELCR).
    pub elcr: u8,
    /// Initialization state: 0 = ready, 2/3/4 = waiting for ICW2/3/4.
    init: u8,
    icw4_needed: bool,
    single: bool,
    auto_eoi: bool,
    read_isr: bool,
    special_mask: bool,
    poll: bool,
    /// Lowest-priority line (priority rotates after it).
    lowest: u8,
    rotate_on_aeoi: bool,
}

impl Chip {
    fn reset(&mut self) {
        let elcr = self.elcr;
        *self = Chip {
            lowest: 7,
            elcr,
            ..Chip::default()
        };
    }

    /// Feed the request lines: edge-triggered lines latch on a rising edge, level-triggered
    /// lines follow the level.
    fn set_inputs(&mut self, level: u8, edges: u8) {
        let rising = (level & !self.last_level) | edges;
        self.irr |= rising & !self.elcr;
        self.irr = (self.irr & !self.elcr) | (level & self.elcr);
        self.last_level = level;
    }

    /// Priority order starting after `lowest`.
    fn priority_order(&self) -> impl Iterator<Item = u8> {
        let start = (self.lowest + 1) & 7;
        (0..8).map(move |i| (start + i) & 7)
    }

    /// The line that would interrupt now, honouring in-service priority.
    fn pending(&self) -> Option<u8> {
        let req = self.irr & !self.imr;
        if req == 0 {
            return None;
        }
        for line in self.priority_order() {
            let bit = 1 << line;
            if self.isr & bit != 0 && !self.special_mask {
                return None;
            }
            if req & bit != 0 {
                return Some(line);
            }
        }
        None
    }

    fn acknowledge(&mut self, line: u8) {
        let bit = 1 << line;
        if self.elcr & bit == 0 {
            self.irr &= !bit;
        }
        if self.auto_eoi {
            if self.rotate_on_aeoi {
                self.lowest = line;
            }
        } else {
            self.isr |= bit;
        }
    }

    fn highest_in_service(&self) -> Option<u8> {
        self.priority_order().find(|l| self.isr & (1 << l) != 0)
    }

    fn write(&mut self, a0: bool, v: u8) {
        if !a0 {
            if v & 0x10 != 0 {
                // ICW1.
                self.reset_for_init();
                self.icw4_needed = v & 1 != 0;
                self.single = v & 2 != 0;
                self.init = 2;
            } else if v & 0x08 != 0 {
                // OCW3.
                if v & 0x02 != 0 {
                    self.read_isr = v & 1 != 0;
                }
                if v & 0x40 != 0 {
                    self.special_mask = v & 0x20 != 0;
                }
                self.poll = v & 0x04 != 0;
            } else {
                // OCW2: end of interrupt and rotation.
                let line = v & 7;
                match v >> 5 {
                    1 => {
                        if let Some(l) = self.highest_in_service() {
                            self.isr &= !(1 << l);
                        }
                    }
                    3 => self.isr &= !(1 << line),
                    4 => self.rotate_on_aeoi = true,
                    0 => self.rotate_on_aeoi = false,
                    5 => {
                        if let Some(l) = self.highest_in_service() {
                            self.isr &= !(1 << l);
                            self.lowest = l;
                        }
                    }
                    6 => self.lowest = line,
                    7 => {
                        self.isr &= !(1 << line);
                        self.lowest = line;
                    }
                    _ => {}
                }
            }
        } else {
            match self.init {
                2 => {
                    self.base = v & 0xF8;
                    self.init = if self.single {
                        if self.icw4_needed {
                            4
                        } else {
                            0
                        }
                    } else {
                        3
                    };
                }
                3 => self.init = if self.icw4_needed { 4 } else { 0 },
                4 => {
                    self.auto_eoi = v & 2 != 0;
                    self.init = 0;
                }
                _ => self.imr = v,
            }
        }
    }

    fn reset_for_init(&mut self) {
        self.imr = 0;
        self.isr = 0;
        self.irr &= self.elcr;
        self.lowest = 7;
        self.auto_eoi = false;
        self.rotate_on_aeoi = false;
        self.special_mask = false;
        self.read_isr = false;
        self.poll = false;
        self.last_level = 0;
    }

    fn read(&mut self, a0: bool) -> u8 {
        if self.poll {
            self.poll = false;
            return match self.pending() {
                Some(l) => {
                    self.acknowledge(l);
                    0x80 | l
                }
                None => 0,
            };
        }
        if a0 {
            self.imr
        } else if self.read_isr {
            self.isr
        } else {
            self.irr
        }
    }
}

/// The master/slave pair.
#[derive(Debug, Clone, Default)]
pub struct Pic {
    pub master: Chip,
    pub slave: Chip,
    /// Requests per line since power-on (for the teaching view).
    pub counts: [u64; 16],
}

impl Pic {
    pub fn new() -> Pic {
        let mut p = Pic::default();
        p.reset();
        p
    }

    /// Apply the device request lines (IRQ0-15).
    pub fn set_inputs(&mut self, level: u16, edges: u16) {
        self.slave
            .set_inputs((level >> 8) as u8, (edges >> 8) as u8);
        self.master
            .set_inputs(level as u8 & !0x04, edges as u8 & !0x04);
        self.refresh_cascade();
    }

    /// Whether the CPU's INTR line is asserted.
    pub fn intr(&self) -> bool {
        self.master.pending().is_some()
    }

    /// The interrupt-acknowledge cycle: the vector for the CPU.
    pub fn acknowledge(&mut self) -> u8 {
        let v = match self.master.pending() {
            Some(2) => {
                self.master.acknowledge(2);
                match self.slave.pending() {
                    Some(l) => {
                        self.slave.acknowledge(l);
                        self.counts[8 + l as usize] += 1;
                        self.slave.base + l
                    }
                    // Spurious interrupt on the slave.
                    None => self.slave.base + 7,
                }
            }
            Some(l) => {
                self.master.acknowledge(l);
                self.counts[l as usize] += 1;
                self.master.base + l
            }
            None => self.master.base + 7,
        };
        self.refresh_cascade();
        v
    }

    /// The slave's INT output drives master IR2 as a level: re-evaluate it whenever the slave
    /// changes.
    fn refresh_cascade(&mut self) {
        if self.slave.pending().is_some() {
            self.master.irr |= 0x04;
        } else {
            self.master.irr &= !0x04;
        }
    }
}

impl Device for Pic {
    fn name(&self) -> &'static str {
        "pic"
    }

    fn io_read(&mut self, port: u16, _size: u8, _ctx: &mut Ctx) -> u32 {
        let v = match port {
            0x20 | 0x21 => self.master.read(port & 1 != 0),
            0xA0 | 0xA1 => self.slave.read(port & 1 != 0),
            0x4D0 => self.master.elcr,
            0x4D1 => self.slave.elcr,
            _ => 0xFF,
        };
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, _ctx: &mut Ctx) {
        let v = value as u8;
        match port {
            0x20 | 0x21 => self.master.write(port & 1 != 0, v),
            0xA0 | 0xA1 => self.slave.write(port & 1 != 0, v),
            // IRQ0-2 and 8, 13 cannot be level-triggered.
            0x4D0 => self.master.elcr = v & 0xF8,
            0x4D1 => self.slave.elcr = v & 0xDE,
            _ => {}
        }
        self.refresh_cascade();
    }

    fn reset(&mut self) {
        self.master.reset();
        self.slave.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init(p: &mut Pic) {
        // The standard PC programming: vectors 08h and 70h, cascade on IRQ2, 8086 mode.
        for (port, v) in [
            (0x20, 0x11),
            (0x21, 0x08),
            (0x21, 0x04),
            (0x21, 0x01),
            (0xA0, 0x11),
            (0xA1, 0x70),
        ] {
            port_write(p, port, v);
        }
        port_write(p, 0xA1, 0x02);
        port_write(p, 0xA1, 0x01);
        port_write(p, 0x21, 0x00);
        port_write(p, 0xA1, 0x00);
    }

    fn port_write(p: &mut Pic, port: u16, v: u8) {
        let mut irq = super::super::IrqLines::default();
        let mut mem = crate::memory::Memory::new(0x1000);
        let mut sys = super::super::SysLines::default();
        let mut ctx = Ctx {
            now: 0,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        p.io_write(port, 1, v as u32, &mut ctx);
    }

    #[test]
    fn priority_eoi_and_cascade() {
        let mut p = Pic::new();
        init(&mut p);
        p.set_inputs(1 << 1 | 1 << 8, 1 << 1 | 1 << 8);
        assert!(p.intr());
        // IRQ1 before IRQ8 (which sits on IRQ2, lower priority than 1).
        assert_eq!(p.acknowledge(), 0x09);
        assert!(!p.intr(), "IRQ1 in service blocks lower priorities");
        port_write(&mut p, 0x20, 0x20);
        assert!(p.intr());
        assert_eq!(p.acknowledge(), 0x70);
        port_write(&mut p, 0xA0, 0x20);
        port_write(&mut p, 0x20, 0x20);
        assert!(!p.intr());
    }

    #[test]
    fn mask_holds_request() {
        let mut p = Pic::new();
        init(&mut p);
        port_write(&mut p, 0x21, 0x01);
        p.set_inputs(1, 1);
        assert!(!p.intr());
        port_write(&mut p, 0x21, 0x00);
        assert!(p.intr());
        assert_eq!(p.acknowledge(), 0x08);
    }
}
