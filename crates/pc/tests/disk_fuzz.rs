//! Nothing a guest or a file can do makes the disk code panic: random port sequences on the
//! floppy controller, the ATA channel and the DMA controller (with time passing and disks
//! coming and going), random bytes as disk images, random registers for INT 13h.

use pc::board::Board;
use pc::cpu::{Bus, Model, SegReg};
use pc::disk::{DiskImage, DiskKind, FLOPPY_FORMATS};
use pc::Pc;

mod common;

use common::Rng;

const PORTS: &[u16] = &[
    0x3F0, 0x3F1, 0x3F2, 0x3F3, 0x3F4, 0x3F5, 0x3F5, 0x3F5, 0x3F5, 0x3F7, 0x1F0, 0x1F0, 0x1F0,
    0x1F1, 0x1F2, 0x1F3, 0x1F4, 0x1F5, 0x1F6, 0x1F7, 0x1F7, 0x3F6, 0x00, 0x04, 0x05, 0x08, 0x0A,
    0x0B, 0x0C, 0x81,
];

/// Bytes the FDC understands as command starts, so random sequences reach deep states.
const FDC_OPS: &[u8] = &[
    0x03, 0x04, 0x07, 0x08, 0x0E, 0x0F, 0x8F, 0xCF, 0x10, 0x12, 0x13, 0x14, 0x94, 0x46, 0xE6, 0x45,
    0xC5, 0x42, 0x4A, 0x4C, 0x4D, 0x56, 0x49,
];
const ATA_OPS: &[u8] = &[
    0x20, 0x21, 0x30, 0x31, 0xC4, 0xC5, 0xC6, 0x40, 0x91, 0x10, 0x70, 0x90, 0xEC, 0xEF, 0xE7, 0xE0,
    0xE5, 0xA1, 0x00, 0xFF,
];

fn small_floppy(rng: &mut Rng) -> DiskImage {
    let f = &FLOPPY_FORMATS[rng.below(FLOPPY_FORMATS.len() as u64) as usize];
    let mut img = DiskImage::blank_floppy(f);
    img.set_writable(rng.below(4) != 0);
    img
}

fn small_hd(rng: &mut Rng) -> DiskImage {
    let sectors = 1 + rng.below(3000);
    let mut img = DiskImage::blank_hard_disk(sectors).expect("hd");
    img.set_writable(rng.below(4) != 0);
    img
}

#[test]
fn random_port_sequences_do_not_panic() {
    for seed in 1..=6u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut b = Board::new(1 << 20, 0);
        let mut t = 0u64;
        b.fdc.insert(0, small_floppy(&mut rng));
        b.ata.attach(0, small_hd(&mut rng));
        for i in 0..150_000u32 {
            let port = PORTS[rng.below(PORTS.len() as u64) as usize];
            match rng.below(10) {
                0..=3 => {
                    let size = [1u8, 1, 2, 4][rng.below(4) as usize];
                    let _ = match size {
                        1 => b.io_read8(port) as u32,
                        2 => b.io_read16(port) as u32,
                        _ => b.io_read32(port),
                    };
                }
                4 => {
                    let v = if port == 0x3F5 {
                        FDC_OPS[rng.below(FDC_OPS.len() as u64) as usize]
                    } else if port == 0x1F7 {
                        ATA_OPS[rng.below(ATA_OPS.len() as u64) as usize]
                    } else {
                        rng.byte()
                    };
                    b.io_write8(port, v);
                }
                5..=7 => {
                    let v = rng.next() as u32;
                    match rng.below(3) {
                        0 => b.io_write8(port, v as u8),
                        1 => b.io_write16(port, v as u16),
                        _ => b.io_write32(port, v),
                    }
                }
                _ => {
                    t += rng.below(300_000);
                    b.set_time(t, 0);
                    b.run_devices();
                }
            }
            if i % 5_000 == 0 {
                match rng.below(6) {
                    0 => drop(b.fdc.eject(rng.below(3) as usize)),
                    1 => b.fdc.insert(rng.below(2) as usize, small_floppy(&mut rng)),
                    2 => drop(b.ata.detach(rng.below(2) as usize)),
                    3 => b.ata.attach(rng.below(2) as usize, small_hd(&mut rng)),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn random_bytes_as_images_do_not_panic() {
    let mut rng = Rng(0xDEAD_BEEF);
    let sizes = [
        1usize, 2, 511, 512, 513, 1024, 4096, 163_840, 368_640, 737_280, 1_474_560, 70_000,
    ];
    for round in 0..300 {
        let n = sizes[round % sizes.len()];
        let mut bytes: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
        // Sometimes something that looks like a boot sector, an MBR or a container.
        if n >= 512 {
            match rng.below(5) {
                0 => {
                    bytes[0] = 0xEB;
                    bytes[11] = 0;
                    bytes[12] = 2;
                    bytes[16] = 2;
                    bytes[21] = 0xF0;
                }
                1 => {
                    bytes[510] = 0x55;
                    bytes[511] = 0xAA;
                    bytes[446] = 0x80;
                }
                2 => bytes[..4].copy_from_slice(b"PK\x03\x04"),
                _ => {}
            }
        }
        for kind in [None, Some(DiskKind::Floppy), Some(DiskKind::HardDisk)] {
            if let Ok(img) = DiskImage::from_bytes(bytes.clone(), kind) {
                let g = img.geometry();
                assert!(g.cylinders >= 1 && g.heads >= 1 && g.sectors >= 1, "{g:?}");
                assert!(img.bios_geometry().total() <= img.sectors().max(g.total()));
                let _ = img.read(img.sectors().saturating_sub(1), 1);
            } else if let Err(e) = DiskImage::from_bytes(bytes.clone(), kind) {
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn random_int13_calls_do_not_panic() {
    let mut rng = Rng(42);
    let mut pc = Pc::new(Model::PentiumPro, 2 << 20).expect("machine");
    pc.insert_floppy(0, small_floppy(&mut rng)).expect("floppy");
    pc.attach_hard_disk(0, small_hd(&mut rng)).expect("hd");
    pc.board.mem.write16(0x1E * 4 + 2, 0xF000);
    pc.board.mem.write16(0x1E * 4, 0xEFC7);
    for _ in 0..20_000 {
        let ah = [
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x0C, 0x0D, 0x10, 0x11, 0x15, 0x16, 0x17,
            0x18, 0x41, 0x42, 0x43, 0x44, 0x47, 0x48, 0x99,
        ][rng.below(22) as usize];
        for r in 0..8 {
            pc.cpu.regs[r] = rng.next() as u32;
        }
        pc.cpu.regs[0] = (pc.cpu.regs[0] & 0xFFFF_00FF) | (ah as u32) << 8;
        pc.cpu.regs[2] =
            (pc.cpu.regs[2] & 0xFFFF_FF00) | [0u32, 1, 2, 0x80, 0x81, 0xFF][rng.below(6) as usize];
        if rng.below(2) == 0 {
            pc.cpu.regs[3] = (pc.cpu.regs[3] & 0xFFFF_0000) | 0x55AA;
        }
        pc.cpu.load_seg_real(SegReg::Es, rng.next() as u16);
        pc.cpu.load_seg_real(SegReg::Ds, rng.next() as u16);
        pc.cpu.load_seg_real(SegReg::Ss, 0x0100);
        // Sometimes a sane disk address packet at DS:SI.
        if rng.below(2) == 0 {
            pc.cpu.load_seg_real(SegReg::Ds, 0);
            pc.cpu.regs[6] = 0x600;
            let dap = [
                0x10u8,
                0,
                rng.below(130) as u8,
                0,
                0,
                0,
                0x20,
                0,
                rng.byte(),
                rng.byte(),
                0,
                0,
                0,
                0,
                0,
                0,
            ];
            pc.board.mem.write_bytes(0x600, &dap);
        }
        if rng.below(50) == 0 {
            match rng.below(3) {
                0 => drop(pc.eject_floppy(0)),
                1 => drop(pc.insert_floppy(rng.below(2) as u8, small_floppy(&mut rng))),
                _ => {
                    if let Some(img) = pc.floppy_image_mut(0) {
                        img.set_writable(false);
                    }
                }
            }
        }
        let _ = pc::bios::disk::int13(&mut pc);
        // The BIOS ROM is never written by a disk read.
        assert_eq!(pc.read(0xFFFF0, 1), vec![0xEA]);
    }
}
