//! The CD-ROM: the ATAPI drive on the secondary ATA channel driven through its ports as a
//! driver would (signature, IDENTIFY PACKET DEVICE, PACKET commands with their DRQ phases and
//! IRQ15, sense data), and El Torito boots by the built-in BIOS of tiny ISO images built here
//! (no emulation: INT 13h EDD reads of 2048-byte sectors on drive E0h and AH=4B01h; floppy
//! emulation: CHS reads from the image as drive 00h). The guests report on port E9h.

use pc::board::Board;
use pc::cdrom::{BootMedia, CdError, CdImage};
use pc::cpu::{Bus, Model};
use pc::{Exit, Pc};

const SECTOR: usize = 2048;

/// An ISO image of `sectors` sectors: a primary volume descriptor at 16, a terminator at 18,
/// every other sector from 19 on starting with its LBA (u32 little-endian) then 'X'.
fn iso(sectors: usize) -> Vec<u8> {
    let mut v = vec![0u8; sectors * SECTOR];
    for (i, s) in v.chunks_mut(SECTOR).enumerate().skip(19) {
        s[..4].copy_from_slice(&(i as u32).to_le_bytes());
        s[4] = b'X';
    }
    let pvd = &mut v[16 * SECTOR..17 * SECTOR];
    pvd.fill(0);
    pvd[0] = 1;
    pvd[1..6].copy_from_slice(b"CD001");
    pvd[6] = 1;
    let term = &mut v[18 * SECTOR..19 * SECTOR];
    term.fill(0);
    term[0] = 0xFF;
    term[1..6].copy_from_slice(b"CD001");
    term[6] = 1;
    v
}

/// Make `v` bootable by El Torito: boot record at 17, catalog at 19 with one entry.
fn make_bootable(v: &mut [u8], media: u8, count: u16, lba: u32) {
    let br = &mut v[17 * SECTOR..18 * SECTOR];
    br.fill(0);
    br[1..6].copy_from_slice(b"CD001");
    br[6] = 1;
    br[7..30].copy_from_slice(b"EL TORITO SPECIFICATION");
    br[0x47..0x4B].copy_from_slice(&19u32.to_le_bytes());
    let c = &mut v[19 * SECTOR..20 * SECTOR];
    c.fill(0);
    c[0] = 1;
    c[4..10].copy_from_slice(b"AULA86");
    c[0x1E] = 0x55;
    c[0x1F] = 0xAA;
    let sum = c[..32].chunks_exact(2).fold(0u16, |a, w| {
        a.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
    });
    c[0x1C..0x1E].copy_from_slice(&sum.wrapping_neg().to_le_bytes());
    c[32] = 0x88;
    c[33] = media;
    c[38..40].copy_from_slice(&count.to_le_bytes());
    c[40..44].copy_from_slice(&lba.to_le_bytes());
}

struct Rig {
    b: Board,
    t: u64,
}

impl Rig {
    fn new(disc: Option<Vec<u8>>) -> Rig {
        let mut r = Rig {
            b: Board::new(1 << 20, 0),
            t: 0,
        };
        r.b.ata2.attach_atapi(0);
        if let Some(d) = disc {
            let img = CdImage::from_bytes(d).expect("iso");
            r.b.ata2.drives[0]
                .atapi
                .as_mut()
                .expect("drive")
                .insert(img);
        }
        r
    }
    fn out(&mut self, port: u16, v: u8) {
        self.b.io_write8(port, v);
    }
    fn inp(&mut self, port: u16) -> u8 {
        self.b.io_read8(port)
    }
    fn irq15(&self) -> bool {
        self.b.irq.level & (1 << 15) != 0
    }
    fn wait(&mut self, ns: u64) {
        self.t += ns;
        self.b.set_time(self.t, 0);
        self.b.run_devices();
    }
    fn wait_not_busy(&mut self) -> u8 {
        for _ in 0..10_000 {
            let s = self.inp(0x376);
            if s & 0x80 == 0 {
                return s;
            }
            self.wait(1_000);
        }
        panic!("the CD-ROM stays busy");
    }
    fn wait_irq(&mut self) {
        for _ in 0..10_000 {
            if self.irq15() {
                return;
            }
            self.wait(1_000);
        }
        panic!("IRQ15 never came");
    }
    /// Run a packet command with byte count limit `limit`: the data blocks read (each as
    /// (interrupt reason, byte count, bytes)) and the final (status, error, interrupt reason).
    #[allow(clippy::type_complexity)]
    fn packet(&mut self, cdb: &[u8], limit: u16) -> (Vec<(u8, u16, Vec<u8>)>, (u8, u8, u8)) {
        let mut c = [0u8; 12];
        c[..cdb.len()].copy_from_slice(cdb);
        self.out(0x176, 0xA0);
        self.out(0x171, 0);
        self.out(0x174, limit as u8);
        self.out(0x175, (limit >> 8) as u8);
        self.out(0x177, 0xA0);
        let s = self.inp(0x376);
        assert_eq!(s & 0x88, 0x08, "DRQ for the command packet, not busy");
        assert_eq!(
            self.inp(0x172) & 3,
            1,
            "interrupt reason: C/D, to the device"
        );
        assert!(
            !self.irq15(),
            "no interrupt for the packet (accelerated DRQ)"
        );
        for w in c.chunks_exact(2) {
            self.b.io_write16(0x170, u16::from_le_bytes([w[0], w[1]]));
        }
        let mut blocks = Vec::new();
        loop {
            self.wait_irq();
            let status = self.inp(0x177); // acknowledges the interrupt
            assert!(!self.irq15());
            let reason = self.inp(0x172) & 3;
            if status & 0x08 == 0 {
                return (blocks, (status, self.inp(0x171), reason));
            }
            let n = self.inp(0x174) as u16 | (self.inp(0x175) as u16) << 8;
            let mut data = Vec::new();
            for _ in 0..n / 2 {
                data.extend_from_slice(&self.b.io_read16(0x170).to_le_bytes());
            }
            blocks.push((reason, n, data));
        }
    }
}

#[test]
fn signature_identify_and_sense() {
    let mut r = Rig::new(Some(iso(64)));
    // Software reset through 376h: the packet signature.
    r.out(0x376, 0x04);
    r.out(0x376, 0x00);
    r.wait_not_busy();
    assert_eq!(
        [r.inp(0x172), r.inp(0x173), r.inp(0x174), r.inp(0x175)],
        [1, 1, 0x14, 0xEB]
    );
    // No slave: its registers read as zero.
    r.out(0x176, 0xB0);
    assert_eq!([r.inp(0x172), r.inp(0x177)], [0, 0]);
    r.out(0x176, 0xA0);
    // EXECUTE DEVICE DIAGNOSTIC: the signature again, diagnostic code 01h.
    r.out(0x177, 0x90);
    r.wait_irq();
    r.wait_not_busy();
    assert_eq!([r.inp(0x171), r.inp(0x174), r.inp(0x175)], [1, 0x14, 0xEB]);
    // IDENTIFY DEVICE aborts, leaving the signature.
    r.out(0x177, 0xEC);
    r.wait_irq();
    let s = r.inp(0x177);
    assert_eq!(s & 0x01, 0x01, "ERR");
    assert_eq!(r.inp(0x171) & 0x04, 0x04, "ABRT");
    assert_eq!([r.inp(0x174), r.inp(0x175)], [0x14, 0xEB]);
    // IDENTIFY PACKET DEVICE.
    r.out(0x177, 0xA1);
    r.wait_irq();
    assert_eq!(r.inp(0x177) & 0x08, 0x08);
    let mut id = Vec::new();
    for _ in 0..256 {
        id.extend_from_slice(&r.b.io_read16(0x170).to_le_bytes());
    }
    let w = |i: usize| u16::from_le_bytes([id[2 * i], id[2 * i + 1]]);
    assert_eq!(
        w(0),
        0x85C0,
        "ATAPI CD-ROM, removable, accelerated DRQ, 12-byte packets"
    );
    assert_eq!(w(49) & 0x0200, 0x0200, "LBA");
    let model: String = (27..47)
        .flat_map(|i| w(i).to_be_bytes())
        .map(|b| b as char)
        .collect();
    assert_eq!(model.trim_end(), "AULA86 CD-ROM");
    assert_eq!(r.inp(0x177) & 0x08, 0, "DRQ ends with the data");

    // The disc was inserted: the first command reports the media change.
    let (blocks, (status, error, reason)) = r.packet(&[0x00], 0xFFFE);
    assert!(blocks.is_empty());
    assert_eq!(status & 0x01, 1);
    assert_eq!(error >> 4, 0x06, "UNIT ATTENTION");
    assert_eq!(reason, 3, "status phase: I/O and C/D");
    let (blocks, _) = r.packet(&[0x03, 0, 0, 0, 18], 0xFFFE);
    let sense = &blocks[0].2;
    assert_eq!((sense[0], sense[2], sense[12]), (0x70, 0x06, 0x28));
    let (blocks, (status, _, reason)) = r.packet(&[0x00], 0xFFFE);
    assert!(blocks.is_empty());
    assert_eq!((status & 0xC9, reason), (0x40, 3), "TEST UNIT READY passes");
    // INQUIRY.
    let (blocks, _) = r.packet(&[0x12, 0, 0, 0, 36], 0xFFFE);
    let inq = &blocks[0].2;
    assert_eq!(blocks[0].0, 2, "interrupt reason: I/O, data to the host");
    assert_eq!((inq[0], inq[1] & 0x80), (0x05, 0x80));
    assert_eq!(&inq[8..14], b"AULA86");
    // READ CAPACITY.
    let (blocks, _) = r.packet(&[0x25], 0xFFFE);
    assert_eq!(blocks[0].2, vec![0, 0, 0, 63, 0, 0, 8, 0]);
    // An unknown command: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
    let (_, (status, error, _)) = r.packet(&[0xFF], 0xFFFE);
    assert_eq!((status & 1, error >> 4), (1, 5));
    let (blocks, _) = r.packet(&[0x03, 0, 0, 0, 18], 0xFFFE);
    assert_eq!((blocks[0].2[2], blocks[0].2[12]), (5, 0x20));

    // No medium.
    r.b.ata2.drives[0].atapi.as_mut().expect("drive").eject();
    let _ = r.packet(&[0x00], 0xFFFE); // the removal's unit attention
    let (_, (status, error, _)) = r.packet(&[0x00], 0xFFFE);
    assert_eq!((status & 1, error >> 4), (1, 2), "NOT READY");
    let (blocks, _) = r.packet(&[0x03, 0, 0, 0, 18], 0xFFFE);
    assert_eq!(
        (blocks[0].2[2], blocks[0].2[12], blocks[0].2[13]),
        (2, 0x3A, 0),
        "MEDIUM NOT PRESENT"
    );
    let (_, (status, error, _)) = r.packet(&[0x28, 0, 0, 0, 0, 20, 0, 0, 1], 0xFFFE);
    assert_eq!((status & 1, error >> 4), (1, 2));
}

#[test]
fn read10_and_read12_by_pio_into_memory_with_byte_count_limit() {
    let mut r = Rig::new(Some(iso(64)));
    let _ = r.packet(&[0x00], 0xFFFE); // unit attention
                                       // READ(10) of 3 sectors from 20 with a 4 KiB limit: blocks of 4096 and 2048 bytes.
    let (blocks, (status, _, reason)) = r.packet(&[0x28, 0, 0, 0, 0, 20, 0, 0, 3], 4096);
    assert_eq!((status & 0x89, reason), (0, 3));
    let sizes: Vec<u16> = blocks.iter().map(|b| b.1).collect();
    assert_eq!(sizes, vec![4096, 2048]);
    let data: Vec<u8> = blocks.into_iter().flat_map(|b| b.2).collect();
    r.b.mem.write_bytes(0x10000, &data);
    for k in 0..3u32 {
        let mut s = [0u8; 5];
        r.b.mem.read_bytes(0x10000 + k * 2048, &mut s);
        assert_eq!(&s[..4], &(20 + k).to_le_bytes());
        assert_eq!(s[4], b'X');
    }
    // A limit smaller than a sector: the data comes in pieces of the limit.
    let (blocks, _) = r.packet(&[0x28, 0, 0, 0, 0, 33, 0, 0, 1], 1000);
    let sizes: Vec<u16> = blocks.iter().map(|b| b.1).collect();
    assert_eq!(sizes, vec![1000, 1000, 48]);
    assert_eq!(&blocks[0].2[..4], &33u32.to_le_bytes());
    // READ(12).
    let (blocks, _) = r.packet(&[0xA8, 0, 0, 0, 0, 63, 0, 0, 0, 1], 0xFFFE);
    assert_eq!(&blocks[0].2[..4], &63u32.to_le_bytes());
    // Past the end: ILLEGAL REQUEST, LBA OUT OF RANGE.
    let (blocks, (status, error, _)) = r.packet(&[0x28, 0, 0, 0, 0, 63, 0, 0, 2], 0xFFFE);
    assert!(blocks.is_empty());
    assert_eq!((status & 1, error >> 4), (1, 5));
    // READ TOC format 0: track 1 and the lead-out at 64.
    let (blocks, _) = r.packet(&[0x43, 0, 0, 0, 0, 0, 0, 0, 0xFF], 0xFFFE);
    let toc = &blocks[0].2;
    assert_eq!(toc.len(), 20);
    assert_eq!(&toc[14..20], &[0xAA, 0, 0, 0, 0, 64]);
    // nIEN masks IRQ15.
    r.out(0x376, 0x02);
    r.out(0x176, 0xA0);
    r.out(0x177, 0xA1);
    r.wait(100_000);
    assert!(!r.irq15());
    r.out(0x376, 0x00);
}

#[test]
fn iso_images_are_checked() {
    assert_eq!(CdImage::from_bytes(Vec::new()).unwrap_err(), CdError::Empty);
    let e = CdImage::from_bytes(vec![0; 64 * SECTOR + 100]).unwrap_err();
    assert!(matches!(e, CdError::NotWholeSectors { len } if len == 64 * SECTOR + 100));
    assert!(e.to_string().contains("2048-byte"));
    assert!(matches!(
        CdImage::from_bytes(vec![0; 10 * SECTOR]),
        Err(CdError::TooSmall { .. })
    ));
    assert_eq!(
        CdImage::from_bytes(vec![0; 40 * SECTOR]).unwrap_err(),
        CdError::NotIso9660
    );
    // Not bootable: no boot record.
    let img = CdImage::from_bytes(iso(40)).expect("iso");
    assert!(img.boot_entry().is_err());
    // A bad catalog checksum is refused.
    let mut v = iso(40);
    make_bootable(&mut v, 0, 4, 20);
    v[19 * SECTOR + 4] ^= 1;
    let e = CdImage::from_bytes(v)
        .expect("iso")
        .boot_entry()
        .unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
    // A good one.
    let mut v = iso(40);
    make_bootable(&mut v, 2, 1, 21);
    let e = CdImage::from_bytes(v)
        .expect("iso")
        .boot_entry()
        .expect("entry");
    assert_eq!(e.media, BootMedia::Floppy { sectors: 2880 });
    assert_eq!((e.lba, e.sector_count, e.load_segment), (21, 1, 0));
}

fn boot(disc: Vec<u8>) -> Pc {
    let mut pc = Pc::new(Model::PentiumPro, 16 << 20).expect("pc");
    pc.insert_cdrom(CdImage::from_bytes(disc).expect("iso"));
    pc.reset();
    for _ in 0..200 {
        match pc.run(1_000_000, None) {
            Exit::Budget | Exit::TimeLimit => {}
            _ => break,
        }
        if pc.cpu.halted && pc.cpu.eflags() & 0x200 == 0 {
            break;
        }
    }
    pc
}

#[test]
fn el_torito_no_emulation_boot_reads_2048_byte_sectors_on_drive_e0() {
    #[rustfmt::skip]
    let code: &[u8] = &[
        0x8C, 0xC8,             // mov ax,cs
        0x8E, 0xD8,             // mov ds,ax
        0x8E, 0xC0,             // mov es,ax
        0x88, 0x16, 0x00, 0x01, // mov [100h],dl
        0xBE, 0x10, 0x01,       // mov si,110h (disk address packet)
        0xB4, 0x42,             // mov ah,42h
        0xCD, 0x13,             // int 13h
        0x72, 0x1A,             // jc fail
        0xA0, 0x04, 0x10,       // mov al,[1004h] ('X' of the sector read)
        0xE6, 0xE9,             // out 0E9h,al
        0xB8, 0x01, 0x4B,       // mov ax,4B01h
        0x8A, 0x16, 0x00, 0x01, // mov dl,[100h]
        0xBE, 0x20, 0x01,       // mov si,120h (specification packet)
        0xCD, 0x13,             // int 13h
        0x72, 0x07,             // jc fail
        0xA0, 0x22, 0x01,       // mov al,[122h] (drive number)
        0xE6, 0xE9,             // out 0E9h,al
        0xFA, 0xF4,             // cli; hlt
        0xB0, 0x21,             // fail: mov al,'!'
        0xE6, 0xE9,             // out 0E9h,al
        0xFA, 0xF4,             // cli; hlt
    ];
    let mut v = iso(40);
    make_bootable(&mut v, 0, 4, 20);
    let s = &mut v[20 * SECTOR..21 * SECTOR];
    s.fill(0);
    s[..code.len()].copy_from_slice(code);
    // Read one 2048-byte sector, LBA 22, to 07C0:1000.
    s[0x110..0x120].copy_from_slice(&[
        0x10, 0, 1, 0, 0x00, 0x10, 0xC0, 0x07, 22, 0, 0, 0, 0, 0, 0, 0,
    ]);
    let mut pc = boot(v);
    assert_eq!(pc.debug_output(), b"X\xE0", "{:?}", pc.bios.messages);
    assert_eq!(pc.read(0x7C00 + 0x1000, 4), 22u32.to_le_bytes());
    let spec = pc.read(0x7C00 + 0x120, 0x13);
    assert_eq!((spec[0], spec[1] & 0x0F, spec[2]), (0x13, 0, 0xE0));
    assert_eq!(u32::from_le_bytes([spec[4], spec[5], spec[6], spec[7]]), 20);
    assert_eq!(u16::from_le_bytes([spec[14], spec[15]]), 4);
}

#[test]
fn el_torito_floppy_emulation_makes_the_image_drive_00() {
    #[rustfmt::skip]
    let code: &[u8] = &[
        0x88, 0xD0,             // mov al,dl
        0xE6, 0xE9,             // out 0E9h,al (the boot drive)
        0x31, 0xC0,             // xor ax,ax
        0x8E, 0xC0,             // mov es,ax
        0xBB, 0x00, 0x80,       // mov bx,8000h
        0xB8, 0x01, 0x02,       // mov ax,0201h
        0xB9, 0x02, 0x00,       // mov cx,0002h (cylinder 0, sector 2)
        0xBA, 0x00, 0x00,       // mov dx,0000h (head 0, drive 00h)
        0xCD, 0x13,             // int 13h
        0x72, 0x08,             // jc fail
        0x26, 0xA0, 0x00, 0x80, // mov al,es:[8000h]
        0xE6, 0xE9,             // out 0E9h,al
        0xFA, 0xF4,             // cli; hlt
        0xB0, 0x21,             // fail: mov al,'!'
        0xE6, 0xE9,             // out 0E9h,al
        0xFA, 0xF4,             // cli; hlt
    ];
    // A 1.44M floppy image at sector 20 (720 CD sectors); its sector 1 starts with 'F'.
    let mut v = iso(20 + 720 + 4);
    make_bootable(&mut v, 2, 1, 20);
    let fl = &mut v[20 * SECTOR..(20 + 720) * SECTOR];
    fl.fill(0);
    fl[..code.len()].copy_from_slice(code);
    fl[510] = 0x55;
    fl[511] = 0xAA;
    fl[512] = b'F';
    let pc = boot(v);
    assert_eq!(pc.debug_output(), b"\x00F", "{:?}", pc.bios.messages);
}

#[test]
fn the_drive_is_fitted_on_first_insert_and_stays_after_eject() {
    let mut pc = Pc::new(Model::PentiumPro, 16 << 20).expect("pc");
    assert!(!pc.has_cdrom_drive());
    assert_eq!(
        pc.board.port_read(0x177),
        0xFF,
        "no secondary channel devices"
    );
    let first = CdImage::from_bytes(iso(30)).expect("iso");
    assert!(pc.insert_cdrom(first).is_none());
    assert!(pc.has_cdrom_drive());
    assert_eq!(pc.cdrom_image().map(CdImage::sectors), Some(30));
    let old = pc.insert_cdrom(CdImage::from_bytes(iso(40)).expect("iso"));
    assert_eq!(old.map(|i| i.sectors()), Some(30));
    assert_eq!(pc.eject_cdrom().map(|i| i.sectors()), Some(40));
    assert!(pc.cdrom_image().is_none());
    assert!(pc.has_cdrom_drive());
    assert_eq!(
        pc.board.port_read(0x177) & 0x80,
        0,
        "an empty drive still answers"
    );
    // Nothing to boot: the BIOS says so.
    pc.reset();
    let _ = pc.run(5_000_000, None);
    assert!(
        pc.bios
            .messages
            .iter()
            .any(|m| m.contains("No bootable disk")),
        "{:?}",
        pc.bios.messages
    );
}
