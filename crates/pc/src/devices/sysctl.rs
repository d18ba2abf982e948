//! Small system ports: the POST code port 80h, the debug console port E9h, port 92h (fast A20
//! and reset), and the Bochs/QEMU power-off port (writing "Shutdown" to 8900h).

use super::{Ctx, Device};

#[derive(Debug, Clone, Default)]
pub struct SysCtl {
    /// POST codes written to port 80h, most recent last (bounded).
    pub post_codes: Vec<u8>,
    /// Bytes written to port E9h.
    pub debug_out: Vec<u8>,
    port92: u8,
    shutdown_match: usize,
}

impl SysCtl {
    pub fn new() -> SysCtl {
        SysCtl::default()
    }

    pub fn last_post_code(&self) -> Option<u8> {
        self.post_codes.last().copied()
    }
}

impl Device for SysCtl {
    fn name(&self) -> &'static str {
        "system"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        match port {
            0x92 => ((self.port92 & !0x02) | (ctx.sys.a20_fast as u8) << 1) as u32,
            0x80 => self.last_post_code().unwrap_or(0) as u32,
            // Bochs-style: reading E9h identifies the debug port.
            0xE9 => 0xE9,
            _ => 0xFF,
        }
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        match port {
            0x80 => {
                if self.post_codes.len() >= 4096 {
                    self.post_codes.drain(..2048);
                }
                self.post_codes.push(v);
            }
            0xE9 => self.debug_out.push(v),
            // Clear the coprocessor-error latch (IRQ13, FERR#).
            0xF0 => ctx.irq.lower(13),
            0x92 => {
                self.port92 = v;
                ctx.sys.a20_fast = v & 0x02 != 0;
                if v & 0x01 != 0 {
                    ctx.sys.reset = true;
                    ctx.sys.stop_cpu = true;
                }
            }
            0x8900 => {
                const WORD: &[u8] = b"Shutdown";
                if v == WORD[self.shutdown_match] {
                    self.shutdown_match += 1;
                    if self.shutdown_match == WORD.len() {
                        self.shutdown_match = 0;
                        ctx.sys.power_off = true;
                        ctx.sys.stop_cpu = true;
                    }
                } else {
                    self.shutdown_match = (v == WORD[0]) as usize;
                }
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.port92 = 0;
        self.shutdown_match = 0;
    }
}
