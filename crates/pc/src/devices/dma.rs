//! The two 8237A DMA controllers (channels 0-3 at 00h-0Fh, 16-bit channels 4-7 at C0h-DEh) and
//! the page registers (81h-8Fh). Devices move data through [`Dma::to_memory`] and
//! [`Dma::from_memory`]; the controller applies the programmed address, count, direction and
//! auto-initialization, and reports terminal count.

use super::{Ctx, Device};
use crate::memory::Memory;

#[derive(Debug, Clone, Copy, Default)]
struct Channel {
    base_addr: u16,
    base_count: u16,
    addr: u16,
    count: u16,
    page: u8,
    mode: u8,
    masked: bool,
    terminal: bool,
    requested: bool,
}

#[derive(Debug, Clone)]
pub struct Dma {
    ch: [Channel; 8],
    flipflop: [bool; 2],
    command: [u8; 2],
    /// Bytes moved per channel (for the teaching view).
    pub moved: [u64; 8],
}

impl Default for Dma {
    fn default() -> Self {
        Dma::new()
    }
}

/// Page register port of each channel.
const PAGE_PORTS: [u16; 8] = [0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A];

impl Dma {
    pub fn new() -> Dma {
        let mut d = Dma {
            ch: [Channel::default(); 8],
            flipflop: [false; 2],
            command: [0; 2],
            moved: [0; 8],
        };
        d.reset();
        d
    }

    /// Whether channel `ch` is unmasked and programmed for a transfer.
    pub fn ready(&self, ch: usize) -> bool {
        !(self.ch[ch].masked || (ch > 4 && self.ch[4].masked))
    }

    /// Physical address of the channel's current position.
    fn phys(&self, ch: usize) -> u32 {
        let c = &self.ch[ch];
        if ch < 4 {
            (c.page as u32) << 16 | c.addr as u32
        } else {
            ((c.page as u32 & 0xFE) << 16) | (c.addr as u32) << 1
        }
    }

    /// Advance one unit; returns true at terminal count.
    fn step(&mut self, ch: usize) -> bool {
        let c = &mut self.ch[ch];
        if c.mode & 0x20 != 0 {
            c.addr = c.addr.wrapping_sub(1);
        } else {
            c.addr = c.addr.wrapping_add(1);
        }
        let (count, tc) = c.count.overflowing_sub(1);
        c.count = count;
        if tc {
            c.terminal = true;
            if c.mode & 0x10 != 0 {
                c.addr = c.base_addr;
                c.count = c.base_count;
            } else {
                c.masked = true;
            }
        }
        tc
    }

    /// Move bytes from a device into memory on channel `ch`. Returns how many were taken
    /// (fewer than offered at terminal count) and whether terminal count was reached.
    pub fn to_memory(&mut self, ch: usize, data: &[u8], mem: &mut Memory) -> (usize, bool) {
        if !self.ready(ch) {
            return (0, false);
        }
        let unit = if ch < 4 { 1 } else { 2 };
        let mut used = 0;
        let verify = self.ch[ch].mode & 0x0C == 0;
        while used + unit <= data.len() {
            let p = self.phys(ch);
            if !verify {
                mem.write_bytes(p, &data[used..used + unit]);
            }
            used += unit;
            if self.step(ch) {
                self.moved[ch] += used as u64;
                return (used, true);
            }
        }
        self.moved[ch] += used as u64;
        (used, false)
    }

    /// Move bytes from memory to a device on channel `ch`.
    pub fn from_memory(&mut self, ch: usize, out: &mut [u8], mem: &Memory) -> (usize, bool) {
        if !self.ready(ch) {
            return (0, false);
        }
        let unit = if ch < 4 { 1 } else { 2 };
        let mut used = 0;
        while used + unit <= out.len() {
            let p = self.phys(ch);
            mem.read_bytes(p, &mut out[used..used + unit]);
            used += unit;
            if self.step(ch) {
                self.moved[ch] += used as u64;
                return (used, true);
            }
        }
        self.moved[ch] += used as u64;
        (used, false)
    }

    /// Units left on the channel (count + 1).
    pub fn remaining(&self, ch: usize) -> u32 {
        self.ch[ch].count as u32 + 1
    }

    fn ctrl_write(&mut self, ctrl: usize, reg: u16, v: u8) {
        let first = ctrl * 4;
        match reg {
            0..=7 => {
                let ch = first + (reg / 2) as usize;
                let hi = self.flipflop[ctrl];
                self.flipflop[ctrl] = !hi;
                let c = &mut self.ch[ch];
                let set = |x: &mut u16| {
                    *x = if hi {
                        (*x & 0xFF) | (v as u16) << 8
                    } else {
                        (*x & 0xFF00) | v as u16
                    }
                };
                if reg & 1 == 0 {
                    set(&mut c.base_addr);
                    c.addr = c.base_addr;
                } else {
                    set(&mut c.base_count);
                    c.count = c.base_count;
                }
            }
            8 => self.command[ctrl] = v,
            9 => self.ch[first + (v & 3) as usize].requested = v & 4 != 0,
            10 => self.ch[first + (v & 3) as usize].masked = v & 4 != 0,
            11 => self.ch[first + (v & 3) as usize].mode = v,
            12 => self.flipflop[ctrl] = false,
            13 => {
                self.flipflop[ctrl] = false;
                self.command[ctrl] = 0;
                for c in &mut self.ch[first..first + 4] {
                    c.masked = true;
                    c.terminal = false;
                    c.requested = false;
                }
            }
            14 => self.ch[first..first + 4]
                .iter_mut()
                .for_each(|c| c.masked = false),
            15 => {
                for i in 0..4 {
                    self.ch[first + i].masked = v & (1 << i) != 0;
                }
            }
            _ => {}
        }
    }

    fn ctrl_read(&mut self, ctrl: usize, reg: u16) -> u8 {
        let first = ctrl * 4;
        match reg {
            0..=7 => {
                let c = &self.ch[first + (reg / 2) as usize];
                let val = if reg & 1 == 0 { c.addr } else { c.count };
                let hi = self.flipflop[ctrl];
                self.flipflop[ctrl] = !hi;
                if hi {
                    (val >> 8) as u8
                } else {
                    val as u8
                }
            }
            8 => {
                let mut st = 0;
                for i in 0..4 {
                    let c = &mut self.ch[first + i];
                    if c.terminal {
                        st |= 1 << i;
                    }
                    if c.requested {
                        st |= 0x10 << i;
                    }
                    c.terminal = false;
                }
                st
            }
            15 => (0..4).fold(0xF0, |m, i| m | (self.ch[first + i].masked as u8) << i),
            _ => 0xFF,
        }
    }
}

impl Device for Dma {
    fn name(&self) -> &'static str {
        "dma"
    }

    fn io_read(&mut self, port: u16, _size: u8, _ctx: &mut Ctx) -> u32 {
        let v = match port {
            0x00..=0x0F => self.ctrl_read(0, port),
            0xC0..=0xDF => self.ctrl_read(1, (port - 0xC0) / 2),
            _ => match PAGE_PORTS.iter().position(|&p| p == port) {
                Some(ch) => self.ch[ch].page,
                None => 0xFF,
            },
        };
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, _ctx: &mut Ctx) {
        let v = value as u8;
        match port {
            0x00..=0x0F => self.ctrl_write(0, port, v),
            0xC0..=0xDF => {
                if port & 1 == 0 {
                    self.ctrl_write(1, (port - 0xC0) / 2, v)
                }
            }
            _ => {
                if let Some(ch) = PAGE_PORTS.iter().position(|&p| p == port) {
                    self.ch[ch].page = v;
                }
            }
        }
    }

    fn reset(&mut self) {
        self.ch = [Channel {
            masked: true,
            ..Channel::default()
        }; 8];
        self.flipflop = [false; 2];
        self.command = [0; 2];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{IrqLines, SysLines};

    #[test]
    fn floppy_style_transfer_to_memory() {
        let mut d = Dma::new();
        let mut mem = Memory::new(0x20000);
        let mut irq = IrqLines::default();
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now: 0,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        // Channel 2, write to memory, 512 bytes at 1:2345.
        for (p, v) in [
            (0x0A, 0x06),
            (0x0C, 0),
            (0x0B, 0x46),
            (0x04, 0x45),
            (0x04, 0x23),
            (0x81, 0x01),
        ] {
            d.io_write(p, 1, v, &mut ctx);
        }
        for (p, v) in [(0x0C, 0), (0x05, 0xFF), (0x05, 0x01), (0x0A, 0x02)] {
            d.io_write(p, 1, v, &mut ctx);
        }
        let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let (n, tc) = d.to_memory(2, &data, &mut mem);
        assert_eq!((n, tc), (512, true));
        assert_eq!(mem.ram[0x12345], 0);
        assert_eq!(mem.ram[0x12345 + 511], 255);
        assert!(!d.ready(2), "masked after terminal count without auto-init");
    }
}
