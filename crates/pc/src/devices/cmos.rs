//! CMOS memory and the MC146818 real-time clock (ports 70h/71h, IRQ8).
//!
//! The clock counts emulated time from a start date given at power-on (the host's clock, or a
//! fixed date for reproducible runs). Periodic, alarm and update-ended interrupts are scheduled
//! as deadlines.

use super::{Ctx, Device, Nanos};

const SEC: Nanos = 1_000_000_000;
const REG_A: usize = 0x0A;
const REG_B: usize = 0x0B;
const REG_C: usize = 0x0C;
const REG_D: usize = 0x0D;

#[derive(Debug, Clone)]
pub struct Cmos {
    pub ram: [u8; 128],
    index: u8,
    pub nmi_masked: bool,
    /// Seconds since 1970-01-01 at emulated time 0, as the guest has set the clock.
    epoch_at_zero: i64,
    /// Next periodic interrupt, and the next once-a-second update.
    next_periodic: Option<Nanos>,
    next_update: Nanos,
    pub irq_count: u64,
}

/// Days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn to_bcd(v: u8) -> u8 {
    (v / 10) << 4 | (v % 10)
}

fn from_bcd(v: u8) -> u8 {
    (v >> 4) * 10 + (v & 0xF)
}

impl Cmos {
    /// A CMOS whose clock reads `unix_seconds` at emulated time 0.
    pub fn new(unix_seconds: i64) -> Cmos {
        let mut c = Cmos {
            ram: [0; 128],
            index: 0,
            nmi_masked: false,
            epoch_at_zero: unix_seconds,
            next_periodic: None,
            next_update: SEC,
            irq_count: 0,
        };
        c.ram[REG_A] = 0x26;
        c.ram[REG_B] = 0x02;
        c.ram[REG_D] = 0x80;
        c
    }

    fn binary(&self) -> bool {
        self.ram[REG_B] & 0x04 != 0
    }

    fn enc(&self, v: u8) -> u8 {
        if self.binary() {
            v
        } else {
            to_bcd(v)
        }
    }

    fn dec(&self, v: u8) -> u8 {
        if self.binary() {
            v
        } else {
            from_bcd(v)
        }
    }

    /// The clock's reading (seconds since 1970) at `now`.
    pub fn unix_time(&self, now: Nanos) -> i64 {
        self.epoch_at_zero + (now / SEC) as i64
    }

    /// Fill the time registers from the clock.
    fn refresh_time(&mut self, now: Nanos) {
        if self.ram[REG_B] & 0x80 != 0 {
            return; // SET: the guest is writing the clock
        }
        let t = self.unix_time(now);
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (
            (secs / 3600) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
        );
        self.ram[0] = self.enc(ss);
        self.ram[2] = self.enc(mm);
        self.ram[4] = if self.ram[REG_B] & 0x02 != 0 {
            self.enc(hh)
        } else {
            let h12 = if hh % 12 == 0 { 12 } else { hh % 12 };
            self.enc(h12) | if hh >= 12 { 0x80 } else { 0 }
        };
        self.ram[6] = ((days + 4).rem_euclid(7) + 1) as u8;
        self.ram[7] = self.enc(d as u8);
        self.ram[8] = self.enc(m as u8);
        self.ram[9] = self.enc((y % 100) as u8);
        self.ram[0x32] = self.enc((y / 100) as u8);
    }

    /// Take the guest's time registers as the new clock setting.
    fn commit_time(&mut self, now: Nanos) {
        let ss = self.dec(self.ram[0]) as i64;
        let mm = self.dec(self.ram[2]) as i64;
        let h = self.ram[4];
        let hh = if self.ram[REG_B] & 0x02 != 0 {
            self.dec(h) as i64
        } else {
            let v = self.dec(h & 0x7F) as i64 % 12;
            v + if h & 0x80 != 0 { 12 } else { 0 }
        };
        let d = self.dec(self.ram[7]).max(1) as u32;
        let m = self.dec(self.ram[8]).clamp(1, 12) as u32;
        let century = self.dec(self.ram[0x32]) as i64;
        let century = if century == 0 { 20 } else { century };
        let y = century * 100 + self.dec(self.ram[9]) as i64;
        let t = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss;
        self.epoch_at_zero = t - (now / SEC) as i64;
    }

    fn periodic_period(&self) -> Option<Nanos> {
        let rate = self.ram[REG_A] & 0x0F;
        if rate == 0 || self.ram[REG_B] & 0x40 == 0 {
            return None;
        }
        let rate = if rate < 3 { rate + 7 } else { rate };
        let hz = 32_768u64 >> (rate - 1);
        Some(SEC / hz)
    }

    fn reschedule_periodic(&mut self, now: Nanos) {
        self.next_periodic = self.periodic_period().map(|p| (now / p + 1) * p);
    }

    /// Set a CMOS byte (configuration written by the machine at power-on).
    pub fn set(&mut self, index: u8, value: u8) {
        self.ram[(index & 0x7F) as usize] = value;
    }

    /// Recompute the standard checksum over 10h-2Dh into 2Eh-2Fh.
    pub fn update_checksum(&mut self) {
        let sum: u16 = self.ram[0x10..=0x2D].iter().map(|&b| b as u16).sum();
        self.ram[0x2E] = (sum >> 8) as u8;
        self.ram[0x2F] = sum as u8;
    }
}

impl Device for Cmos {
    fn name(&self) -> &'static str {
        "cmos"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        if port != 0x71 {
            return 0xFF;
        }
        let i = self.index as usize;
        let v = match i {
            0..=9 | 0x32 => {
                self.refresh_time(ctx.now);
                self.ram[i]
            }
            REG_A => {
                // Update in progress during the last 244 us of each second.
                let uip = (ctx.now % SEC) >= SEC - 244_000 && self.ram[REG_B] & 0x80 == 0;
                (self.ram[REG_A] & 0x7F) | (uip as u8) << 7
            }
            REG_C => {
                let v = self.ram[REG_C];
                self.ram[REG_C] = 0;
                ctx.irq.lower(8);
                v
            }
            REG_D => 0x80,
            _ => self.ram[i],
        };
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        match port {
            0x70 => {
                self.index = v & 0x7F;
                self.nmi_masked = v & 0x80 != 0;
            }
            0x71 => {
                let i = self.index as usize;
                match i {
                    REG_A => {
                        self.ram[REG_A] = v & 0x7F;
                        self.reschedule_periodic(ctx.now);
                    }
                    REG_B => {
                        let was_set = self.ram[REG_B] & 0x80 != 0;
                        if !was_set && v & 0x80 != 0 {
                            self.refresh_time(ctx.now);
                        }
                        self.ram[REG_B] = v;
                        if was_set && v & 0x80 == 0 {
                            self.commit_time(ctx.now);
                        }
                        self.reschedule_periodic(ctx.now);
                    }
                    REG_C | REG_D => {}
                    0..=9 | 0x32 => {
                        if self.ram[REG_B] & 0x80 == 0 {
                            self.refresh_time(ctx.now);
                            self.ram[i] = v;
                            self.commit_time(ctx.now);
                        } else {
                            self.ram[i] = v;
                        }
                    }
                    _ => self.ram[i] = v,
                }
                ctx.sys.stop_cpu = true;
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.index = 0;
        self.ram[REG_B] &= !0x70;
        self.ram[REG_C] = 0;
        self.next_periodic = None;
    }

    fn deadline(&self) -> Option<Nanos> {
        let update = (self.ram[REG_B] & 0x30 != 0).then_some(self.next_update);
        match (self.next_periodic, update) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn run(&mut self, ctx: &mut Ctx) {
        let mut flags = 0u8;
        if let Some(t) = self.next_periodic {
            if ctx.now >= t {
                flags |= 0x40;
                self.reschedule_periodic(ctx.now);
            }
        }
        if ctx.now >= self.next_update {
            self.next_update = (ctx.now / SEC + 1) * SEC;
            flags |= 0x10;
            self.refresh_time(ctx.now);
            let alarm = |i: usize, cur: u8| self.ram[i] & 0xC0 == 0xC0 || self.ram[i] == cur;
            if alarm(1, self.ram[0]) && alarm(3, self.ram[2]) && alarm(5, self.ram[4]) {
                flags |= 0x20;
            }
        }
        self.ram[REG_C] |= flags;
        // IRQF follows the enabled sources (PIE, AIE, UIE in register B bits 6, 5, 4).
        if self.ram[REG_C] & self.ram[REG_B] & 0x70 != 0 && self.ram[REG_C] & 0x80 == 0 {
            self.ram[REG_C] |= 0x80;
            ctx.irq.raise(8);
            self.irq_count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trip() {
        for days in [-1000, 0, 10_957, 20_000, 20_418, 36_524] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
    }
}
