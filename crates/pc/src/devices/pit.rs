//! The 8254 programmable interval timer (ports 40h-43h) and port 61h (channel 2 gate, speaker,
//! refresh toggle). Channel 0 drives IRQ0; channel 2 feeds the speaker.
//!
//! Counters are not stepped: each channel remembers when it was loaded, and its count and output
//! are computed from the emulated time when read. IRQ0 has a deadline at its next rising edge.

use super::{Ctx, Device, Nanos};

/// Input clock of the PIT in Hz.
pub const PIT_HZ: u64 = 1_193_182;

pub fn ns_to_ticks(ns: Nanos) -> u64 {
    (ns as u128 * PIT_HZ as u128 / 1_000_000_000) as u64
}

pub fn ticks_to_ns(t: u64) -> Nanos {
    (t as u128 * 1_000_000_000).div_ceil(PIT_HZ as u128) as u64
}

#[derive(Debug, Clone, Default)]
struct Channel {
    mode: u8,
    /// 1 = LSB, 2 = MSB, 3 = LSB then MSB.
    access: u8,
    bcd: bool,
    /// Reload value (0 means 65536).
    reload: u32,
    /// Tick at which counting with `reload` began; None until a count is written.
    start: Option<u64>,
    gate: bool,
    /// Latched count, read LSB then MSB.
    latch: Option<u16>,
    latch_hi_next: bool,
    status_latch: Option<u8>,
    read_hi_next: bool,
    write_hi_next: bool,
    write_lo: u8,
    null_count: bool,
    /// Next tick at which the output rises (channel 0: IRQ0), if any.
    next_edge: Option<u64>,
}

impl Channel {
    fn period(&self) -> u64 {
        if self.reload == 0 {
            0x10000
        } else {
            self.reload as u64
        }
    }

    fn elapsed(&self, tick: u64) -> Option<u64> {
        self.start.map(|s| tick.saturating_sub(s))
    }

    /// The count as the guest would read it at `tick`.
    fn count_at(&self, tick: u64) -> u16 {
        let Some(e) = self.elapsed(tick) else {
            return self.reload as u16;
        };
        let n = self.period();
        let v = match self.mode {
            // Rate generator: counts N..1, reloads.
            2 | 6 => n - (e % n),
            // Square wave: counts down by two twice per period.
            3 | 7 => {
                let half = n.div_ceil(2);
                let p = e % n;
                let within = if p < half { p } else { p - half };
                (n - 2 * within) & !1
            }
            // One-shot modes keep counting down past zero.
            _ => (n.wrapping_sub(e)) & 0xFFFF,
        };
        v as u16
    }

    fn output_at(&self, tick: u64) -> bool {
        let Some(e) = self.elapsed(tick) else {
            return self.mode != 0;
        };
        let n = self.period();
        match self.mode {
            0 => e >= n,
            1 => e >= n,
            2 | 6 => (e % n) != n - 1,
            3 | 7 => (e % n) < n.div_ceil(2),
            4 | 5 => e != n,
            _ => true,
        }
    }

    /// First tick after `after` at which the output rises.
    fn edge_after(&self, after: u64) -> Option<u64> {
        let s = self.start?;
        let n = self.period();
        match self.mode {
            0 | 1 => {
                let t = s + n;
                (t > after).then_some(t)
            }
            // Strobe modes: the output dips for one clock at terminal count and rises again.
            // Linux programs its one-shot timer in mode 4.
            4 | 5 => {
                let t = s + n + 1;
                (t > after).then_some(t)
            }
            2 | 3 | 6 | 7 => {
                let k = if after < s { 1 } else { (after - s) / n + 1 };
                Some(s + k * n)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pit {
    ch: [Channel; 3],
    pub speaker_data: bool,
    /// IRQ0 edges raised (for the teaching view).
    pub irq0_count: u64,
}

impl Default for Pit {
    fn default() -> Self {
        Pit::new()
    }
}

impl Pit {
    pub fn new() -> Pit {
        let mut p = Pit {
            ch: Default::default(),
            speaker_data: false,
            irq0_count: 0,
        };
        p.reset();
        p
    }

    fn load(&mut self, i: usize, value: u32, tick: u64) {
        let c = &mut self.ch[i];
        c.reload = value;
        c.null_count = false;
        // Gate-triggered modes wait for a rising gate; the others start on the next clock
        // (the periodic modes only while their gate is high).
        let waits_for_gate =
            matches!(c.mode, 1 | 5) || (!c.gate && matches!(c.mode, 2 | 3 | 6 | 7));
        c.start = if waits_for_gate { None } else { Some(tick + 1) };
        c.next_edge = c.edge_after(tick);
    }

    fn write_control(&mut self, v: u8, tick: u64) {
        let sel = (v >> 6) as usize;
        if sel == 3 {
            // Read-back command.
            for i in 0..3 {
                if v & (2 << i) == 0 {
                    continue;
                }
                if v & 0x20 == 0 && self.ch[i].latch.is_none() {
                    self.ch[i].latch = Some(self.ch[i].count_at(tick));
                    self.ch[i].latch_hi_next = false;
                }
                if v & 0x10 == 0 {
                    let c = &self.ch[i];
                    let out = c.output_at(tick) as u8;
                    let st = out << 7
                        | (c.null_count as u8) << 6
                        | c.access << 4
                        | c.mode << 1
                        | c.bcd as u8;
                    self.ch[i].status_latch = Some(st);
                }
            }
            return;
        }
        let access = (v >> 4) & 3;
        if access == 0 {
            // Counter latch command.
            if self.ch[sel].latch.is_none() {
                self.ch[sel].latch = Some(self.ch[sel].count_at(tick));
                self.ch[sel].latch_hi_next = false;
            }
            return;
        }
        let c = &mut self.ch[sel];
        c.access = access;
        c.mode = (v >> 1) & 7;
        c.bcd = v & 1 != 0;
        c.start = None;
        c.next_edge = None;
        c.null_count = true;
        c.write_hi_next = false;
        c.read_hi_next = false;
        c.latch = None;
    }

    fn read_counter(&mut self, i: usize, tick: u64) -> u8 {
        let c = &mut self.ch[i];
        if let Some(st) = c.status_latch.take() {
            return st;
        }
        if let Some(l) = c.latch {
            let hi = c.latch_hi_next;
            let take_hi = match c.access {
                1 => false,
                2 => true,
                _ => hi,
            };
            if c.access == 3 && !hi {
                c.latch_hi_next = true;
            } else {
                c.latch = None;
                c.latch_hi_next = false;
            }
            return if take_hi { (l >> 8) as u8 } else { l as u8 };
        }
        let v = c.count_at(tick);
        match c.access {
            1 => v as u8,
            2 => (v >> 8) as u8,
            _ => {
                let hi = c.read_hi_next;
                c.read_hi_next = !hi;
                if hi {
                    (v >> 8) as u8
                } else {
                    v as u8
                }
            }
        }
    }

    fn write_counter(&mut self, i: usize, v: u8, tick: u64) {
        let c = &mut self.ch[i];
        let value = match c.access {
            1 => v as u32,
            2 => (v as u32) << 8,
            _ => {
                if !c.write_hi_next {
                    c.write_lo = v;
                    c.write_hi_next = true;
                    return;
                }
                c.write_hi_next = false;
                c.write_lo as u32 | (v as u32) << 8
            }
        };
        let value = if c.bcd { from_bcd(value) } else { value };
        self.load(i, value, tick);
    }

    fn set_gate2(&mut self, gate: bool, tick: u64) {
        let c = &mut self.ch[2];
        let rising = gate && !c.gate;
        c.gate = gate;
        if rising && matches!(c.mode, 1 | 2 | 3 | 5 | 6 | 7) && !c.null_count {
            c.start = Some(tick + 1);
            c.next_edge = c.edge_after(tick);
        }
    }

    /// Channel 2's output (port 61h bit 5; the speaker).
    pub fn out2(&self, now: Nanos) -> bool {
        let c = &self.ch[2];
        if !c.gate && matches!(c.mode, 2 | 3 | 6 | 7) {
            return true;
        }
        c.output_at(ns_to_ticks(now))
    }

    /// The frequency the speaker plays, if it is on (for the page's sound).
    pub fn speaker_hz(&self) -> Option<f64> {
        let c = &self.ch[2];
        (self.speaker_data && c.gate && matches!(c.mode, 3 | 7) && c.start.is_some())
            .then(|| PIT_HZ as f64 / c.period() as f64)
    }
}

fn from_bcd(v: u32) -> u32 {
    let d = |s: u32| (v >> s) & 0xF;
    let r = d(0) + 10 * d(4) + 100 * d(8) + 1000 * d(12);
    if r == 0 {
        10000
    } else {
        r
    }
}

impl Device for Pit {
    fn name(&self) -> &'static str {
        "pit"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        let tick = ns_to_ticks(ctx.now);
        let v = match port {
            0x40..=0x42 => self.read_counter((port - 0x40) as usize, tick),
            0x61 => {
                // Bit 4 toggles with the DRAM refresh every 15.085 us.
                let refresh = ((ctx.now / 15_085) & 1) as u8;
                (self.ch[2].gate as u8)
                    | (self.speaker_data as u8) << 1
                    | refresh << 4
                    | (self.out2(ctx.now) as u8) << 5
            }
            _ => 0xFF,
        };
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let tick = ns_to_ticks(ctx.now);
        let v = value as u8;
        match port {
            0x40..=0x42 => self.write_counter((port - 0x40) as usize, v, tick),
            0x43 => self.write_control(v, tick),
            0x61 => {
                self.speaker_data = v & 2 != 0;
                ctx.sys.speaker_data = self.speaker_data;
                ctx.sys.speaker_gate = v & 1 != 0;
                self.set_gate2(v & 1 != 0, tick);
            }
            _ => {}
        }
        // A reprogrammed timer may need service sooner than the CPU's current slice allows.
        ctx.sys.stop_cpu = true;
    }

    fn reset(&mut self) {
        self.ch = Default::default();
        self.ch[0].gate = true;
        self.ch[1].gate = true;
        self.speaker_data = false;
    }

    fn deadline(&self) -> Option<Nanos> {
        self.ch[0].next_edge.map(ticks_to_ns)
    }

    fn run(&mut self, ctx: &mut Ctx) {
        let tick = ns_to_ticks(ctx.now);
        let c = &mut self.ch[0];
        if let Some(edge) = c.next_edge {
            if tick >= edge {
                ctx.irq.pulse(0);
                self.irq0_count += 1;
                // Several periods may have passed (an idle skip): one interrupt, as the PIC
                // would have seen only one edge while the CPU was not acknowledging.
                c.next_edge = c.edge_after(tick);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{IrqLines, SysLines};
    use crate::memory::Memory;

    fn io(p: &mut Pit, now: Nanos, port: u16, v: Option<u8>) -> u8 {
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        match v {
            Some(v) => {
                p.io_write(port, 1, v as u32, &mut ctx);
                0
            }
            None => p.io_read(port, 1, &mut ctx) as u8,
        }
    }

    #[test]
    fn bios_timer_period_is_18_2_hz() {
        let mut p = Pit::new();
        io(&mut p, 0, 0x43, Some(0x36));
        io(&mut p, 0, 0x40, Some(0));
        io(&mut p, 0, 0x40, Some(0));
        let d = p.deadline().expect("channel 0 runs");
        // 65536 ticks of 1.193182 MHz = 54.925 ms.
        assert!((54_900_000..54_950_000).contains(&d), "{d}");
    }

    #[test]
    fn latch_reads_count_down() {
        let mut p = Pit::new();
        io(&mut p, 0, 0x43, Some(0x34));
        io(&mut p, 0, 0x40, Some(0x00));
        io(&mut p, 0, 0x40, Some(0x10)); // 4096
        let t = ticks_to_ns(1001);
        io(&mut p, t, 0x43, Some(0x00));
        let lo = io(&mut p, t, 0x40, None) as u16;
        let hi = io(&mut p, t, 0x40, None) as u16;
        assert_eq!(hi << 8 | lo, 4096 - 1000);
    }

    #[test]
    fn mode4_strobe_interrupts_once() {
        let mut p = Pit::new();
        io(&mut p, 0, 0x43, Some(0x38));
        io(&mut p, 0, 0x40, Some(0x10));
        io(&mut p, 0, 0x40, Some(0x00));
        let d = p.deadline().expect("a strobe is scheduled");
        assert_eq!(ns_to_ticks(d), 1 + 0x10 + 1);
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now: d,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        p.run(&mut ctx);
        assert_eq!(irq.edges, 1);
        assert_eq!(p.deadline(), None, "one shot");
    }

    #[test]
    fn irq0_fires_at_deadline() {
        let mut p = Pit::new();
        io(&mut p, 0, 0x43, Some(0x34));
        io(&mut p, 0, 0x40, Some(100));
        io(&mut p, 0, 0x40, Some(0));
        let d = p.deadline().expect("deadline");
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now: d,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        p.run(&mut ctx);
        assert_eq!(irq.edges, 1);
        assert!(p.deadline().expect("periodic") > d);
    }
}
