//! System services: INT 11h (equipment), INT 12h (base memory), INT 15h (A20, extended memory
//! sizes and the E820 map, block move, waits, configuration table), INT 14h (serial port) and
//! INT 17h (printer: none fitted).

use super::post::bda;
use super::{set_carry, Flow, Pc, Regs, EBDA_SEG, ROM_SEG};
use cpu::SegReg;

/// BDA byte: the COM1 time-out (INT 14h).
const COM1_TIMEOUT: u32 = 0x47C;

/// Offset of the system configuration table (INT 15h/C0h) in the ROM.
const CONFIG_TABLE: u16 = 0xE6F5;

pub fn install_rom(image: &mut [u8]) {
    // Length 8; model FCh (AT); submodel 1; revision 0; features: second PIC, RTC, INT 15h/4Fh
    // called by INT 09h, EBDA present; INT 16h/09h supported.
    let table = [0x08, 0x00, 0xFC, 0x01, 0x00, 0x74, 0x40, 0x00, 0x00, 0x00];
    let at = CONFIG_TABLE as usize;
    image[at..at + table.len()].copy_from_slice(&table);
}

pub fn int11(pc: &mut Pc) -> Flow {
    let v = pc.board.mem.read16(bda::EQUIPMENT);
    pc.cpu.set_ax(v);
    Flow::Done
}

pub fn int12(pc: &mut Pc) -> Flow {
    let v = pc.board.mem.read16(bda::MEM_KB);
    pc.cpu.set_ax(v);
    Flow::Done
}

/// (base, length, type) of each E820 range.
fn e820_map(pc: &Pc) -> Vec<(u64, u64, u32)> {
    let ram = pc.board.mem.ram.len() as u64;
    let ebda = (EBDA_SEG as u64) << 4;
    let mut map = vec![
        (0, ebda, 1),
        (ebda, 0xA0000 - ebda, 2),
        (0xE0000, 0x20000, 2),
    ];
    // A machine with 1 MiB has no extended memory: no entry (not one of length 0, nor an
    // underflow).
    if ram > 0x10_0000 {
        map.push((0x10_0000, ram - 0x10_0000, 1));
    }
    map.push((0xFFFC_0000, 0x4_0000, 2));
    map
}

/// Call the guest's handler of interrupt `vector` from a service, as an `INT` instruction at
/// the current CS:IP would: FLAGS, CS and IP pushed, IF and TF cleared. When the handler
/// returns (IRET), the ROM stub goes on after its `OUT`. Real mode only (not in v86 mode, where
/// the monitor owns the vectors): returns whether the call was made.
pub fn call_guest_vector(pc: &mut Pc, vector: u8) -> bool {
    if pc.cpu.protected_mode() || pc.cpu.v86_mode() {
        return false;
    }
    let ss = pc.cpu.segs[SegReg::Ss as usize].base;
    let sp = pc.cpu.regs[4] as u16;
    let flags = pc.cpu.eflags();
    let cs = pc.cpu.seg_selector(SegReg::Cs);
    let ip = pc.cpu.eip as u16;
    let m = &mut pc.board.mem;
    for (i, v) in [flags as u16, cs, ip].into_iter().enumerate() {
        let at = sp.wrapping_sub(2 * (i as u16 + 1));
        m.write16(ss.wrapping_add(at as u32), v);
    }
    let off = m.read16(vector as u32 * 4);
    let seg = m.read16(vector as u32 * 4 + 2);
    pc.cpu.regs[4] = (pc.cpu.regs[4] & 0xFFFF_0000) | sp.wrapping_sub(6) as u32;
    pc.cpu
        .set_eflags(flags & !(cpu::flags::IF | cpu::flags::TF));
    pc.cpu.load_seg_real(SegReg::Cs, seg);
    pc.cpu.eip = off as u32;
    true
}

pub fn int15(pc: &mut Pc) -> Flow {
    let ah = pc.cpu.ah();
    match ah {
        // Keyboard intercept: keep the scan code.
        0x4F => set_carry(pc, true),
        0x24 => {
            match pc.cpu.al() {
                0x00 | 0x01 => {
                    pc.board.sys.a20_fast = pc.cpu.al() == 1;
                    pc.board.sys.a20_kbc = pc.cpu.al() == 1;
                    pc.board.mem.a20_mask = if pc.board.sys.a20() {
                        0xFFFF_FFFF
                    } else {
                        0xFFEF_FFFF
                    };
                    pc.cpu.set_ah(0);
                }
                0x02 => {
                    let on = pc.board.sys.a20();
                    pc.cpu.set_ax(on as u16);
                }
                0x03 => {
                    pc.cpu.set_ah(0);
                    pc.cpu.set_bx(0x0003);
                }
                _ => return super::unsupported(pc),
            }
            set_carry(pc, false);
        }
        0x86 => {
            // Wait CX:DX microseconds.
            let now = pc.board.time_now();
            match pc.bios.wait_until {
                None => {
                    let us = (pc.cpu.cx() as u64) << 16 | pc.cpu.dx() as u64;
                    pc.bios.wait_until = Some(now + us * 1000);
                    return Flow::Retry;
                }
                Some(t) if now < t => return Flow::Retry,
                Some(_) => {
                    pc.bios.wait_until = None;
                    pc.cpu.set_ah(0);
                    set_carry(pc, false);
                }
            }
        }
        0x87 => block_move(pc),
        0x88 => {
            let kb = (pc.board.mem.ram.len() / 1024)
                .saturating_sub(1024)
                .min(0xFFFF);
            pc.cpu.set_ax(kb as u16);
            set_carry(pc, false);
        }
        0x90 | 0x91 => {
            pc.cpu.set_ah(0);
            set_carry(pc, false);
        }
        0xC0 => {
            pc.cpu.load_seg_real(SegReg::Es, ROM_SEG);
            pc.cpu.set_bx(CONFIG_TABLE);
            pc.cpu.set_ah(0);
            set_carry(pc, false);
        }
        0xC1 => {
            pc.cpu.load_seg_real(SegReg::Es, EBDA_SEG);
            set_carry(pc, false);
        }
        0xE8 => match pc.cpu.al() {
            0x01 => {
                let kb = pc.board.mem.ram.len() as u64 / 1024;
                let low = kb.saturating_sub(1024).min(15 * 1024) as u16;
                let high = (kb.saturating_sub(16 * 1024) / 64).min(0xFFFF) as u16;
                pc.cpu.set_ax(low);
                pc.cpu.set_cx(low);
                pc.cpu.set_bx(high);
                pc.cpu.set_dx(high);
                set_carry(pc, false);
            }
            0x20 if pc.cpu.regs[2] == 0x534D_4150 => e820(pc),
            _ => return super::unsupported(pc),
        },
        _ => return super::unsupported(pc),
    }
    Flow::Done
}

/// INT 15h/E820h: one entry of the memory map per call.
fn e820(pc: &mut Pc) {
    let map = e820_map(pc);
    let i = pc.cpu.regs[3] as usize;
    let Some(&(base, len, kind)) = map.get(i) else {
        set_carry(pc, true);
        pc.cpu.set_ah(0x86);
        return;
    };
    let es = pc.cpu.segs[SegReg::Es as usize].base;
    let di = pc.cpu.regs[7] as u16 as u32;
    let a = es + di;
    let m = &mut pc.board.mem;
    m.write32(a, base as u32);
    m.write32(a + 4, (base >> 32) as u32);
    m.write32(a + 8, len as u32);
    m.write32(a + 12, (len >> 32) as u32);
    m.write32(a + 16, kind);
    let wanted = pc.cpu.regs[1];
    if wanted >= 24 {
        m.write32(a + 20, 1);
    }
    pc.cpu.regs[0] = 0x534D_4150;
    pc.cpu.regs[1] = if wanted >= 24 { 24 } else { 20 };
    pc.cpu.regs[3] = if i + 1 < map.len() { i as u32 + 1 } else { 0 };
    set_carry(pc, false);
}

/// INT 15h/87h: copy CX words between the source and destination descriptors of the GDT at
/// ES:SI (slots 2 and 3), anywhere in memory.
fn block_move(pc: &mut Pc) {
    let gdt = pc.cpu.segs[SegReg::Es as usize].base + pc.cpu.regs[6] as u16 as u32;
    let base = |pc: &Pc, d: u32| {
        let m = &pc.board.mem;
        m.read16(d + 2) as u32 | (m.read8(d + 4) as u32) << 16 | (m.read8(d + 7) as u32) << 24
    };
    let src = base(pc, gdt + 0x10);
    let dst = base(pc, gdt + 0x18);
    let bytes = pc.cpu.cx() as usize * 2;
    let mut buf = vec![0u8; bytes];
    pc.board.mem.read_bytes(src, &mut buf);
    pc.board.mem.write_bytes(dst, &buf);
    pc.cpu.set_ah(0);
    set_carry(pc, false);
    set_zero(pc);
}

fn set_zero(pc: &mut Pc) {
    super::set_caller_flags(pc, cpu::flags::ZF as u16, true);
}

/// INT 14h on COM1: initialize, send, receive, status.
pub fn int14(pc: &mut Pc) -> Flow {
    if pc.cpu.dx() != 0 {
        pc.cpu.set_ah(0x80);
        return Flow::Done;
    }
    let base = 0x3F8u16;
    match pc.cpu.ah() {
        0x00 => {
            let p = pc.cpu.al();
            const DIVISORS: [u16; 8] = [1047, 768, 384, 192, 96, 48, 24, 12];
            let div = DIVISORS[(p >> 5) as usize];
            pc.board.port_write(base + 3, 0x80);
            pc.board.port_write(base, div as u8);
            pc.board.port_write(base + 1, (div >> 8) as u8);
            pc.board.port_write(base + 3, p & 0x1F);
            let lsr = pc.board.port_read(base + 5);
            let msr = pc.board.port_read(base + 6);
            pc.cpu.set_ax((lsr as u16) << 8 | msr as u16);
        }
        0x01 => {
            pc.board.port_write(base, pc.cpu.al());
            let lsr = pc.board.port_read(base + 5);
            pc.cpu.set_ah(lsr);
        }
        0x02 => {
            let lsr = pc.board.port_read(base + 5);
            if lsr & 1 == 0 {
                // Nothing received: wait for input (the host may type later), as long as the
                // port's time-out in the BDA (40:7Ch, in seconds here; at least one) allows;
                // then AH bit 7 says "timed out", as the PC BIOS does.
                let now = pc.board.time_now();
                match pc.bios.wait_until {
                    None => {
                        let secs = pc.board.mem.read8(COM1_TIMEOUT).max(1) as u64;
                        pc.bios.wait_until = Some(now + secs * 1_000_000_000);
                        return Flow::Retry;
                    }
                    Some(t) if now < t => return Flow::Retry,
                    Some(_) => {
                        pc.bios.wait_until = None;
                        pc.cpu.set_ah(0x80 | (lsr & 0x1E));
                        return Flow::Done;
                    }
                }
            }
            pc.bios.wait_until = None;
            let b = pc.board.port_read(base);
            pc.cpu.set_ax((lsr as u16 & 0x1E) << 8 | b as u16);
        }
        0x03 => {
            let lsr = pc.board.port_read(base + 5);
            let msr = pc.board.port_read(base + 6);
            pc.cpu.set_ax((lsr as u16) << 8 | msr as u16);
        }
        _ => {}
    }
    Flow::Done
}

/// INT 17h: there is no printer; report a time-out.
pub fn int17(pc: &mut Pc) -> Flow {
    pc.cpu.set_ah(0x01);
    Flow::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e820_map_with_one_mib_has_no_extended_entry() {
        let pc = Pc::new(cpu::Model::I386, 1 << 20).expect("machine");
        let map = e820_map(&pc);
        assert!(map
            .iter()
            .all(|&(base, len, _)| len > 0 && base != 0x10_0000));
        let pc = Pc::new(cpu::Model::I386, 2 << 20).expect("machine");
        assert!(e820_map(&pc).contains(&(0x10_0000, 0x10_0000, 1)));
    }
}
