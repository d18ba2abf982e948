//! Power-on self test and bootstrap: interrupt vectors, BIOS data area, the interrupt
//! controllers and timer as DOS expects them, then INT 19h boots from A:, C:, then the CD-ROM
//! (El Torito), the first that is bootable.

use super::{Flow, Pc, Regs, EBDA_SEG, ROM_SEG, VEC_DUMMY, VEC_IRQ_MASTER, VEC_IRQ_SLAVE};
use crate::board::Board;
use crate::Config;
use cpu::SegReg;

/// BIOS data area offsets (segment 40h).
pub mod bda {
    pub const COM1: u32 = 0x400;
    pub const EQUIPMENT: u32 = 0x410;
    pub const MEM_KB: u32 = 0x413;
    pub const EBDA_SEG: u32 = 0x40E;
    pub const KBD_FLAGS1: u32 = 0x417;
    pub const KBD_FLAGS2: u32 = 0x418;
    pub const KBD_HEAD: u32 = 0x41A;
    pub const KBD_TAIL: u32 = 0x41C;
    pub const KBD_BUF_START: u32 = 0x480;
    pub const KBD_BUF_END: u32 = 0x482;
    pub const TICKS: u32 = 0x46C;
    pub const MIDNIGHT: u32 = 0x470;
    pub const RESET_FLAG: u32 = 0x472;
    pub const KBD_FLAGS3: u32 = 0x496;
    pub const KBD_LEDS: u32 = 0x497;
    pub const RESET_VECTOR: u32 = 0x467;
}

/// CMOS configuration the firmware reads: memory sizes, equipment, century.
pub fn configure_cmos(board: &mut Board, config: &Config) {
    let c = &mut board.cmos;
    let kb = (config.mem_bytes / 1024) as u32;
    c.set(0x15, 0x80); // 640 KiB base memory
    c.set(0x16, 0x02);
    let ext = kb.saturating_sub(1024).min(0xFC00); // KiB above 1 MiB, capped at 63 MiB
    c.set(0x17, ext as u8);
    c.set(0x18, (ext >> 8) as u8);
    c.set(0x30, ext as u8);
    c.set(0x31, (ext >> 8) as u8);
    let above16 = (kb.saturating_sub(16 * 1024) / 64).min(0xFFFF); // 64 KiB blocks above 16 MiB
    c.set(0x34, above16 as u8);
    c.set(0x35, (above16 >> 8) as u8);
    c.set(0x14, 0x06); // equipment: VGA, coprocessor bit set below, no floppies yet
    c.set(0x32, 0x20);
    c.set(0x0F, 0);
    c.update_checksum();
}

/// Set interrupt vector `n` to F000:`off`.
fn set_vector(pc: &mut Pc, n: u8, seg: u16, off: u16) {
    let a = n as u32 * 4;
    pc.board.mem.write16(a, off);
    pc.board.mem.write16(a + 2, seg);
}

/// The power-on self test, entered from the reset vector (and again after a CPU reset, when
/// the CMOS shutdown byte may ask to resume a program instead).
pub fn post(pc: &mut Pc) -> Flow {
    let shutdown = pc.board.cmos.ram[0x0F];
    pc.board.cmos.ram[0x0F] = 0;
    if matches!(shutdown, 0x05 | 0x0A | 0x0B | 0x0C) {
        // A 286 program returning from protected mode: resume at 40:67.
        if shutdown == 0x05 {
            pc.board.port_write(0x20, 0x20);
            pc.board.port_write(0xA0, 0x20);
        }
        let off = pc.board.mem.read16(bda::RESET_VECTOR);
        let seg = pc.board.mem.read16(bda::RESET_VECTOR + 2);
        pc.cpu.load_seg_real(SegReg::Cs, seg);
        pc.cpu.eip = off as u32;
        return Flow::Done;
    }
    full_post(pc);
    int19(pc)
}

fn full_post(pc: &mut Pc) {
    pc.board.port_write(0x80, 0x01);
    // Clear conventional memory below the EBDA except the ROM areas (a cold boot's RAM test).
    let ebda = (EBDA_SEG as u32) << 4;
    pc.board.mem.write_bytes(0, &vec![0u8; ebda as usize]);
    // Interrupt vectors.
    for n in 0..=0x77u8 {
        set_vector(pc, n, ROM_SEG, VEC_DUMMY);
    }
    for n in 0x08..=0x0Fu8 {
        set_vector(pc, n, ROM_SEG, VEC_IRQ_MASTER);
    }
    for n in 0x70..=0x77u8 {
        set_vector(pc, n, ROM_SEG, VEC_IRQ_SLAVE);
    }
    for (n, off) in [
        (0x08u8, 0xFEA5u16),
        (0x09, 0xE987),
        (0x0E, 0xEF57),
        (0x10, 0xF065),
        (0x11, 0xF84D),
        (0x12, 0xF841),
        (0x13, 0xEC59),
        (0x14, 0xE739),
        (0x15, 0xF859),
        (0x16, 0xE82E),
        (0x17, 0xEFD2),
        (0x18, 0xE960),
        (0x19, 0xE6F2),
        (0x1A, 0xFE6E),
        (0x05, 0xFF54),
        (0x70, 0xE900),
        (0x76, 0xE920),
    ] {
        set_vector(pc, n, ROM_SEG, off);
    }
    // BIOS data area and extended BIOS data area.
    let m = &mut pc.board.mem;
    m.write16(bda::COM1, 0x3F8);
    m.write16(bda::MEM_KB, 639);
    m.write16(bda::EBDA_SEG, EBDA_SEG);
    m.write8(ebda, 1); // EBDA size in KiB
    m.write16(bda::KBD_HEAD, 0x1E);
    m.write16(bda::KBD_TAIL, 0x1E);
    m.write16(bda::KBD_BUF_START, 0x1E);
    m.write16(bda::KBD_BUF_END, 0x3E);
    m.write8(bda::KBD_FLAGS3, 0x10); // enhanced (101-key) keyboard
    let fpu = pc.config.model >= cpu::Model::I486;
    // Equipment: video 80x25 colour, PS/2 mouse, one serial port; floppies added by the disk BIOS.
    let equipment: u16 = 0x0020 | 0x0004 | (1 << 9) | if fpu { 0x0002 } else { 0 };
    m.write16(bda::EQUIPMENT, equipment);
    // Ticks since midnight from the real-time clock.
    let t = pc
        .board
        .cmos
        .unix_time(pc.board.time_now())
        .rem_euclid(86_400) as u64;
    let ticks = (t * 1_193_182 / 65_536) as u32;
    pc.board.mem.write32(bda::TICKS, ticks);
    init_pics_and_timer(pc);
    init_pci(pc);
    super::video::post_init(pc);
    super::disk::post_init(pc);
    pc.board.port_write(0x80, 0xAA);
}

/// Program the PICs (vectors 08h and 70h) and the timer (18.2 Hz) as a PC BIOS does.
fn init_pics_and_timer(pc: &mut Pc) {
    let writes: [(u16, u8); 14] = [
        (0x20, 0x11),
        (0x21, 0x08),
        (0x21, 0x04),
        (0x21, 0x01),
        (0xA0, 0x11),
        (0xA1, 0x70),
        (0xA1, 0x02),
        (0xA1, 0x01),
        // Unmask timer, keyboard, cascade, floppy; slave: RTC, mouse, hard disk.
        (0x21, 0xB8),
        (0xA1, 0xAE),
        (0x43, 0x36),
        (0x40, 0x00),
        (0x40, 0x00),
        (0x61, 0x00),
    ];
    for (port, v) in writes {
        pc.board.port_write(port, v);
    }
    pc.board.sys.stop_cpu = false;
}

/// PCI setup: the power-management function's I/O base (ACPI registers), interrupt lines.
fn init_pci(pc: &mut Pc) {
    use crate::devices::pci::{DEV_PIIX, DEV_VGA, FN_IDE, FN_PM};
    let base = super::acpi::PM_BASE;
    let p = &mut pc.board.pci;
    p.firmware_write(DEV_PIIX, FN_PM, 0x40, (base as u8) | 1);
    p.firmware_write(DEV_PIIX, FN_PM, 0x41, (base >> 8) as u8);
    p.firmware_write(DEV_PIIX, FN_PM, 0x80, 1);
    p.firmware_write(DEV_PIIX, FN_PM, 0x3C, super::acpi::SCI_IRQ);
    p.firmware_write(DEV_PIIX, FN_IDE, 0x3C, 14);
    p.firmware_write(DEV_VGA, 0, 0x3C, 0xFF);
    pc.board.pci_changed();
}

/// INT 19h: load the boot sector of A:, else C:, at 0000:7C00 and jump to it with DL = drive;
/// else boot the CD-ROM by El Torito (no emulation: DL = E0h; floppy emulation: DL = 00h).
/// A CD is tried last, so that it boots by itself when no floppy or hard disk is bootable.
pub fn int19(pc: &mut Pc) -> Flow {
    for drive in [0x00u8, 0x80] {
        let Ok(sector) = super::disk::boot_sector(pc, drive) else {
            continue;
        };
        if drive >= 0x80 && (sector.len() < 512 || sector[510] != 0x55 || sector[511] != 0xAA) {
            pc.bios
                .messages
                .push(format!("Drive {drive:02X}h has no boot signature"));
            continue;
        }
        pc.board
            .mem
            .write_bytes(0x7C00, &sector[..512.min(sector.len())]);
        pc.cpu.load_seg_real(SegReg::Cs, 0);
        pc.cpu.load_seg_real(SegReg::Ds, 0);
        pc.cpu.load_seg_real(SegReg::Es, 0);
        pc.cpu.load_seg_real(SegReg::Ss, 0);
        pc.cpu.regs[4] = 0x7C00;
        pc.cpu.eip = 0x7C00;
        pc.cpu.set_dx(drive as u16);
        pc.cpu.set_eflags(0x0202);
        return Flow::Done;
    }
    if pc.cdrom_image().is_some() {
        match super::disk::cd_boot(pc) {
            Ok((seg, off, drive)) => {
                pc.cpu.load_seg_real(SegReg::Cs, seg);
                pc.cpu.load_seg_real(SegReg::Ds, 0);
                pc.cpu.load_seg_real(SegReg::Es, 0);
                pc.cpu.load_seg_real(SegReg::Ss, 0);
                pc.cpu.regs[4] = 0x7C00;
                pc.cpu.eip = off as u32;
                pc.cpu.set_dx(drive as u16);
                pc.cpu.set_eflags(0x0202);
                return Flow::Done;
            }
            Err(why) => {
                if pc.bios.messages.last() != Some(&why) {
                    pc.bios.messages.push(why);
                }
            }
        }
    }
    int18(pc)
}

/// INT 18h: nothing to boot. Say so on the screen and wait for a key, then try again.
pub fn int18(pc: &mut Pc) -> Flow {
    let msg = "No bootable disk. Insert a disk in A:, C: or the CD-ROM drive and press a key.";
    if pc.bios.messages.last().map(String::as_str) != Some(msg) {
        pc.bios.messages.push(msg.to_string());
        super::video::print_message(pc, msg);
    }
    // Wait for a key, then boot again (through the INT 19h stub).
    if super::keyboard::take_key(pc).is_none() {
        return Flow::WaitAt(ROM_SEG, 0xE6F2);
    }
    int19(pc)
}
