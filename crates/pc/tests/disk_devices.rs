//! The floppy controller and the ATA disk driven through their ports, as a driver would, on a
//! bare board (no CPU, no BIOS): command sequences, DMA, interrupts, errors.

use pc::board::Board;
use pc::cpu::Bus;
use pc::disk::{DiskImage, DiskKind, FloppyFormat};

struct Rig {
    b: Board,
    t: u64,
}

impl Rig {
    fn new() -> Rig {
        let mut r = Rig {
            b: Board::new(1 << 20, 0),
            t: 0,
        };
        // Interrupt controllers as a BIOS sets them (vectors 08h and 70h, all lines open), so
        // that interrupts can be counted as the CPU would take them.
        for (p, v) in [
            (0x20, 0x11),
            (0x21, 0x08),
            (0x21, 0x04),
            (0x21, 0x01),
            (0xA0, 0x11),
            (0xA1, 0x70),
            (0xA1, 0x02),
            (0xA1, 0x01),
            (0x21, 0x00),
            (0xA1, 0x00),
        ] {
            r.out(p, v);
        }
        r
    }
    /// Take every interrupt the PIC offers, as a CPU with interrupts enabled would (with an
    /// end of interrupt each): the vectors taken.
    fn take_interrupts(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        while self.b.interrupt_pending() && v.len() < 100 {
            let vec = self.b.acknowledge_interrupt();
            v.push(vec);
            if vec >= 0x70 {
                self.out(0xA0, 0x20);
            }
            self.out(0x20, 0x20);
        }
        v
    }
    fn out(&mut self, port: u16, v: u8) {
        self.b.io_write8(port, v);
    }
    fn inp(&mut self, port: u16) -> u8 {
        self.b.io_read8(port)
    }
    fn irq(&self, n: u8) -> bool {
        self.b.irq.level & (1 << n) != 0
    }
    /// Let `ns` of emulated time pass.
    fn wait(&mut self, ns: u64) {
        self.t += ns;
        self.b.set_time(self.t, 0);
        self.b.run_devices();
    }
    /// Wait for interrupt line `n`; panics after a simulated second.
    fn wait_irq(&mut self, n: u8) {
        for _ in 0..100_000 {
            if self.irq(n) {
                return;
            }
            self.wait(10_000);
        }
        panic!("IRQ{n} never came");
    }
    // Floppy helpers.
    fn fdc_cmd(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let msr = self.inp(0x3F4);
            assert_eq!(
                msr & 0xC0,
                0x80,
                "MSR {msr:02X} not ready for command byte {b:02X}"
            );
            self.out(0x3F5, b);
        }
    }
    fn fdc_result(&mut self) -> Vec<u8> {
        let mut r = Vec::new();
        for _ in 0..16 {
            let msr = self.inp(0x3F4);
            if msr & 0xD0 != 0xD0 {
                break;
            }
            r.push(self.inp(0x3F5));
        }
        r
    }
    fn sense(&mut self) -> Vec<u8> {
        self.fdc_cmd(&[0x08]);
        self.fdc_result()
    }
    /// Program DMA channel 2: mode, address, byte count.
    fn dma2(&mut self, mode: u8, addr: u32, len: u16) {
        self.out(0x0A, 0x06);
        self.out(0x0C, 0);
        self.out(0x0B, mode);
        self.out(0x04, addr as u8);
        self.out(0x04, (addr >> 8) as u8);
        self.out(0x81, (addr >> 16) as u8);
        self.out(0x0C, 0);
        self.out(0x05, (len - 1) as u8);
        self.out(0x05, ((len - 1) >> 8) as u8);
        self.out(0x0A, 0x02);
    }
    // ATA helpers.
    fn ata_wait_not_busy(&mut self) -> u8 {
        for _ in 0..10_000 {
            let s = self.inp(0x3F6);
            if s & 0x80 == 0 {
                return s;
            }
            self.wait(1_000);
        }
        panic!("ATA stays busy");
    }
    fn ata_lba(&mut self, dev: u8, lba: u32, count: u8, cmd: u8) {
        self.out(0x1F6, 0xE0 | dev << 4 | (lba >> 24) as u8 & 0x0F);
        self.out(0x1F2, count);
        self.out(0x1F3, lba as u8);
        self.out(0x1F4, (lba >> 8) as u8);
        self.out(0x1F5, (lba >> 16) as u8);
        self.out(0x1F7, cmd);
    }
    fn read_words(&mut self, n: usize) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..n {
            v.extend_from_slice(&self.b.io_read16(0x1F0).to_le_bytes());
        }
        v
    }
}

/// A floppy whose every sector is filled with its LBA (low byte, high byte, repeated).
fn patterned_floppy(format: &str) -> DiskImage {
    let f = FloppyFormat::by_name(format).expect("format");
    let n = f.geometry.total() as usize;
    let mut bytes = vec![0u8; n * 512];
    for (i, s) in bytes.chunks_mut(512).enumerate() {
        for (j, b) in s.iter_mut().enumerate() {
            *b = if j % 2 == 0 { i as u8 } else { (i >> 8) as u8 };
        }
    }
    DiskImage::from_bytes(bytes, Some(DiskKind::Floppy)).expect("image")
}

fn patterned_hd(sectors: usize) -> DiskImage {
    let mut bytes = vec![0u8; sectors * 512];
    for (i, s) in bytes.chunks_mut(512).enumerate() {
        s[..4].copy_from_slice(&(i as u32).to_le_bytes());
        s[4..8].copy_from_slice(b"SECT");
    }
    DiskImage::from_bytes(bytes, Some(DiskKind::HardDisk)).expect("image")
}

fn sector_of(mem: &[u8]) -> u16 {
    u16::from_le_bytes([mem[0], mem[1]])
}

/// Reset, take the four polling interrupts, SPECIFY, select 500 kbit/s.
fn fdc_init(r: &mut Rig) {
    r.take_interrupts();
    r.out(0x3F2, 0x00);
    assert_eq!(r.inp(0x3F4), 0x00, "MSR in reset");
    r.out(0x3F2, 0x1C);
    r.wait_irq(6);
    let mut taken = r.take_interrupts();
    for d in 0..4u8 {
        assert_eq!(
            r.sense(),
            vec![0xC0 | d, 0],
            "polling interrupt of drive {d}"
        );
        taken.extend(r.take_interrupts());
    }
    assert_eq!(
        taken,
        vec![0x0E],
        "one interrupt stands for the four drives"
    );
    assert!(!r.irq(6), "IRQ6 drops after the four senses");
    assert_eq!(r.sense(), vec![0x80], "no interrupt left: invalid");
    r.fdc_cmd(&[0x03, 0xDF, 0x02]);
    r.out(0x3F7, 0x00);
}

#[test]
fn fdc_reset_version_recalibrate_seek_and_disk_change() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("1.44M"));
    fdc_init(&mut r);
    r.fdc_cmd(&[0x10]);
    assert_eq!(r.fdc_result(), vec![0x90]);
    assert_eq!(
        r.inp(0x3F7) & 0x80,
        0x80,
        "disk change line set after insert"
    );
    r.fdc_cmd(&[0x07, 0x00]);
    assert_eq!(r.inp(0x3F4) & 0x01, 0x01, "drive 0 busy seeking");
    assert!(!r.irq(6));
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x20, 0]);
    assert_eq!(
        r.inp(0x3F7) & 0x80,
        0x80,
        "recalibrate at track 0 made no step"
    );
    r.fdc_cmd(&[0x0F, 0x04, 5]);
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x24, 5]);
    assert_eq!(
        r.inp(0x3F7) & 0x80,
        0,
        "a step with a disk in clears the change line"
    );
    // Sense drive status: ready, two-sided, not track 0, head 1.
    r.fdc_cmd(&[0x04, 0x04]);
    assert_eq!(r.fdc_result(), vec![0x20 | 0x08 | 0x04]);
    r.fdc_cmd(&[0x07, 0x00]);
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x20, 0]);
    r.fdc_cmd(&[0x04, 0x00]);
    assert_eq!(r.fdc_result(), vec![0x38]);
    // Eject: the change line comes back.
    r.b.fdc.eject(0);
    assert_eq!(r.inp(0x3F7) & 0x80, 0x80);
    // Recalibrate of a drive that is not there fails with equipment check.
    r.fdc_cmd(&[0x07, 0x01]);
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x71, 0]);
}

#[test]
fn fdc_dma_read_multitrack_with_terminal_count_and_irq6() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("1.44M"));
    fdc_init(&mut r);
    r.fdc_cmd(&[0x0F, 0x04, 5]);
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x24, 5]);
    // Two sectors: C5 H1 R17 and R18 (LBA 214, 215) into 1:2000h; TC ends it at EOT.
    r.dma2(0x46, 0x12000, 1024);
    r.fdc_cmd(&[0xE6, 0x04, 5, 1, 17, 2, 18, 0x1B, 0xFF]);
    assert_eq!(r.inp(0x3F4) & 0xF0, 0x10, "execution: busy, no RQM");
    r.wait(10_000);
    assert!(!r.irq(6), "no interrupt before the data has been read");
    r.wait_irq(6);
    assert_eq!(r.inp(0x3F4) & 0xF0, 0xD0, "result phase");
    let res = r.fdc_result();
    assert!(!r.irq(6), "reading the result clears the interrupt");
    assert_eq!(
        res,
        vec![0x00, 0, 0, 6, 0, 1, 2],
        "TC at EOT of head 1: next cylinder"
    );
    let m = &r.b.mem.ram;
    assert_eq!(sector_of(&m[0x12000..]), 214);
    assert_eq!(sector_of(&m[0x12200..]), 215);
    assert_eq!(m[0x12400], 0, "no byte past the DMA count");
    // Multi-track from head 0 onto head 1: C5 H0 R18 then C5 H1 R1.
    r.dma2(0x46, 0x13000, 1024);
    r.fdc_cmd(&[0xC6, 0x00, 5, 0, 18, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x04, 0, 0, 5, 1, 2, 2]);
    assert_eq!(sector_of(&r.b.mem.ram[0x13000..]), 197);
    assert_eq!(sector_of(&r.b.mem.ram[0x13200..]), 198);
    // Without MT, running past EOT before terminal count: end of cylinder.
    r.dma2(0x46, 0x14000, 2048);
    r.fdc_cmd(&[0x46, 0x00, 5, 0, 17, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x40, 0x80, 0, 6, 0, 1, 2]);
}

#[test]
fn fdc_errors_missing_sector_write_protect_no_disk_overrun_rate() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("1.44M"));
    fdc_init(&mut r);
    // Missing sector (R = 19 on an 18-sector track).
    r.dma2(0x46, 0x2000, 512);
    r.fdc_cmd(&[0xE6, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x40, 0x04, 0x00, 0, 0, 19, 2]);
    // Wrong cylinder in the ID (head is on 0, command says 3).
    r.dma2(0x46, 0x2000, 512);
    r.fdc_cmd(&[0xE6, 0x00, 3, 0, 1, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x40, 0x04, 0x10, 3, 0, 1, 2]);
    // DMA channel masked: overrun.
    r.out(0x0A, 0x06);
    r.fdc_cmd(&[0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result()[..3], [0x40, 0x10, 0x00]);
    // Wrong data rate: no address mark found.
    r.out(0x3F7, 0x02);
    r.dma2(0x46, 0x2000, 512);
    r.fdc_cmd(&[0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result()[..3], [0x40, 0x01, 0x00]);
    r.out(0x3F7, 0x00);
    // Write protect.
    if let Some(img) = r.b.fdc.drives[0].image.as_mut() {
        img.set_writable(false);
    }
    r.fdc_cmd(&[0x04, 0x00]);
    assert_eq!(r.fdc_result()[0] & 0x40, 0x40, "ST3 write protected");
    r.dma2(0x4A, 0x2000, 512);
    r.fdc_cmd(&[0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result()[..3], [0x40, 0x02, 0x00]);
    assert!(!r.b.fdc.drives[0]
        .image
        .as_ref()
        .is_some_and(|i| i.is_modified()));
    // No disk.
    r.b.fdc.eject(0);
    r.dma2(0x46, 0x2000, 512);
    r.fdc_cmd(&[0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result()[..3], [0x40, 0x01, 0x00]);
    // An unknown command (PART ID, which the 82077AA lacks): invalid, one byte.
    r.fdc_cmd(&[0x18]);
    assert_eq!(r.fdc_result(), vec![0x80]);
}

#[test]
fn fdc_write_format_read_id_and_the_register_commands() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("720K"));
    fdc_init(&mut r);
    r.out(0x3F7, 0x02); // 250 kbit/s for 720K
                        // WRITE DATA C0 H1 R3 from memory.
    for i in 0..512 {
        r.b.mem.ram[0x3000 + i] = (i * 7) as u8;
    }
    r.dma2(0x4A, 0x3000, 512);
    r.fdc_cmd(&[0xC5, 0x04, 0, 1, 3, 2, 3, 0x2A, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x00, 0, 0, 1, 0, 1, 2]);
    let img = r.b.fdc.drives[0].image.as_ref().expect("disk");
    assert!(img.is_modified());
    let lba = 9 + 2;
    assert_eq!(img.bytes()[lba * 512 + 5], 35);
    // READ ID on head 0.
    r.fdc_cmd(&[0x4A, 0x00]);
    r.wait_irq(6);
    let id = r.fdc_result();
    assert_eq!(id[..5], [0x00, 0, 0, 0, 0]);
    assert!((1..=9).contains(&id[5]) && id[6] == 2, "{id:?}");
    // FORMAT TRACK 0 head 0: nine IDs through DMA, fill E5h.
    let mut ids = Vec::new();
    for s in 1..=9u8 {
        ids.extend_from_slice(&[0, 0, s, 2]);
    }
    r.b.mem.ram[0x4000..0x4000 + ids.len()].copy_from_slice(&ids);
    r.dma2(0x4A, 0x4000, ids.len() as u16);
    r.fdc_cmd(&[0x4D, 0x00, 2, 9, 0x50, 0xE5]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result()[..3], [0x00, 0, 0]);
    let img = r.b.fdc.drives[0].image.as_ref().expect("disk");
    assert!(img.bytes()[..9 * 512].iter().all(|&b| b == 0xE5));
    assert_eq!(img.bytes()[9 * 512], 9, "head 1 untouched");
    // CONFIGURE (implied seek on, FIFO on, threshold 8), PERPENDICULAR, LOCK, DUMPREG.
    r.fdc_cmd(&[0x13, 0x00, 0x47, 0x00]);
    r.fdc_cmd(&[0x12, 0x80 | 0x04]);
    r.fdc_cmd(&[0x94]);
    assert_eq!(r.fdc_result(), vec![0x10]);
    r.fdc_cmd(&[0x0E]);
    let d = r.fdc_result();
    assert_eq!(d.len(), 10);
    assert_eq!(d[4..6], [0xDF, 0x02]);
    assert_eq!(d[7], 0x80 | 0x04, "lock and drive 0 perpendicular");
    assert_eq!(d[8], 0x47);
    // The lock keeps CONFIGURE across a reset.
    r.out(0x3F4, 0x80);
    r.wait_irq(6);
    for _ in 0..4 {
        r.sense();
    }
    r.fdc_cmd(&[0x0E]);
    assert_eq!(r.fdc_result()[8], 0x47);
    r.fdc_cmd(&[0x14]);
    assert_eq!(r.fdc_result(), vec![0x00]);
    // With implied seek, a read at cylinder 7 seeks there itself.
    r.fdc_cmd(&[0x03, 0xDF, 0x02]);
    r.out(0x3F7, 0x02);
    r.dma2(0x46, 0x5000, 512);
    r.fdc_cmd(&[0xE6, 0x00, 7, 0, 1, 2, 1, 0x2A, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x04, 0, 0, 7, 1, 1, 2]);
    assert_eq!(sector_of(&r.b.mem.ram[0x5000..]), 7 * 18);
}

#[test]
fn fdc_non_dma_read_through_the_fifo() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("1.44M"));
    fdc_init(&mut r);
    r.fdc_cmd(&[0x03, 0xDF, 0x03]); // ND: non-DMA
    r.fdc_cmd(&[0x66, 0x00, 0, 0, 4, 2, 5, 0x1B, 0xFF]); // sectors 4 and 5
    r.wait_irq(6);
    let mut data = Vec::new();
    while r.inp(0x3F4) & 0xF0 == 0xF0 {
        data.push(r.inp(0x3F5));
    }
    assert_eq!(data.len(), 1024);
    assert_eq!(sector_of(&data), 3);
    assert_eq!(sector_of(&data[512..]), 4);
    assert!(r.irq(6), "result interrupt");
    // No terminal count in non-DMA mode: the command ends at EOT with "end of cylinder".
    assert_eq!(r.fdc_result(), vec![0x40, 0x80, 0, 1, 0, 1, 2]);
    // WRITE DATA of one sector (R = EOT = 7) through the FIFO.
    r.fdc_cmd(&[0x45, 0x00, 0, 0, 7, 2, 7, 0x1B, 0xFF]);
    r.wait_irq(6);
    let mut n = 0;
    while r.inp(0x3F4) & 0xF0 == 0xB0 {
        r.out(0x3F5, 0x5A);
        n += 1;
    }
    assert_eq!(n, 512);
    assert_eq!(r.fdc_result(), vec![0x40, 0x80, 0, 1, 0, 1, 2]);
    let img = r.b.fdc.drives[0].image.as_ref().expect("disk");
    assert!(img.bytes()[6 * 512..7 * 512].iter().all(|&b| b == 0x5A));
    // VERIFY with EC: three sectors, no data moved, normal end.
    r.fdc_cmd(&[0x03, 0xDF, 0x02]);
    r.fdc_cmd(&[0x56, 0x80, 0, 0, 2, 2, 18, 0x1B, 3]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x00, 0, 0, 0, 0, 5, 2]);
}

#[test]
fn fdc_360k_media_in_a_360k_drive_reads_at_250_kbps() {
    let mut r = Rig::new();
    r.b.fdc.insert(0, patterned_floppy("360K"));
    assert_eq!(
        r.b.fdc.drives[0].drive_type, 1,
        "the drive follows the media"
    );
    fdc_init(&mut r);
    r.out(0x3F7, 0x02);
    r.fdc_cmd(&[0x0F, 0x00, 39]);
    r.wait_irq(6);
    assert_eq!(r.sense(), vec![0x20, 39]);
    r.dma2(0x46, 0x6000, 512);
    r.fdc_cmd(&[0xE6, 0x04, 39, 1, 9, 2, 9, 0x2A, 0xFF]);
    r.wait_irq(6);
    assert_eq!(r.fdc_result(), vec![0x00, 0, 0, 40, 0, 1, 2]);
    assert_eq!(sector_of(&r.b.mem.ram[0x6000..]), 719);
}

fn ata_identify(r: &mut Rig, dev: u8) -> Vec<u8> {
    r.out(0x1F6, 0xA0 | dev << 4);
    r.out(0x1F7, 0xEC);
    assert_eq!(r.inp(0x3F6) & 0x80, 0x80, "busy after the command");
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x58, "DRDY DSC DRQ");
    assert!(!r.irq(14), "reading the status clears INTRQ");
    r.read_words(256)
}

fn word(id: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([id[2 * i], id[2 * i + 1]])
}

#[test]
fn ata_identify_words() {
    let mut r = Rig::new();
    r.b.ata.attach(0, patterned_hd(20 * 16 * 63));
    let id = ata_identify(&mut r, 0);
    assert_eq!(word(&id, 0), 0x0040);
    assert_eq!((word(&id, 1), word(&id, 3), word(&id, 6)), (20, 16, 63));
    assert_eq!(word(&id, 47), 0x8010);
    assert_eq!(word(&id, 49) & 0x0200, 0x0200, "LBA");
    assert_eq!(word(&id, 53) & 1, 1);
    assert_eq!((word(&id, 54), word(&id, 55), word(&id, 56)), (20, 16, 63));
    let cap = word(&id, 60) as u32 | (word(&id, 61) as u32) << 16;
    assert_eq!(cap, 20 * 16 * 63);
    let model: Vec<u8> = (27..47).flat_map(|i| word(&id, i).to_be_bytes()).collect();
    assert!(
        model.starts_with(b"AULA86 HARDDISK "),
        "{:?}",
        String::from_utf8_lossy(&model)
    );
    assert_eq!(id[510], 0xA5);
    assert_eq!(
        id.iter().fold(0u8, |a, &b| a.wrapping_add(b)),
        0,
        "checksum"
    );
    assert_eq!(r.inp(0x1F7), 0x50, "transfer done");
    // The slave is absent: its status reads 0; with no disks at all the bus floats.
    r.out(0x1F6, 0xB0);
    assert_eq!(r.inp(0x1F7), 0x00);
    let mut empty = Rig::new();
    assert_eq!(empty.inp(0x1F7), 0xFF);
}

#[test]
fn ata_read_write_pio_with_irq14_16_and_32_bit() {
    let mut r = Rig::new();
    r.b.ata.attach(0, patterned_hd(4096));
    // READ SECTORS, LBA 10, two sectors: an interrupt per sector.
    r.take_interrupts();
    r.ata_lba(0, 10, 2, 0x20);
    r.wait_irq(14);
    assert_eq!(r.take_interrupts(), vec![0x76]);
    assert_eq!(r.inp(0x1F7), 0x58);
    let s = r.read_words(256);
    assert_eq!(&s[..8], &[10, 0, 0, 0, b'S', b'E', b'C', b'T']);
    assert_eq!(r.inp(0x3F6) & 0x88, 0x80, "busy fetching the next sector");
    r.wait_irq(14);
    assert_eq!(r.take_interrupts(), vec![0x76]);
    assert_eq!(r.inp(0x1F7), 0x58);
    let mut second = Vec::new();
    for _ in 0..128 {
        second.extend_from_slice(&r.b.io_read32(0x1F0).to_le_bytes());
    }
    assert_eq!(&second[..4], &[11, 0, 0, 0]);
    assert_eq!(r.inp(0x1F7), 0x50);
    r.wait(100_000);
    assert!(!r.irq(14), "no interrupt after the last sector is read");
    assert_eq!(r.take_interrupts(), Vec::<u8>::new());
    assert_eq!(r.inp(0x1F3), 11, "registers address the last sector");
    // WRITE SECTORS in CHS (C0 H1 S5 = LBA 63 + 4): DRQ at once, interrupt after the data.
    r.out(0x1F6, 0xA1);
    r.out(0x1F2, 1);
    r.out(0x1F3, 5);
    r.out(0x1F4, 0);
    r.out(0x1F5, 0);
    r.out(0x1F7, 0x30);
    assert_eq!(r.inp(0x3F6), 0x58, "ready for data, no busy time");
    assert!(!r.irq(14));
    for i in 0..256u16 {
        r.b.io_write16(0x1F0, i.wrapping_mul(3));
    }
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x50);
    let img = r.b.ata.drives[0].image.as_ref().expect("disk");
    assert!(img.is_modified());
    let at = 67 * 512;
    assert_eq!(&img.bytes()[at..at + 4], &[0, 0, 3, 0]);
    // Out of range: IDNF.
    r.ata_lba(0, 5000, 1, 0x20);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x51);
    assert_eq!(r.inp(0x1F1), 0x10);
    // A command the disk does not know: aborted.
    r.out(0x1F7, 0xA1);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x51);
    assert_eq!(r.inp(0x1F1), 0x04);
}

#[test]
fn ata_multiple_mode_translation_nien_reset_and_diagnostic() {
    let mut r = Rig::new();
    r.b.ata.attach(0, patterned_hd(4096));
    // READ MULTIPLE before SET MULTIPLE MODE is aborted.
    r.ata_lba(0, 0, 8, 0xC4);
    r.wait_irq(14);
    assert_eq!((r.inp(0x1F7), r.inp(0x1F1)), (0x51, 0x04));
    r.out(0x1F2, 3);
    r.out(0x1F7, 0xC6);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x51, "3 is not a power of two");
    r.out(0x1F2, 4);
    r.out(0x1F7, 0xC6);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x50);
    // Eight sectors in two blocks of four: two interrupts.
    r.ata_lba(0, 100, 8, 0xC4);
    let mut got = Vec::new();
    for _ in 0..2 {
        r.wait_irq(14);
        assert_eq!(r.inp(0x1F7), 0x58);
        got.extend(r.read_words(4 * 256));
    }
    assert_eq!(r.inp(0x1F7), 0x50);
    assert_eq!(got.len(), 8 * 512);
    assert_eq!(got[7 * 512], 107);
    // INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors; then C1 H2 S3 = (1*4+2)*17+2 = 104.
    r.out(0x1F6, 0xA3);
    r.out(0x1F2, 17);
    r.out(0x1F7, 0x91);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x50);
    let id = ata_identify(&mut r, 0);
    assert_eq!((word(&id, 54), word(&id, 55), word(&id, 56)), (60, 4, 17));
    assert_eq!(word(&id, 59), 0x0104);
    r.out(0x1F6, 0xA2);
    r.out(0x1F2, 1);
    r.out(0x1F3, 3);
    r.out(0x1F4, 1);
    r.out(0x1F5, 0);
    r.out(0x1F7, 0x20);
    r.wait_irq(14);
    r.inp(0x1F7);
    assert_eq!(r.read_words(256)[0], 104);
    // nIEN: the command completes but the line stays low.
    r.out(0x3F6, 0x02);
    r.out(0x1F7, 0xE7);
    r.wait(1_000_000);
    assert!(!r.irq(14));
    assert_eq!(r.inp(0x3F6), 0x50);
    // Software reset: busy, then the signature, no interrupt.
    r.out(0x1F2, 0x55);
    r.out(0x3F6, 0x06);
    assert_eq!(r.inp(0x3F6) & 0x80, 0x80);
    r.out(0x3F6, 0x00);
    r.ata_wait_not_busy();
    assert!(!r.irq(14));
    let sig: Vec<u8> = (0x1F1..=0x1F6).map(|p| r.inp(p)).collect();
    assert_eq!(sig, vec![0x01, 0x01, 0x01, 0x00, 0x00, 0xA0]);
    // EXECUTE DEVICE DIAGNOSTIC: the same signature and an interrupt.
    r.out(0x1F7, 0x90);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x50);
    assert_eq!(r.inp(0x1F1), 0x01);
}

#[test]
fn ata_write_multiple_and_read_only_disk() {
    let mut r = Rig::new();
    let mut img = patterned_hd(1000);
    img.set_writable(false);
    r.b.ata.attach(1, img);
    r.out(0x1F6, 0xB0);
    r.out(0x1F2, 2);
    r.out(0x1F7, 0xC6);
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x50);
    r.ata_lba(1, 7, 2, 0xC5);
    assert_eq!(r.inp(0x3F6), 0x58);
    for _ in 0..512 {
        r.b.io_write16(0x1F0, 0xBEEF);
    }
    r.wait_irq(14);
    assert_eq!(r.inp(0x1F7), 0x51, "write refused");
    assert_eq!(r.inp(0x1F1), 0x40);
    // The master is absent; selecting it reads status 0.
    r.out(0x1F6, 0xA0);
    assert_eq!(r.inp(0x1F7), 0);
}

/// A driver that polls the status register while the disk is busy sees BSY clear after the
/// device's busy time, not whenever the CPU's current run slice happens to end. Here the busy
/// time of the second sector starts with the IN that reads the first sector's last word.
/// (SeaBIOS's disk reads spent three quarters of a Linux boot in such polls before.)
#[test]
fn busy_polling_ends_at_the_device_deadline_not_the_slice_end() {
    let mut pc = pc::Pc::new(pc::cpu::Model::PentiumPro, 1 << 20).expect("machine");
    pc.attach_hard_disk(0, patterned_hd(64)).expect("disk");
    #[rustfmt::skip]
    let code = [
        0xBA, 0xF6, 0x01, 0xB0, 0xE0, 0xEE, // drive 0, LBA
        0xBA, 0xF2, 0x01, 0xB0, 0x02, 0xEE, // two sectors
        0xBA, 0xF3, 0x01, 0x30, 0xC0, 0xEE, // from LBA 0
        0xBA, 0xF7, 0x01, 0xB0, 0x20, 0xEE, // READ SECTORS
        0xEC, 0xA8, 0x80, 0x75, 0xFB,       // wait: in al, dx; test al, 80h; jnz wait
        0xB8, 0x00, 0x20, 0x8E, 0xC0,       // mov ax, 2000h; mov es, ax
        0x31, 0xFF, 0xB9, 0x00, 0x01,       // xor di, di; mov cx, 256
        0xBA, 0xF0, 0x01, 0xF3, 0x6D,       // mov dx, 1F0h; rep insw (the first sector)
        0xBA, 0xF7, 0x01, 0x31, 0xC9,       // mov dx, 1F7h; xor cx, cx
        0x41, 0xEC, 0xA8, 0x80, 0x75, 0xFA, // poll: inc cx; in al, dx; test al, 80h; jnz poll
        0xFA, 0xF4,                         // cli; hlt
    ];
    pc.load(0x10000, &code).expect("load");
    pc.cpu.set_named("cs", 0x1000);
    pc.cpu.set_named("eip", 0);
    assert_eq!(pc.run(10_000_000, None), pc::Exit::Stopped);
    assert_eq!(&pc.board.mem.ram[0x20004..0x20008], b"SECT");
    // A sector's busy time is some microseconds: tens or hundreds of polls at 20 ns an
    // instruction. A poll that only ended with the slice would count hundreds of thousands.
    let polls = pc.cpu.get_named("cx").expect("cx");
    assert!((10..5_000).contains(&polls), "{polls} polls");
}
