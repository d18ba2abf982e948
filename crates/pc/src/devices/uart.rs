//! A 16550A UART (COM1 at 3F8h, IRQ4): FIFOs, line status, modem control and loopback.
//!
//! Bytes the guest sends collect in `output` for the host (the CLI's `--serial`, the page's
//! serial events); bytes the host types go into the receive FIFO.

use super::{Ctx, Device, Nanos};
use std::collections::VecDeque;

const FIFO: usize = 16;

#[derive(Debug, Clone)]
pub struct Uart {
    base: u16,
    irq: u8,
    rx: VecDeque<u8>,
    /// Bytes waiting for the host to pick up.
    pub output: Vec<u8>,
    ier: u8,
    lcr: u8,
    mcr: u8,
    lsr_errors: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
    fifo_enabled: bool,
    rx_trigger: usize,
    /// THR-empty interrupt pending (cleared by reading IIR or writing THR).
    thre_pending: bool,
    /// Host input waiting to enter the receive FIFO.
    host_input: VecDeque<u8>,
    next_rx: Option<Nanos>,
    irq_level: bool,
}

impl Uart {
    pub fn new(base: u16, irq: u8) -> Uart {
        let mut u = Uart {
            base,
            irq,
            rx: VecDeque::new(),
            output: Vec::new(),
            ier: 0,
            lcr: 0,
            mcr: 0,
            lsr_errors: 0,
            scr: 0,
            dll: 12,
            dlm: 0,
            fifo_enabled: false,
            rx_trigger: 1,
            thre_pending: false,
            host_input: VecDeque::new(),
            next_rx: None,
            irq_level: false,
        };
        u.reset();
        u
    }

    /// Time to send one character at the programmed rate (10 bits).
    fn char_time(&self) -> Nanos {
        let div = (self.dlm as u64) << 8 | self.dll as u64;
        let div = div.max(1);
        // 115200 baud at divisor 1.
        10 * 1_000_000_000 * div / 115_200
    }

    /// The host types bytes into the serial port.
    pub fn host_send(&mut self, bytes: &[u8], now: Nanos) {
        self.host_input.extend(bytes.iter().copied());
        if self.next_rx.is_none() {
            self.next_rx = Some(now);
        }
    }

    fn lsr(&self) -> u8 {
        let dr = !self.rx.is_empty() as u8;
        // The transmitter is always empty: bytes leave at once.
        dr | self.lsr_errors | 0x60
    }

    fn iir(&self) -> u8 {
        let fifo_bits = if self.fifo_enabled { 0xC0 } else { 0 };
        let id = if self.ier & 0x04 != 0 && self.lsr_errors != 0 {
            0x06
        } else if self.ier & 0x01 != 0 && self.rx.len() >= self.rx_trigger {
            0x04
        } else if self.ier & 0x01 != 0 && !self.rx.is_empty() && self.fifo_enabled {
            0x0C
        } else if self.ier & 0x02 != 0 && self.thre_pending {
            0x02
        } else {
            0x01
        };
        fifo_bits | id
    }

    fn update_irq(&mut self, ctx: &mut Ctx) {
        // OUT2 gates the interrupt line on a PC.
        let on = self.iir() & 1 == 0 && self.mcr & 0x08 != 0;
        if on != self.irq_level {
            self.irq_level = on;
            ctx.irq.set(self.irq, on);
        }
    }

    fn receive(&mut self, b: u8) {
        let cap = if self.fifo_enabled { FIFO } else { 1 };
        if self.rx.len() >= cap {
            self.lsr_errors |= 0x02; // overrun
            return;
        }
        self.rx.push_back(b);
    }
}

impl Device for Uart {
    fn name(&self) -> &'static str {
        "serial"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        let dlab = self.lcr & 0x80 != 0;
        let v = match port.wrapping_sub(self.base) {
            0 if dlab => self.dll,
            0 => {
                let b = self.rx.pop_front().unwrap_or(0);
                if !self.host_input.is_empty() && self.next_rx.is_none() {
                    self.next_rx = Some(ctx.now + self.char_time());
                }
                b
            }
            1 if dlab => self.dlm,
            1 => self.ier,
            2 => {
                let v = self.iir();
                if v & 0x0F == 0x02 {
                    self.thre_pending = false;
                }
                v
            }
            3 => self.lcr,
            4 => self.mcr,
            5 => {
                let v = self.lsr();
                self.lsr_errors = 0;
                v
            }
            6 => {
                if self.mcr & 0x10 != 0 {
                    // Loopback: outputs appear on the inputs.
                    let m = self.mcr;
                    (m & 0x01) << 5 | (m & 0x02) << 3 | (m & 0x04) << 4 | (m & 0x08) << 4
                } else {
                    0xB0 // CTS, DSR, DCD
                }
            }
            7 => self.scr,
            _ => 0xFF,
        };
        self.update_irq(ctx);
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        let dlab = self.lcr & 0x80 != 0;
        match port.wrapping_sub(self.base) {
            0 if dlab => self.dll = v,
            0 => {
                if self.mcr & 0x10 != 0 {
                    self.receive(v);
                } else {
                    self.output.push(v);
                }
                self.thre_pending = true;
            }
            1 if dlab => self.dlm = v,
            1 => {
                let newly_thre = v & 0x02 != 0 && self.ier & 0x02 == 0;
                self.ier = v & 0x0F;
                if newly_thre {
                    self.thre_pending = true;
                }
            }
            2 => {
                self.fifo_enabled = v & 0x01 != 0;
                if v & 0x02 != 0 {
                    self.rx.clear();
                }
                self.rx_trigger = [1, 4, 8, 14][(v >> 6) as usize];
                if !self.fifo_enabled {
                    self.rx_trigger = 1;
                }
            }
            3 => self.lcr = v,
            4 => self.mcr = v & 0x1F,
            7 => self.scr = v,
            _ => {}
        }
        self.update_irq(ctx);
    }

    fn reset(&mut self) {
        self.rx.clear();
        self.ier = 0;
        self.lcr = 0;
        self.mcr = 0;
        self.lsr_errors = 0;
        self.fifo_enabled = false;
        self.rx_trigger = 1;
        self.thre_pending = false;
        self.irq_level = false;
    }

    fn deadline(&self) -> Option<Nanos> {
        self.next_rx
    }

    fn run(&mut self, ctx: &mut Ctx) {
        let Some(t) = self.next_rx else {
            return;
        };
        if ctx.now < t {
            return;
        }
        // Deliver as many bytes as fit, one character time apart.
        let cap = if self.fifo_enabled { FIFO } else { 1 };
        if self.rx.len() < cap {
            if let Some(b) = self.host_input.pop_front() {
                self.rx.push_back(b);
            }
        }
        self.next_rx = if self.host_input.is_empty() {
            None
        } else {
            Some(ctx.now + self.char_time())
        };
        self.update_irq(ctx);
    }
}
