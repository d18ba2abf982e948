//! INT 13h, the disk BIOS, for the floppy drives (00h, 01h) and the ATA hard disks (80h, 81h),
//! and the El Torito CD-ROM boot.
//!
//! El Torito: [`cd_boot`] loads the initial entry of the CD's boot catalog. With no emulation
//! the CD is drive E0h ([`CD_DRIVE`]): INT 13h AH=41h/42h/48h read it in 2048-byte sectors, and
//! AH=4Bh returns the specification packet (AL=01h) or also ends emulation (AL=00h). With
//! floppy emulation the image becomes drive 00h (CHS reads through the ordinary floppy code,
//! write-protected) and a real A: moves to 01h, until AH=4B00h ends the emulation.
//!
//! As a high-level BIOS it works on the disk images directly rather than through the
//! controllers' ports, but keeps what a guest can see consistent: the floppy controller's head
//! position and disk change line follow the accesses, the motor runs (and INT 08h turns it off),
//! and the BIOS data area holds the status bytes, the controller result bytes and the media
//! state as a PC/AT BIOS leaves them. The checks a real BIOS makes are made: CHS limits, write
//! protection, no disk (timeout), and DMA transfers that would cross a 64 KiB boundary.
//!
//! Tables: the diskette parameter table at the IBM address F000:EFC7 (INT 1Eh) plus one per
//! floppy format in the ROM's disk area (F000:8000-9FFF), fixed disk parameter tables for
//! INT 41h/46h and EDD device parameter table extensions there too.

use super::post::bda;
use super::{seg_base, set_carry, Flow, Pc, Regs, ROM_BASE, ROM_SEG};
use crate::board::Board;
use crate::cdrom::{BootEntry, BootMedia, CD_SECTOR_SIZE};
use crate::devices::fdc::drive_accepts;
use crate::disk::{
    DiskImage, DiskKind, FloppyFormat, Geometry, IoError, FLOPPY_FORMATS, SECTOR_SIZE,
};
use cpu::{Bus, SegReg};

/// The IBM diskette parameter table address (offset in the ROM segment).
pub const DPT_IBM: u16 = 0xEFC7;
/// Fixed disk parameter tables (INT 41h, INT 46h), 16 bytes each.
const FDPT: u16 = 0x8000;
/// EDD device parameter table extensions, 16 bytes each.
const DPTE: u16 = 0x8020;
/// Diskette parameter tables, one per entry of [`FLOPPY_FORMATS`], 16 bytes each.
const DPT_FORMATS: u16 = 0x8100;

// BIOS data area bytes of the disk BIOS.
const RECAL_STATUS: u32 = 0x43E;
const MOTOR_STATUS: u32 = 0x43F;
const MOTOR_COUNT: u32 = 0x440;
const FLOPPY_STATUS: u32 = 0x441;
const FDC_RESULT: u32 = 0x442;
const HD_STATUS: u32 = 0x474;
const HD_COUNT: u32 = 0x475;
const HD_CONTROL: u32 = 0x476;
const FLOPPY_RATE: u32 = 0x48B;
const FLOPPY_INFO: u32 = 0x48F;
const FLOPPY_MEDIA: u32 = 0x490;

// Status codes.
const OK: u8 = 0x00;
const BAD_COMMAND: u8 = 0x01;
const WRITE_PROTECTED: u8 = 0x03;
const SECTOR_NOT_FOUND: u8 = 0x04;
const CHANGED: u8 = 0x06;
const DMA_BOUNDARY: u8 = 0x09;
const MEDIA_UNSUPPORTED: u8 = 0x0C;
const SEEK_FAILED: u8 = 0x40;
const TIMEOUT: u8 = 0x80;

/// Motor-off delay in ticks (the DPT's byte 2: about two seconds).
const MOTOR_TICKS: u8 = 0x25;

/// The BIOS drive number of the CD-ROM (El Torito no-emulation boot).
pub const CD_DRIVE: u8 = 0xE0;

#[derive(Debug, Clone, Default)]
pub struct DiskState {
    /// Media chosen for the next format, per floppy drive (AH=17h/18h).
    pub format_media: [Option<FloppyFormat>; 2],
    /// The El Torito entry the machine booted from, and the drive number it was given.
    pub cd_boot: Option<(BootEntry, u8)>,
    /// The emulated floppy (drive 00h) while floppy emulation is active.
    pub emulated: Option<DiskImage>,
}

/// The 16-byte diskette parameter table for a format: the eleven classic bytes, then the
/// maximum track, the data rate (CCR code) and the CMOS drive type.
fn dpt(f: &FloppyFormat) -> [u8; 16] {
    let rate = match f.rate_kbps {
        500 => 0,
        300 => 1,
        250 => 2,
        _ => 3,
    };
    [
        0xDF,
        0x02,
        MOTOR_TICKS,
        0x02,
        f.geometry.sectors as u8,
        f.gap,
        0xFF,
        f.format_gap,
        0xF6,
        0x0F,
        0x08,
        (f.geometry.cylinders - 1) as u8,
        rate,
        f.drive_type,
        0,
        0,
    ]
}

/// The format a drive type reads at its best (what AH=08h reports).
fn native_format(drive_type: u8) -> &'static FloppyFormat {
    let i = match drive_type {
        1 => 3,
        2 => 5,
        3 => 4,
        5 => 9,
        _ => 6,
    };
    &FLOPPY_FORMATS[i]
}

fn format_index(f: &FloppyFormat) -> Option<usize> {
    FLOPPY_FORMATS.iter().position(|x| x == f)
}

/// Put the disk BIOS's tables (diskette parameters) into the ROM image.
pub fn install_rom(image: &mut [u8]) {
    let at = DPT_IBM as usize;
    if let Some(t) = image.get_mut(at..at + 11) {
        t.copy_from_slice(&dpt(&FLOPPY_FORMATS[6])[..11]);
    }
    for (i, f) in FLOPPY_FORMATS.iter().enumerate() {
        let at = DPT_FORMATS as usize + 16 * i;
        if let Some(t) = image.get_mut(at..at + 16) {
            t.copy_from_slice(&dpt(f));
        }
    }
}

fn set_vector(pc: &mut Pc, n: u8, seg: u16, off: u16) {
    pc.board.mem.write16(n as u32 * 4, off);
    pc.board.mem.write16(n as u32 * 4 + 2, seg);
}

/// The ATA device index of BIOS hard disk `dl` (80h = the first disk present).
fn hd_index(pc: &Pc, dl: u8) -> Option<usize> {
    let n = dl.checked_sub(0x80)? as usize;
    (0..2)
        .filter(|&i| pc.board.ata.drives[i].is_hard_disk())
        .nth(n)
}

fn hd_image(pc: &Pc, dl: u8) -> Option<&DiskImage> {
    let i = hd_index(pc, dl)?;
    pc.board.ata.drives[i].image.as_ref()
}

fn hd_image_mut(pc: &mut Pc, dl: u8) -> Option<&mut DiskImage> {
    let i = hd_index(pc, dl)?;
    pc.board.ata.drives[i].image.as_mut()
}

fn hd_count(pc: &Pc) -> u8 {
    pc.board
        .ata
        .drives
        .iter()
        .filter(|d| d.is_hard_disk())
        .count() as u8
}

fn floppy_count(pc: &Pc) -> u8 {
    pc.board.fdc.drives.iter().filter(|d| d.installed()).count() as u8
}

/// Media state byte (40:90h + drive): data rate, established, media/drive combination.
fn media_state(drive_type: u8, img: Option<&DiskImage>) -> u8 {
    let Some(f) = img.and_then(DiskImage::floppy_format) else {
        return 0;
    };
    let (rate, state) = match (f.rate_kbps, drive_type) {
        (250, 1) => (0x80, 3),
        (250, 2) => (0x40, 4),
        (500, 2) => (0x00, 5),
        (250, _) => (0x80, 7),
        (500, _) => (0x00, 7),
        _ => (0xC0, 7),
    };
    rate | 0x10 | state
}

/// Power-on: reset the floppy controller as a BIOS leaves it, fill the BDA, the CMOS drive
/// bytes and the disk parameter tables.
pub fn post_init(pc: &mut Pc) {
    pc.bios.disk.cd_boot = None;
    pc.bios.disk.emulated = None;
    pc.board.fdc.firmware_init();
    let floppies = floppy_count(pc);
    let types = [
        pc.board.fdc.drives[0].drive_type,
        pc.board.fdc.drives[1].drive_type,
    ];
    let m = &mut pc.board.mem;
    let mut equipment = m.read16(bda::EQUIPMENT) & !0x00C1;
    if floppies > 0 {
        equipment |= 1 | ((floppies as u16 - 1) << 6);
    }
    m.write16(bda::EQUIPMENT, equipment);
    for a in [
        RECAL_STATUS,
        MOTOR_STATUS,
        MOTOR_COUNT,
        FLOPPY_STATUS,
        HD_STATUS,
    ] {
        m.write8(a, 0);
    }
    m.write8(FLOPPY_RATE, 0);
    let info = |t: u8| match t {
        0 => 0,
        1 => 0x04,
        _ => 0x07,
    };
    m.write8(FLOPPY_INFO, info(types[0]) | info(types[1]) << 4);
    for (d, &t) in types.iter().enumerate() {
        let st = media_state(t, pc.board.fdc.drives[d].image.as_ref());
        pc.board.mem.write8(FLOPPY_MEDIA + d as u32, st);
    }
    set_vector(pc, 0x1E, ROM_SEG, DPT_IBM);

    let hds = hd_count(pc);
    let m = &mut pc.board.mem;
    m.write8(HD_COUNT, hds);
    m.write8(HD_CONTROL, 0);
    configure_cmos(&mut pc.board);
    for n in 0..2u8 {
        let geometry = hd_index(pc, 0x80 + n)
            .and_then(|i| pc.board.ata.drives[i].image.as_ref())
            .map(|img| (img.geometry(), img.bios_geometry()));
        let fdpt_off = FDPT + 16 * n as u16;
        let dpte_off = DPTE + 16 * n as u16;
        if let Some((phys, logical)) = geometry {
            let t = fdpt(phys, logical);
            pc.board.mem.write_bytes(ROM_BASE + fdpt_off as u32, &t);
            let index = hd_index(pc, 0x80 + n).unwrap_or(0) as u8;
            let e = dpte(index, phys != logical);
            pc.board.mem.write_bytes(ROM_BASE + dpte_off as u32, &e);
        } else {
            pc.board
                .mem
                .write_bytes(ROM_BASE + fdpt_off as u32, &[0; 16]);
        }
        set_vector(pc, if n == 0 { 0x41 } else { 0x46 }, ROM_SEG, fdpt_off);
    }
}

/// The drive configuration in CMOS (what a BIOS setup program stores): floppy drive types
/// (10h), the equipment byte's floppy bits (14h), hard disk types (12h, 19h, 1Ah: 47 =
/// user-defined) with their parameters (1Bh-23h, 24h-2Ch), and the checksum. Called at POST
/// and whenever the host changes the drives, so firmware from a ROM image sees them too.
pub fn configure_cmos(board: &mut Board) {
    let types = [
        board.fdc.drives[0].drive_type,
        board.fdc.drives[1].drive_type,
    ];
    let floppies = types.iter().filter(|&&t| t != 0).count() as u8;
    let present: Vec<usize> = (0..2)
        .filter(|&i| board.ata.drives[i].is_hard_disk())
        .collect();
    let cmos = &mut board.cmos;
    cmos.set(0x10, types[0] << 4 | types[1]);
    let mut eq = cmos.ram[0x14] & !0xC1;
    if floppies > 0 {
        eq |= 1 | (floppies - 1) << 6;
    }
    cmos.set(0x14, eq);
    let mut hd_types = 0u8;
    for n in 0..2u8 {
        let base = 0x1B + 9 * n;
        let geometry = present
            .get(n as usize)
            .and_then(|&i| board.ata.drives[i].image.as_ref())
            .map(DiskImage::geometry);
        let cmos = &mut board.cmos;
        match geometry {
            Some(g) => {
                hd_types |= 0xF0 >> (4 * n);
                cmos.set(0x19 + n, 47);
                let c = g.cylinders as u16;
                let params = [
                    c as u8,
                    (c >> 8) as u8,
                    g.heads as u8,
                    0xFF,
                    0xFF,
                    if g.heads > 8 { 0x08 } else { 0 },
                    c as u8,
                    (c >> 8) as u8,
                    g.sectors as u8,
                ];
                for (i, v) in params.into_iter().enumerate() {
                    cmos.set(base + i as u8, v);
                }
            }
            None => {
                cmos.set(0x19 + n, 0);
                for i in 0..9 {
                    cmos.set(base + i, 0);
                }
            }
        }
    }
    board.cmos.set(0x12, hd_types);
    board.cmos.update_checksum();
}

/// A fixed disk parameter table: the AT format, or Phoenix's translated format (signature
/// A0h, checksum) when the BIOS geometry differs from the drive's.
fn fdpt(phys: Geometry, logical: Geometry) -> [u8; 16] {
    let mut t = [0u8; 16];
    let lc = logical.cylinders as u16;
    let control = if phys.heads > 8 { 0x08 } else { 0 };
    if phys == logical {
        t[0..2].copy_from_slice(&lc.to_le_bytes());
        t[2] = logical.heads as u8;
        t[5..7].copy_from_slice(&0xFFFFu16.to_le_bytes());
        t[8] = control;
        t[12..14].copy_from_slice(&lc.to_le_bytes());
        t[14] = logical.sectors as u8;
    } else {
        let pc_ = phys.cylinders as u16;
        t[0..2].copy_from_slice(&lc.to_le_bytes());
        t[2] = logical.heads as u8;
        t[3] = 0xA0;
        t[4] = phys.sectors as u8;
        t[5..7].copy_from_slice(&0xFFFFu16.to_le_bytes());
        t[8] = control;
        t[9..11].copy_from_slice(&pc_.to_le_bytes());
        t[11] = phys.heads as u8;
        t[12..14].copy_from_slice(&pc_.to_le_bytes());
        t[14] = logical.sectors as u8;
        let sum = t[..15].iter().fold(0u8, |a, &b| a.wrapping_add(b));
        t[15] = sum.wrapping_neg();
    }
    t
}

/// An EDD 1.1 device parameter table extension for ATA device `index` on the primary channel.
fn dpte(index: u8, translated: bool) -> [u8; 16] {
    let mut t = [0u8; 16];
    t[0..2].copy_from_slice(&0x1F0u16.to_le_bytes());
    t[2..4].copy_from_slice(&0x3F6u16.to_le_bytes());
    t[4] = 0xA0 | 0x40 | (index & 1) << 4;
    t[6] = 14;
    let flags: u16 = 0x0010 | if translated { 0x0008 | 0x0200 } else { 0 };
    t[10..12].copy_from_slice(&flags.to_le_bytes());
    t[14] = 0x11;
    let sum = t[..15].iter().fold(0u8, |a, &b| a.wrapping_add(b));
    t[15] = sum.wrapping_neg();
    t
}

/// The boot sector of BIOS drive `drive` (00h = A:, 80h = C:), if it has a bootable disk.
pub fn boot_sector(pc: &mut Pc, drive: u8) -> Result<Vec<u8>, String> {
    if drive < 0x80 {
        let letter = (b'A' + drive) as char;
        let d = drive as usize;
        let dr = pc
            .board
            .fdc
            .drives
            .get(d)
            .filter(|dr| dr.installed())
            .ok_or_else(|| format!("there is no drive {letter}:"))?;
        let img = dr
            .image
            .as_ref()
            .ok_or_else(|| format!("no disk in drive {letter}:"))?;
        if !img.boot_sector_plausible() {
            return Err(format!(
                "the disk in {letter}: is not bootable: its first sector is blank"
            ));
        }
        let s = img
            .read(0, 1)
            .map_err(|_| format!("cannot read the disk in {letter}:"))?
            .to_vec();
        motor_on(pc, d, false);
        pc.board.fdc.firmware_seek(d, 0);
        pc.board.mem.write8(FLOPPY_STATUS, OK);
        return Ok(s);
    }
    let img = hd_image(pc, drive).ok_or_else(|| format!("there is no hard disk {drive:02X}h"))?;
    let s = img
        .read(0, 1)
        .map_err(|_| format!("cannot read hard disk {drive:02X}h"))?
        .to_vec();
    Ok(s)
}

/// Set AH and CF for the caller and remember the status in the BDA.
fn ret(pc: &mut Pc, dl: u8, status: u8) -> Flow {
    pc.cpu.set_ah(status);
    set_carry(pc, status != OK);
    let at = if dl < 0x80 { FLOPPY_STATUS } else { HD_STATUS };
    pc.board.mem.write8(at, status);
    Flow::Done
}

/// Turn the floppy motor on (the INT 08h handler turns it off when the count runs out).
fn motor_on(pc: &mut Pc, d: usize, write: bool) {
    let m = &mut pc.board.mem;
    let st = m.read8(MOTOR_STATUS) & 0x0F;
    m.write8(MOTOR_STATUS, st | 1 << d | if write { 0x80 } else { 0 });
    m.write8(MOTOR_COUNT, MOTOR_TICKS);
    let recal = m.read8(RECAL_STATUS);
    m.write8(RECAL_STATUS, recal | 1 << d);
    pc.board.port_write(0x3F2, 0x0C | d as u8 | 0x10 << d);
    pc.board.sys.stop_cpu = false;
}

/// Linear address of ES:BX.
fn es_bx(pc: &Pc) -> u32 {
    seg_base(&pc.cpu, SegReg::Es).wrapping_add(pc.cpu.bx() as u32)
}

/// Copy bytes into guest memory as DMA or the BIOS's string moves would: through the A20
/// gate, into the VGA window through the bus, never into the system BIOS ROM; RAM writes are
/// recorded so the CPU drops decoded code they replace.
fn store(pc: &mut Pc, linear: u32, data: &[u8]) {
    let mask = pc.board.mem.a20_mask;
    let mut i = 0usize;
    while i < data.len() {
        let a = linear.wrapping_add(i as u32) & mask;
        let room = 0x8000 - (a & 0x7FFF) as usize;
        let n = room.min(data.len() - i);
        let chunk = &data[i..i + n];
        match a {
            0xA0000..=0xBFFFF => {
                for (k, &b) in chunk.iter().enumerate() {
                    pc.board.write8(a + k as u32, b);
                }
            }
            0xF0000..=0xFFFFF => {}
            _ => pc.board.mem.write_bytes(a, chunk),
        }
        i += n;
    }
}

/// Copy bytes out of guest memory (the mirror of [`store`]).
fn load(pc: &mut Pc, linear: u32, len: usize) -> Vec<u8> {
    let mask = pc.board.mem.a20_mask;
    let mut out = vec![0u8; len];
    let mut i = 0usize;
    while i < len {
        let a = linear.wrapping_add(i as u32) & mask;
        let room = 0x8000 - (a & 0x7FFF) as usize;
        let n = room.min(len - i);
        if (0xA0000..0xC0000).contains(&a) {
            for k in 0..n {
                out[i + k] = pc.board.read8(a + k as u32);
            }
        } else {
            pc.board.mem.read_bytes(a, &mut out[i..i + n]);
        }
        i += n;
    }
    out
}

pub fn int13(pc: &mut Pc) -> Flow {
    let dl = pc.cpu.dl();
    if pc.bios.disk.emulated.is_some() && dl < 0x80 {
        return if dl == 0 {
            emulated_floppy(pc)
        } else {
            shifted_floppy(pc, dl)
        };
    }
    if dl == CD_DRIVE && pc.has_cdrom_drive() {
        return cd(pc);
    }
    if dl < 0x80 {
        floppy(pc, dl)
    } else {
        hard_disk(pc, dl)
    }
}

/// Floppy drives the BIOS reports while a floppy is emulated: the emulated one and A:.
fn emulated_floppy_count(pc: &Pc) -> u8 {
    (floppy_count(pc) + 1).min(2)
}

/// INT 13h on drive 00h during floppy emulation: the ordinary floppy code, run with the
/// emulated image in drive 0 for the length of the call.
fn emulated_floppy(pc: &mut Pc) -> Flow {
    let ah = pc.cpu.ah();
    if ah == 0x4B {
        return emulation_status(pc, 0);
    }
    let Some(img) = pc.bios.disk.emulated.take() else {
        return ret(pc, 0, BAD_COMMAND);
    };
    let drive_type = img.floppy_format().map_or(4, |f| f.drive_type);
    let dr = &mut pc.board.fdc.drives[0];
    let saved_type = std::mem::replace(&mut dr.drive_type, drive_type);
    let saved_changed = std::mem::replace(&mut dr.changed, false);
    let saved_image = dr.image.replace(img);
    let flow = floppy(pc, 0);
    let dr = &mut pc.board.fdc.drives[0];
    pc.bios.disk.emulated = std::mem::replace(&mut dr.image, saved_image);
    dr.drive_type = saved_type;
    dr.changed = saved_changed;
    if ah == 0x08 {
        let n = emulated_floppy_count(pc);
        pc.cpu.set_dl(n);
    }
    flow
}

/// INT 13h on drive 01h during floppy emulation: the real A:.
fn shifted_floppy(pc: &mut Pc, dl: u8) -> Flow {
    let ah = pc.cpu.ah();
    if dl != 1 {
        return ret(pc, dl, BAD_COMMAND);
    }
    pc.cpu.set_dl(0);
    let flow = floppy(pc, 0);
    if ah == 0x08 {
        let n = emulated_floppy_count(pc);
        pc.cpu.set_dl(n);
    } else {
        pc.cpu.set_dl(1);
    }
    flow
}

/// AH=4Bh: AL=01h return the El Torito specification packet at DS:SI; AL=00h also end the
/// emulation (DL = the emulated drive, or 7Fh for any).
fn emulation_status(pc: &mut Pc, dl: u8) -> Flow {
    let al = pc.cpu.al();
    let Some((e, drive)) = pc.bios.disk.cd_boot else {
        return ret(pc, dl, BAD_COMMAND);
    };
    if al > 1 {
        return ret(pc, dl, BAD_COMMAND);
    }
    let media = match e.media {
        BootMedia::NoEmulation => 0u8,
        BootMedia::Floppy { sectors: 2400 } => 1,
        BootMedia::Floppy { sectors: 5760 } => 3,
        BootMedia::Floppy { .. } => 2,
        BootMedia::HardDisk => 4,
    };
    let g = pc
        .bios
        .disk
        .emulated
        .as_ref()
        .map_or(Geometry::new(0, 0, 0), DiskImage::geometry);
    let max_c = g.cylinders.saturating_sub(1);
    let mut p = [0u8; 0x13];
    p[0] = 0x13;
    p[1] = media | 0x40; // ATAPI
    p[2] = drive;
    p[3] = 1; // secondary channel
    p[4..8].copy_from_slice(&e.lba.to_le_bytes());
    p[8..10].copy_from_slice(&0u16.to_le_bytes()); // master
    p[0x0C..0x0E].copy_from_slice(&e.load_segment.to_le_bytes());
    p[0x0E..0x10].copy_from_slice(&e.sector_count.to_le_bytes());
    p[0x10] = max_c as u8;
    p[0x11] = (g.sectors as u8 & 0x3F) | ((max_c >> 2) as u8 & 0xC0);
    p[0x12] = g.heads.saturating_sub(1) as u8;
    let at = seg_base(&pc.cpu, SegReg::Ds).wrapping_add(pc.cpu.regs[6] & 0xFFFF);
    store(pc, at, &p);
    if al == 0 && (dl == drive || dl == 0x7F) {
        pc.bios.disk.emulated = None;
        pc.bios.disk.cd_boot = None;
    }
    ret(pc, dl, OK)
}

/// INT 13h on the CD-ROM (drive E0h): 2048-byte sectors through the EDD functions.
fn cd(pc: &mut Pc) -> Flow {
    let dl = CD_DRIVE;
    let ah = pc.cpu.ah();
    let total = pc.cdrom_image().map(crate::cdrom::CdImage::sectors);
    match ah {
        0x00 | 0x0D | 0x10 => ret(pc, dl, if total.is_some() { OK } else { 0xAA }),
        0x01 => {
            let st = pc.board.mem.read8(HD_STATUS);
            pc.cpu.set_ah(st);
            set_carry(pc, st != OK);
            Flow::Done
        }
        0x41 => {
            if pc.cpu.bx() != 0x55AA {
                return ret(pc, dl, BAD_COMMAND);
            }
            pc.cpu.set_bx(0xAA55);
            pc.cpu.set_cx(0x0001);
            pc.board.mem.write8(HD_STATUS, OK);
            pc.cpu.set_ah(0x21);
            set_carry(pc, false);
            Flow::Done
        }
        0x42 | 0x44 | 0x47 | 0x48 => {
            let Some(total) = total else {
                return ret(pc, dl, 0xAA);
            };
            let packet = seg_base(&pc.cpu, SegReg::Ds).wrapping_add(pc.cpu.regs[6] & 0xFFFF);
            if ah == 0x48 {
                let size = pc.board.mem.read16(packet);
                if size < 0x1A {
                    return ret(pc, dl, BAD_COMMAND);
                }
                let n: u16 = if size >= 0x1E { 0x1E } else { 0x1A };
                let mut r = Vec::with_capacity(0x1E);
                r.extend_from_slice(&n.to_le_bytes());
                r.extend_from_slice(&0x0074u16.to_le_bytes()); // removable, change line, lockable, no CHS
                r.extend_from_slice(&[0u8; 12]);
                r.extend_from_slice(&total.to_le_bytes());
                r.extend_from_slice(&(CD_SECTOR_SIZE as u16).to_le_bytes());
                if n == 0x1E {
                    r.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
                }
                store(pc, packet, &r);
                return ret(pc, dl, OK);
            }
            let size = pc.board.mem.read8(packet);
            if size < 0x10 {
                return ret(pc, dl, BAD_COMMAND);
            }
            let count = pc.board.mem.read16(packet + 2) as u64;
            let off = pc.board.mem.read16(packet + 4);
            let seg = pc.board.mem.read16(packet + 6);
            let lba = pc.board.mem.read32(packet + 8) as u64
                | (pc.board.mem.read32(packet + 12) as u64) << 32;
            let mut buf = ((seg as u32) << 4).wrapping_add(off as u32);
            if size >= 0x18 && seg == 0xFFFF && off == 0xFFFF {
                buf = pc.board.mem.read32(packet + 16);
            }
            if ah == 0x47 {
                return ret(pc, dl, if lba < total { OK } else { SECTOR_NOT_FOUND });
            }
            let n = count.min(total.saturating_sub(lba));
            if ah == 0x42 && n > 0 {
                let data = pc
                    .cdrom_image()
                    .and_then(|i| i.read(lba, n))
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                store(pc, buf, &data);
            }
            pc.board.mem.write16(packet + 2, n as u16);
            ret(pc, dl, if n == count { OK } else { SECTOR_NOT_FOUND })
        }
        0x4B => emulation_status(pc, dl),
        0x15 => {
            pc.cpu.set_ah(0x02);
            pc.board.mem.write8(HD_STATUS, OK);
            set_carry(pc, false);
            Flow::Done
        }
        0x43 => ret(pc, dl, WRITE_PROTECTED),
        _ => ret(pc, dl, BAD_COMMAND),
    }
}

/// El Torito boot: load the initial entry of the CD's boot catalog. Returns the CS:IP to
/// start and the drive number for DL, or why the CD does not boot.
pub fn cd_boot(pc: &mut Pc) -> Result<(u16, u16, u8), String> {
    let img = pc
        .cdrom_image()
        .ok_or_else(|| "there is no disc in the CD-ROM drive".to_string())?;
    let e = img.boot_entry().map_err(|e| e.to_string())?;
    match e.media {
        BootMedia::NoEmulation => {
            let seg = if e.load_segment == 0 {
                0x07C0
            } else {
                e.load_segment
            };
            let bytes = e.sector_count.max(1) as usize * SECTOR_SIZE;
            let sectors = bytes.div_ceil(CD_SECTOR_SIZE) as u64;
            let data = img
                .read(e.lba as u64, sectors)
                .ok_or("the CD's boot image is past the end of the disc")?;
            let data = data[..bytes].to_vec();
            let at = (seg as u32) << 4;
            if at as usize + bytes > (EBDA_LIMIT as usize) || at < 0x500 {
                return Err(format!(
                    "the CD's boot image ({bytes} bytes at {seg:04X}:0000) does not fit in                      conventional memory"
                ));
            }
            store(pc, at, &data);
            pc.bios.disk.cd_boot = Some((e, CD_DRIVE));
            Ok((seg, 0, CD_DRIVE))
        }
        BootMedia::Floppy { sectors } => {
            let bytes = img
                .read_bytes(e.lba as u64 * CD_SECTOR_SIZE as u64, sectors as usize * 512)
                .ok_or("the CD's floppy image is past the end of the disc")?
                .to_vec();
            let mut fl = DiskImage::from_bytes(bytes, Some(DiskKind::Floppy))
                .map_err(|e| format!("the CD's floppy image: {e}"))?;
            fl.set_writable(false);
            let seg = if e.load_segment == 0 {
                0x07C0
            } else {
                e.load_segment
            };
            let boot = fl
                .read(0, 1)
                .map_err(|_| "the CD's floppy image is empty")?
                .to_vec();
            store(pc, (seg as u32) << 4, &boot);
            pc.bios.disk.emulated = Some(fl);
            pc.bios.disk.cd_boot = Some((e, 0x00));
            // The equipment word counts the emulated drive.
            let n = emulated_floppy_count(pc) as u16;
            let eq = pc.board.mem.read16(bda::EQUIPMENT) & !0x00C1;
            pc.board.mem.write16(bda::EQUIPMENT, eq | 1 | (n - 1) << 6);
            Ok((seg, 0, 0x00))
        }
        BootMedia::HardDisk => {
            Err("the CD boots by hard disk emulation, which this BIOS does not offer".into())
        }
    }
}

/// Top of conventional memory a boot image may use (the EBDA starts there).
const EBDA_LIMIT: u32 = (super::EBDA_SEG as u32) << 4;

/// Whether a floppy transfer of `bytes` to or from ES:BX would cross a 64 KiB DMA page.
fn crosses_dma_page(linear: u32, bytes: usize) -> bool {
    (linear & 0xFFFF) as usize + bytes > 0x10000
}

/// Record the controller result bytes in the BDA (40:42h), as after a real command.
fn fdc_result(pc: &mut Pc, d: usize, ok: bool, chs: (u8, u8, u8)) {
    let st0 = (chs.1 & 1) << 2 | d as u8 | if ok { 0 } else { 0x40 };
    let bytes = [st0, if ok { 0 } else { 0x04 }, 0, chs.0, chs.1, chs.2, 2];
    pc.board.mem.write_bytes(FDC_RESULT, &bytes);
}

fn floppy(pc: &mut Pc, dl: u8) -> Flow {
    let ah = pc.cpu.ah();
    let d = dl as usize;
    let installed = pc.board.fdc.drives.get(d).is_some_and(|dr| dr.installed());
    match ah {
        0x00 => {
            // Reset the controller: the next access recalibrates.
            pc.board.mem.write8(RECAL_STATUS, 0);
            ret(pc, dl, if d < 4 { OK } else { BAD_COMMAND })
        }
        0x01 => {
            let st = pc.board.mem.read8(FLOPPY_STATUS);
            pc.cpu.set_ah(st);
            set_carry(pc, st != OK);
            Flow::Done
        }
        0x08 => {
            let count = floppy_count(pc);
            if !installed {
                pc.cpu.set_ax(0);
                pc.cpu.set_bx(0);
                pc.cpu.set_cx(0);
                pc.cpu.set_dx(count as u16);
                pc.cpu.load_seg_real(SegReg::Es, 0);
                pc.cpu.regs[7] &= 0xFFFF_0000;
                if d > 1 {
                    return ret(pc, dl, BAD_COMMAND);
                }
                set_carry(pc, false);
                return Flow::Done;
            }
            let t = pc.board.fdc.drives[d].drive_type;
            let f = native_format(t);
            let g = f.geometry;
            pc.cpu.set_ax(0);
            pc.cpu.set_bx(if t == 5 { 6 } else { t as u16 });
            pc.cpu.set_ch((g.cylinders - 1) as u8);
            pc.cpu.set_cl(g.sectors as u8);
            pc.cpu.set_dh((g.heads - 1) as u8);
            pc.cpu.set_dl(count);
            pc.cpu.load_seg_real(SegReg::Es, ROM_SEG);
            let off = format_index(f).map_or(DPT_IBM, |i| DPT_FORMATS + 16 * i as u16);
            pc.cpu.regs[7] = (pc.cpu.regs[7] & 0xFFFF_0000) | off as u32;
            ret(pc, dl, OK)
        }
        0x15 => {
            let t = if !installed {
                0
            } else if pc.board.fdc.drives[d].drive_type == 1 {
                1
            } else {
                2
            };
            pc.cpu.set_ah(t);
            set_carry(pc, false);
            pc.board.mem.write8(FLOPPY_STATUS, OK);
            Flow::Done
        }
        0x16 => {
            if !installed {
                return ret(pc, dl, BAD_COMMAND);
            }
            let dr = &pc.board.fdc.drives[d];
            let changed = dr.drive_type == 1 || dr.changed || dr.image.is_none();
            ret(pc, dl, if changed { CHANGED } else { OK })
        }
        0x17 => {
            if !installed {
                return ret(pc, dl, BAD_COMMAND);
            }
            let f = match pc.cpu.al() {
                1 | 2 => FLOPPY_FORMATS[3],
                3 => FLOPPY_FORMATS[5],
                4 => FLOPPY_FORMATS[4],
                _ => return ret(pc, dl, BAD_COMMAND),
            };
            let t = pc.board.fdc.drives[d].drive_type;
            if !drive_accepts(t, &f) {
                return ret(pc, dl, BAD_COMMAND);
            }
            pc.bios.disk.format_media[d.min(1)] = Some(f);
            ret(pc, dl, OK)
        }
        0x18 => {
            if !installed {
                return ret(pc, dl, BAD_COMMAND);
            }
            if pc.board.fdc.drives[d].image.is_none() {
                return ret(pc, dl, TIMEOUT);
            }
            let max_track = pc.cpu.ch() as u32 | (pc.cpu.cl() as u32 & 0xC0) << 2;
            let spt = (pc.cpu.cl() & 0x3F) as u32;
            let t = pc.board.fdc.drives[d].drive_type;
            let found = FLOPPY_FORMATS.iter().enumerate().find(|(_, f)| {
                f.geometry.cylinders == max_track + 1
                    && f.geometry.sectors == spt
                    && f.geometry.heads == 2
                    && drive_accepts(t, f)
            });
            match found {
                Some((i, f)) => {
                    pc.bios.disk.format_media[d.min(1)] = Some(*f);
                    pc.cpu.load_seg_real(SegReg::Es, ROM_SEG);
                    let off = DPT_FORMATS + 16 * i as u16;
                    pc.cpu.regs[7] = (pc.cpu.regs[7] & 0xFFFF_0000) | off as u32;
                    ret(pc, dl, OK)
                }
                None => ret(pc, dl, MEDIA_UNSUPPORTED),
            }
        }
        0x02..=0x05 | 0x0C | 0x41..=0x44 | 0x47 | 0x48 => {
            if !installed {
                if ah == 0x41 {
                    return ret(pc, dl, BAD_COMMAND);
                }
                pc.cpu.set_al(0);
                return ret(pc, dl, BAD_COMMAND);
            }
            if ah == 0x41 {
                return edd_check(pc, dl, false);
            }
            if pc.board.fdc.drives[d].image.is_none() {
                if ah <= 0x05 {
                    pc.cpu.set_al(0);
                }
                return ret(pc, dl, TIMEOUT);
            }
            match ah {
                0x02..=0x04 => floppy_rw(pc, d, ah),
                0x05 => floppy_format(pc, d),
                0x0C => {
                    let c = pc.cpu.ch();
                    let ok = pc.board.fdc.drives[d]
                        .image
                        .as_ref()
                        .is_some_and(|i| (c as u32) < i.geometry().cylinders);
                    motor_on(pc, d, false);
                    if ok {
                        pc.board.fdc.firmware_seek(d, c);
                    }
                    ret(pc, dl, if ok { OK } else { SEEK_FAILED })
                }
                _ => edd(pc, dl, ah),
            }
        }
        _ => ret(pc, dl, BAD_COMMAND),
    }
}

/// AH=02h read, 03h write, 04h verify on a floppy: CHS in CH/CL/DH, AL sectors, ES:BX buffer.
/// Like the controller with multi-track set, a transfer may continue onto head 1 but not past
/// the end of the cylinder.
fn floppy_rw(pc: &mut Pc, d: usize, ah: u8) -> Flow {
    let dl = d as u8;
    let count = pc.cpu.al() as u32;
    let (c, s, h) = (pc.cpu.ch() as u32, pc.cpu.cl() as u32, pc.cpu.dh() as u32);
    let buf = es_bx(pc);
    let Some(img) = pc.board.fdc.drives[d].image.as_ref() else {
        pc.cpu.set_al(0);
        return ret(pc, dl, TIMEOUT);
    };
    let g = img.geometry();
    let protected = !img.is_writable();
    pc.cpu.set_al(0);
    if count == 0 || count > 128 {
        return ret(pc, dl, BAD_COMMAND);
    }
    motor_on(pc, d, ah == 0x03);
    if g.chs_to_lba(c, h, s).is_none() {
        fdc_result(pc, d, false, (c as u8, h as u8, s as u8));
        return ret(pc, dl, SECTOR_NOT_FOUND);
    }
    pc.board.fdc.firmware_seek(d, c as u8);
    if ah != 0x04 && crosses_dma_page(buf, count as usize * SECTOR_SIZE) {
        return ret(pc, dl, DMA_BOUNDARY);
    }
    if ah == 0x03 && protected {
        fdc_result(pc, d, false, (c as u8, h as u8, s as u8));
        return ret(pc, dl, WRITE_PROTECTED);
    }
    // Sectors to the end of the cylinder.
    let lba = g.chs_to_lba(c, h, s).unwrap_or(0);
    let room = (g.heads - h) * g.sectors - (s - 1);
    let n = count.min(room);
    let status = floppy_move(pc, d, ah, lba, n, buf);
    if status != OK {
        return ret(pc, dl, status);
    }
    pc.cpu.set_al(n as u8);
    let next = lba + n as u64;
    let (nc, nh, ns) = (
        (next / (g.heads * g.sectors) as u64) as u8,
        ((next / g.sectors as u64) % g.heads as u64) as u8,
        (next % g.sectors as u64) as u8 + 1,
    );
    fdc_result(pc, d, n == count, (nc, nh, ns));
    ret(pc, dl, if n == count { OK } else { SECTOR_NOT_FOUND })
}

/// Move `n` sectors between a floppy image and guest memory (or just check them, AH=04h).
fn floppy_move(pc: &mut Pc, d: usize, ah: u8, lba: u64, n: u32, buf: u32) -> u8 {
    let bytes = n as usize * SECTOR_SIZE;
    match ah {
        0x02 => {
            let data = pc.board.fdc.drives[d]
                .image
                .as_ref()
                .and_then(|i| i.read(lba, n as u64).ok())
                .map(<[u8]>::to_vec);
            match data {
                Some(data) => {
                    store(pc, buf, &data);
                    OK
                }
                None => SECTOR_NOT_FOUND,
            }
        }
        0x03 => {
            let data = load(pc, buf, bytes);
            match pc.board.fdc.drives[d]
                .image
                .as_mut()
                .map(|i| i.write(lba, &data))
            {
                Some(Ok(())) => OK,
                Some(Err(IoError::WriteProtected)) => WRITE_PROTECTED,
                _ => SECTOR_NOT_FOUND,
            }
        }
        _ => {
            let ok = pc.board.fdc.drives[d]
                .image
                .as_ref()
                .is_some_and(|i| i.read(lba, n as u64).is_ok());
            if ok {
                OK
            } else {
                SECTOR_NOT_FOUND
            }
        }
    }
}

/// AH=05h: format a floppy track from the address fields (C, H, R, N) at ES:BX; every
/// sector of the track named there is filled with the DPT's fill byte.
fn floppy_format(pc: &mut Pc, d: usize) -> Flow {
    let dl = d as u8;
    let count = pc.cpu.al() as usize;
    let (c, h) = (pc.cpu.ch() as u32, pc.cpu.dh() as u32);
    let fields = load(pc, es_bx(pc), count * 4);
    // The fill byte of the table INT 1Eh points at.
    let off = pc.board.mem.read16(0x1E * 4);
    let seg = pc.board.mem.read16(0x1E * 4 + 2);
    let fill = pc.board.mem.read8(((seg as u32) << 4) + off as u32 + 8);
    motor_on(pc, d, true);
    let Some(img) = pc.board.fdc.drives[d].image.as_mut() else {
        return ret(pc, dl, TIMEOUT);
    };
    let g = img.geometry();
    if !img.is_writable() {
        return ret(pc, dl, WRITE_PROTECTED);
    }
    if c >= g.cylinders || h >= g.heads {
        return ret(pc, dl, SECTOR_NOT_FOUND);
    }
    for f in fields.chunks_exact(4) {
        if f[3] == 2 {
            if let Some(lba) = g.chs_to_lba(c, h, f[2] as u32) {
                let _ = img.fill(lba, 1, fill);
            }
        }
    }
    pc.board.fdc.firmware_seek(d, c as u8);
    fdc_result(pc, d, true, (c as u8, h as u8, 1));
    ret(pc, dl, OK)
}

/// AH=41h: the extensions are present. Hard disks: fixed disk access and EDD (device
/// parameter table extension); floppies: fixed disk access only.
fn edd_check(pc: &mut Pc, dl: u8, hard: bool) -> Flow {
    if pc.cpu.bx() != 0x55AA {
        return ret(pc, dl, BAD_COMMAND);
    }
    pc.cpu.set_bx(0xAA55);
    pc.cpu.set_cx(if hard { 0x0005 } else { 0x0001 });
    let at = if dl < 0x80 { FLOPPY_STATUS } else { HD_STATUS };
    pc.board.mem.write8(at, OK);
    pc.cpu.set_ah(0x21);
    set_carry(pc, false);
    Flow::Done
}

/// The image behind BIOS drive `dl`.
fn image(pc: &Pc, dl: u8) -> Option<&DiskImage> {
    if dl < 0x80 {
        pc.board.fdc.drives.get(dl as usize)?.image.as_ref()
    } else {
        hd_image(pc, dl)
    }
}

fn image_mut(pc: &mut Pc, dl: u8) -> Option<&mut DiskImage> {
    if dl < 0x80 {
        pc.board.fdc.drives.get_mut(dl as usize)?.image.as_mut()
    } else {
        hd_image_mut(pc, dl)
    }
}

/// AH=42h-44h, 47h, 48h: the LBA functions, with the disk address packet (or the result
/// buffer) at DS:SI.
fn edd(pc: &mut Pc, dl: u8, ah: u8) -> Flow {
    let packet = seg_base(&pc.cpu, SegReg::Ds).wrapping_add(pc.cpu.regs[6] & 0xFFFF);
    let Some(img) = image(pc, dl) else {
        return ret(pc, dl, TIMEOUT);
    };
    let total = img.sectors();
    let writable = img.is_writable();
    let floppy = dl < 0x80;
    if ah == 0x48 {
        let g = img.geometry();
        let size = pc.board.mem.read16(packet);
        if size < 0x1A {
            return ret(pc, dl, BAD_COMMAND);
        }
        let n: u16 = if size >= 0x1E { 0x1E } else { 0x1A };
        let chs_valid = total <= 16383 * 16 * 63;
        let flags: u16 = if floppy {
            0x0002 | 0x0004 | 0x0010
        } else {
            0x0001 | if chs_valid { 0x0002 } else { 0 }
        };
        let mut r = Vec::with_capacity(0x1E);
        r.extend_from_slice(&n.to_le_bytes());
        r.extend_from_slice(&flags.to_le_bytes());
        r.extend_from_slice(&g.cylinders.to_le_bytes());
        r.extend_from_slice(&g.heads.to_le_bytes());
        r.extend_from_slice(&g.sectors.to_le_bytes());
        r.extend_from_slice(&total.to_le_bytes());
        r.extend_from_slice(&(SECTOR_SIZE as u16).to_le_bytes());
        if n == 0x1E {
            let ptr = match hd_index(pc, dl).filter(|_| !floppy) {
                Some(_) => {
                    let k = dl.wrapping_sub(0x80) as u16;
                    (ROM_SEG as u32) << 16 | (DPTE + 16 * k) as u32
                }
                None => 0xFFFF_FFFF,
            };
            r.extend_from_slice(&ptr.to_le_bytes());
        }
        store(pc, packet, &r);
        return ret(pc, dl, OK);
    }
    let size = pc.board.mem.read8(packet);
    let count = pc.board.mem.read16(packet + 2) as u64;
    let off = pc.board.mem.read16(packet + 4);
    let seg = pc.board.mem.read16(packet + 6);
    let lba =
        pc.board.mem.read32(packet + 8) as u64 | (pc.board.mem.read32(packet + 12) as u64) << 32;
    let mut buf = ((seg as u32) << 4).wrapping_add(off as u32);
    if size >= 0x18 && seg == 0xFFFF && off == 0xFFFF {
        buf = pc.board.mem.read32(packet + 16);
    }
    if size < 0x10 {
        return ret(pc, dl, BAD_COMMAND);
    }
    if ah == 0x47 {
        return ret(pc, dl, if lba < total { OK } else { SECTOR_NOT_FOUND });
    }
    if count > 0x7F {
        pc.board.mem.write16(packet + 2, 0);
        return ret(pc, dl, BAD_COMMAND);
    }
    if floppy {
        motor_on(pc, dl as usize, ah == 0x43);
        if ah != 0x44 && crosses_dma_page(buf, count as usize * SECTOR_SIZE) {
            pc.board.mem.write16(packet + 2, 0);
            return ret(pc, dl, DMA_BOUNDARY);
        }
    }
    if ah == 0x43 && !writable {
        pc.board.mem.write16(packet + 2, 0);
        return ret(pc, dl, WRITE_PROTECTED);
    }
    let n = count.min(total.saturating_sub(lba));
    if n > 0 {
        match ah {
            0x42 => {
                let data = image(pc, dl)
                    .and_then(|i| i.read(lba, n).ok())
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                store(pc, buf, &data);
            }
            0x43 => {
                let data = load(pc, buf, n as usize * SECTOR_SIZE);
                if let Some(img) = image_mut(pc, dl) {
                    let _ = img.write(lba, &data);
                }
            }
            _ => {}
        }
        if floppy {
            let g = image(pc, dl).map_or(Geometry::new(1, 1, 1), DiskImage::geometry);
            let c = (lba + n - 1) / (g.heads.max(1) * g.sectors.max(1)) as u64;
            pc.board.fdc.firmware_seek(dl as usize, c as u8);
        }
    }
    pc.board.mem.write16(packet + 2, n as u16);
    ret(pc, dl, if n == count { OK } else { SECTOR_NOT_FOUND })
}

fn hard_disk(pc: &mut Pc, dl: u8) -> Flow {
    let ah = pc.cpu.ah();
    let present = hd_index(pc, dl).is_some();
    if ah == 0x01 {
        let st = pc.board.mem.read8(HD_STATUS);
        pc.cpu.set_ah(st);
        set_carry(pc, st != OK);
        return Flow::Done;
    }
    if ah == 0x15 {
        let sectors = hd_image(pc, dl).map(|i| {
            let g = i.bios_geometry();
            let cyls = usable_cylinders(g) as u64;
            (cyls * g.heads as u64 * g.sectors as u64).min(0xFFFF_FFFF)
        });
        match sectors {
            Some(n) => {
                pc.cpu.set_cx((n >> 16) as u16);
                pc.cpu.set_dx(n as u16);
                pc.cpu.set_ah(0x03);
            }
            None => {
                pc.cpu.set_cx(0);
                pc.cpu.set_dx(0);
                pc.cpu.set_ah(0x00);
            }
        }
        pc.board.mem.write8(HD_STATUS, OK);
        set_carry(pc, false);
        return Flow::Done;
    }
    if !present {
        if ah == 0x08 {
            pc.cpu.set_dl(hd_count(pc));
        }
        if matches!(ah, 0x00 | 0x0D) && dl == 0x80 {
            // Resetting "all disks" with none fitted still resets the floppies.
            pc.board.mem.write8(RECAL_STATUS, 0);
        }
        return ret(pc, dl, BAD_COMMAND);
    }
    match ah {
        0x00 => {
            // AH=00h with a hard disk resets the floppy controller too.
            pc.board.mem.write8(RECAL_STATUS, 0);
            ret(pc, dl, OK)
        }
        0x0D | 0x10 | 0x11 | 0x14 => ret(pc, dl, OK),
        0x08 => {
            let g = hd_image(pc, dl).map_or(Geometry::new(1, 1, 1), DiskImage::bios_geometry);
            let max_c = usable_cylinders(g) - 1;
            pc.cpu.set_ax(0);
            pc.cpu.set_ch(max_c as u8);
            pc.cpu
                .set_cl((g.sectors as u8 & 0x3F) | ((max_c >> 2) as u8 & 0xC0));
            pc.cpu.set_dh((g.heads - 1) as u8);
            pc.cpu.set_dl(hd_count(pc));
            ret(pc, dl, OK)
        }
        0x02..=0x05 | 0x0C => hd_chs(pc, dl, ah),
        0x41 => edd_check(pc, dl, true),
        0x42..=0x44 | 0x47 | 0x48 => edd(pc, dl, ah),
        _ => ret(pc, dl, BAD_COMMAND),
    }
}

/// Cylinders AH=08h and AH=15h report for a hard disk: at most 1024, less the last one, which
/// PC/AT BIOSes keep for diagnostics (so the maximum cylinder is the count minus two).
fn usable_cylinders(g: Geometry) -> u32 {
    let c = g.cylinders.min(1024);
    if c >= 2 {
        c - 1
    } else {
        c.max(1)
    }
}

/// AH=02h-05h and 0Ch on a hard disk, addressed through the BIOS geometry: cylinder in CH
/// and CL bits 6-7, sector in CL bits 0-5, head in DH.
fn hd_chs(pc: &mut Pc, dl: u8, ah: u8) -> Flow {
    let count = pc.cpu.al() as u64;
    let c = pc.cpu.ch() as u32 | (pc.cpu.cl() as u32 & 0xC0) << 2;
    let s = (pc.cpu.cl() & 0x3F) as u32;
    let h = pc.cpu.dh() as u32;
    let buf = es_bx(pc);
    let Some(img) = hd_image(pc, dl) else {
        return ret(pc, dl, BAD_COMMAND);
    };
    let g = img.bios_geometry();
    let total = img.sectors();
    let writable = img.is_writable();
    if ah == 0x0C {
        let ok = c < g.cylinders && h < g.heads;
        return ret(pc, dl, if ok { OK } else { SEEK_FAILED });
    }
    if ah == 0x05 {
        // Format a track: its sectors are zeroed.
        let Some(lba) = g.chs_to_lba(c, h, 1) else {
            return ret(pc, dl, SECTOR_NOT_FOUND);
        };
        if !writable {
            return ret(pc, dl, WRITE_PROTECTED);
        }
        let n = (g.sectors as u64).min(total.saturating_sub(lba));
        if let Some(img) = hd_image_mut(pc, dl) {
            let _ = img.fill(lba, n, 0);
        }
        return ret(pc, dl, OK);
    }
    pc.cpu.set_al(0);
    if count == 0 || count > 128 {
        return ret(pc, dl, BAD_COMMAND);
    }
    let Some(lba) = g.chs_to_lba(c, h, s) else {
        return ret(pc, dl, SECTOR_NOT_FOUND);
    };
    if ah == 0x03 && !writable {
        return ret(pc, dl, WRITE_PROTECTED);
    }
    let n = count.min(total.saturating_sub(lba));
    match ah {
        0x02 => {
            let data = hd_image(pc, dl)
                .and_then(|i| i.read(lba, n).ok())
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            store(pc, buf, &data);
        }
        0x03 => {
            let data = load(pc, buf, n as usize * SECTOR_SIZE);
            if let Some(img) = hd_image_mut(pc, dl) {
                let _ = img.write(lba, &data);
            }
        }
        _ => {}
    }
    pc.cpu.set_al(n as u8);
    ret(pc, dl, if n == count { OK } else { SECTOR_NOT_FOUND })
}

/// IRQ6: the floppy controller finished a command.
pub fn irq6(pc: &mut Pc) -> Flow {
    let f = pc.board.mem.read8(RECAL_STATUS);
    pc.board.mem.write8(RECAL_STATUS, f | 0x80);
    Flow::Done
}

/// IRQ14: the hard disk controller finished a command.
pub fn irq14(pc: &mut Pc) -> Flow {
    pc.board.mem.write8(0x48E, 0xFF);
    Flow::Done
}
