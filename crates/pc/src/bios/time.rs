//! Time services: INT 08h (the 18.2 Hz tick), INT 1Ah (tick count and the real-time clock) and
//! INT 70h (the RTC interrupt).

use super::post::bda;
use super::{set_carry, Flow, Pc, Regs};

/// Ticks in a day at 18.2065 Hz.
const TICKS_PER_DAY: u32 = 0x1800B0;

/// INT 08h: count the tick, wrap at midnight, run down the floppy motor timeout.
pub fn int08(pc: &mut Pc) -> Flow {
    let m = &mut pc.board.mem;
    let mut t = m.read32(bda::TICKS).wrapping_add(1);
    if t >= TICKS_PER_DAY {
        t = 0;
        m.write8(bda::MIDNIGHT, 1);
    }
    m.write32(bda::TICKS, t);
    let motor = m.read8(0x440);
    if motor > 0 {
        m.write8(0x440, motor - 1);
        if motor == 1 {
            let st = m.read8(0x43F);
            m.write8(0x43F, st & 0xF0);
            pc.board.port_write(0x3F2, 0x0C);
        }
    }
    Flow::Done
}

fn cmos_read(pc: &mut Pc, reg: u8) -> u8 {
    pc.board.port_write(0x70, reg);
    pc.board.port_read(0x71)
}

fn cmos_write(pc: &mut Pc, reg: u8, v: u8) {
    pc.board.port_write(0x70, reg);
    pc.board.port_write(0x71, v);
}

/// INT 1Ah.
pub fn int1a(pc: &mut Pc) -> Flow {
    match pc.cpu.ah() {
        0x00 => {
            let t = pc.board.mem.read32(bda::TICKS);
            let midnight = pc.board.mem.read8(bda::MIDNIGHT);
            pc.board.mem.write8(bda::MIDNIGHT, 0);
            pc.cpu.set_cx((t >> 16) as u16);
            pc.cpu.set_dx(t as u16);
            pc.cpu.set_al(midnight);
        }
        0x01 => {
            let t = (pc.cpu.cx() as u32) << 16 | pc.cpu.dx() as u32;
            pc.board.mem.write32(bda::TICKS, t);
            pc.board.mem.write8(bda::MIDNIGHT, 0);
        }
        0x02 => {
            let (s, m, h) = (cmos_read(pc, 0), cmos_read(pc, 2), cmos_read(pc, 4));
            let dst = cmos_read(pc, 0x0B) & 1;
            pc.cpu.set_ch(h);
            pc.cpu.set_cl(m);
            pc.cpu.set_dh(s);
            pc.cpu.set_dl(dst);
            set_carry(pc, false);
        }
        0x03 => {
            let b = cmos_read(pc, 0x0B);
            cmos_write(pc, 0x0B, b | 0x80);
            let (h, m, s) = (pc.cpu.ch(), pc.cpu.cl(), pc.cpu.dh());
            cmos_write(pc, 4, h);
            cmos_write(pc, 2, m);
            cmos_write(pc, 0, s);
            cmos_write(pc, 0x0B, (b & 0x7E) | 0x02 | (pc.cpu.dl() & 1));
            set_carry(pc, false);
        }
        0x04 => {
            let (c, y, mo, d) = (
                cmos_read(pc, 0x32),
                cmos_read(pc, 9),
                cmos_read(pc, 8),
                cmos_read(pc, 7),
            );
            pc.cpu.set_ch(c);
            pc.cpu.set_cl(y);
            pc.cpu.set_dh(mo);
            pc.cpu.set_dl(d);
            set_carry(pc, false);
        }
        0x05 => {
            let b = cmos_read(pc, 0x0B);
            cmos_write(pc, 0x0B, b | 0x80);
            let (c, y, mo, d) = (pc.cpu.ch(), pc.cpu.cl(), pc.cpu.dh(), pc.cpu.dl());
            cmos_write(pc, 0x32, c);
            cmos_write(pc, 9, y);
            cmos_write(pc, 8, mo);
            cmos_write(pc, 7, d);
            cmos_write(pc, 0x0B, b & 0x7F);
            set_carry(pc, false);
        }
        0x06 => {
            let b = cmos_read(pc, 0x0B);
            if b & 0x20 != 0 {
                set_carry(pc, true);
            } else {
                let (h, m, s) = (pc.cpu.ch(), pc.cpu.cl(), pc.cpu.dh());
                cmos_write(pc, 5, h);
                cmos_write(pc, 3, m);
                cmos_write(pc, 1, s);
                cmos_write(pc, 0x0B, b | 0x20);
                set_carry(pc, false);
            }
        }
        0x07 => {
            let b = cmos_read(pc, 0x0B);
            cmos_write(pc, 0x0B, b & !0x20);
            set_carry(pc, false);
        }
        _ => return super::unsupported(pc),
    }
    Flow::Done
}

/// INT 70h: acknowledge the RTC (reading register C) so it can interrupt again.
pub fn int70(pc: &mut Pc) -> Flow {
    let c = cmos_read(pc, 0x0C);
    if c & 0x20 != 0 {
        // Alarm (set by INT 1Ah/06h): call the user's INT 4Ah, as the AT BIOS does; it returns
        // into this stub, which then ends the interrupt.
        *pc.bios.call_counts.entry(0x4A).or_insert(0) += 1;
        super::system::call_guest_vector(pc, 0x4A);
    }
    Flow::Done
}
