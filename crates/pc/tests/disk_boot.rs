//! Whole-machine disk tests: guest programs (tests/guests/disk*.asm, assembled with nasm here)
//! are written to a 1.44M floppy image, booted by the built-in BIOS (INT 19h), and report what
//! the disk BIOS and the controllers answered on port E9h. The report is compared exactly, and
//! the sectors the guests wrote are looked for in the images afterwards.

use pc::cpu::Model;
use pc::disk::{DiskImage, DiskKind};
use pc::{Exit, Pc};
use std::path::PathBuf;

mod common;

/// A 1.44M floppy holding `program` from sector 0; every other sector starts with its LBA.
fn floppy_with(program: &[u8]) -> DiskImage {
    let mut bytes = vec![0u8; 1_474_560];
    for (i, s) in bytes.chunks_mut(512).enumerate() {
        s[..2].copy_from_slice(&(i as u16).to_le_bytes());
        s[2..].fill(0xE6);
    }
    bytes[..program.len()].copy_from_slice(program);
    DiskImage::from_bytes(bytes, None).expect("floppy image")
}

/// A 10 MiB hard disk with an MBR (one partition, 16 heads, 63 sectors); every sector after
/// the MBR starts with its LBA.
fn hard_disk() -> DiskImage {
    let sectors = 20 * 16 * 63 + 320;
    let mut bytes = vec![0u8; sectors * 512];
    for (i, s) in bytes.chunks_mut(512).enumerate().skip(1) {
        s[..4].copy_from_slice(&(i as u32).to_le_bytes());
    }
    let end_c = 19u32;
    let e = &mut bytes[446..462];
    e[0] = 0x80;
    e[1] = 1;
    e[2] = 1;
    e[4] = 0x06;
    e[5] = 15;
    e[6] = 63 | ((end_c >> 8) << 6) as u8;
    e[7] = end_c as u8;
    e[8..12].copy_from_slice(&63u32.to_le_bytes());
    e[12..16].copy_from_slice(&(20 * 16 * 63 - 63u32).to_le_bytes());
    bytes[510] = 0x55;
    bytes[511] = 0xAA;
    DiskImage::from_bytes(bytes, Some(DiskKind::HardDisk)).expect("hard disk image")
}

/// Run until the guest prints DONE (or stops, or runs out of budget); return its report.
fn run_to_done(pc: &mut Pc) -> String {
    for _ in 0..400 {
        let exit = pc.run(1_000_000, None);
        let out = String::from_utf8_lossy(pc.debug_output()).into_owned();
        if out.contains("DONE\n") || !matches!(exit, Exit::Budget | Exit::TimeLimit) {
            return out;
        }
    }
    String::from_utf8_lossy(pc.debug_output()).into_owned()
}

/// A machine ready to start. A20 is enabled before the first instruction, as the 8042 output
/// port comes out of reset on real hardware (so the reset vector's ROM alias at FFFFFFF0h is
/// reachable). Workaround: `Board::reset_devices` currently masks A20 at power-on, which sends
/// the reset vector fetch to FFEFFFF0h.
fn new_pc(mem: usize) -> Pc {
    let mut pc = Pc::new(Model::PentiumPro, mem).expect("machine");
    pc.board.sys.a20_kbc = true;
    pc.board.mem.a20_mask = 0xFFFF_FFFF;
    pc
}

fn machine(program: &[u8]) -> Pc {
    machine_with(program, pc::Firmware::Builtin)
}

fn machine_with(program: &[u8], firmware: pc::Firmware) -> Pc {
    let mut pc = Pc::with_config(pc::Config {
        model: Model::PentiumPro,
        mem_bytes: 16 << 20,
        firmware,
        ..pc::Config::default()
    })
    .expect("machine");
    pc.board.sys.a20_kbc = true;
    pc.board.mem.a20_mask = 0xFFFF_FFFF;
    pc.insert_floppy(0, floppy_with(program)).expect("insert");
    pc.attach_hard_disk(0, hard_disk()).expect("attach");
    pc
}

#[test]
fn bios_boots_a_floppy_that_uses_int13_on_a_and_c() {
    let mut pc = machine(&common::assemble("disk_bios"));
    let out = run_to_done(&mut pc);
    let expected = "\
BOOT dl=00
A: 08 cf=0 ah=00 bx=0004 cx=4F12 dx=0101 es:di=F000:8160
A: 15 cf=0 ah=02
C: 15 cf=0 ah=03 cx=0000 dx=4AD0
C: 08 cf=0 ah=00 cx=123F dx=0F01
A: 02 C0H1S1x2 cf=0 ah=00 al=02 data=0012 0013
A: 03 C79H1S18 cf=0 ah=00 al=01
A: 02 readback cf=0 ah=00 same
A: 02 S19 cf=1 ah=04
A: 01 cf=1 ah=04
A: 02 1000:FF00 cf=1 ah=09 al=00
C: 41 cf=0 ah=21 bx=AA55 cx=0005
A: 41 cf=0 ah=21 cx=0001
C: 42 LBA100x2 cf=0 ah=00 count=0002 data=0064 0065
C: 43 LBA200 cf=0 ah=00 count=0001
C: 02 C0H0S1 cf=0 ah=00 al=01 data=AA55
C: 03 C1H2S3 cf=0 ah=00 al=01
C: 48 cf=0 ah=00 size=001E flags=0003 chs=0014/0010/003F total=5000 dpte=F000:8020
A: 42 LBA36 cf=0 ah=00 data=0024
81: 02 cf=1 ah=01
A: 16 cf=0 ah=00
DONE
";
    assert_eq!(out, expected);
    // What the guest wrote is in the images, and they say they were modified.
    let fd = pc.floppy_image(0).expect("floppy");
    assert!(fd.is_modified());
    let last = &fd.bytes()[2879 * 512..];
    assert!(last.starts_with(b"WRITTEN TO A: BY INT 13h AH=03h"));
    assert_eq!(last[511], 0xF1);
    let hd = pc.hard_disk_image(0).expect("hard disk");
    assert!(hd.is_modified());
    for lba in [200usize, 1136] {
        let s = &hd.bytes()[lba * 512..(lba + 1) * 512];
        assert!(s.starts_with(b"WRITTEN TO C: BY INT 13h"), "LBA {lba}");
        assert_eq!(s[511], 0xC3);
    }
    // The BIOS data area and CMOS describe the drives.
    assert_eq!(pc.board.mem.read16(0x410) & 0xC1, 0x01, "one floppy drive");
    assert_eq!(pc.board.mem.read8(0x475), 1, "one hard disk");
    assert_eq!(pc.board.cmos.ram[0x10], 0x40, "1.44M drive A:, no B:");
    assert_eq!(pc.board.cmos.ram[0x12], 0xF0);
    assert_eq!(pc.board.cmos.ram[0x19], 47);
    // INT 41h points at a fixed disk parameter table with the disk's geometry.
    let off = pc.board.mem.read16(0x41 * 4) as u32;
    let seg = pc.board.mem.read16(0x41 * 4 + 2) as u32;
    let t = pc.read((seg << 4) + off, 16);
    assert_eq!(
        (u16::from_le_bytes([t[0], t[1]]), t[2], t[14]),
        (20, 16, 63)
    );
}

#[test]
fn a_guest_drives_the_fdc_and_ata_through_their_ports() {
    let mut pc = machine(&common::assemble("disk_ports"));
    let out = run_to_done(&mut pc);
    let expected = "\
fdc reset: C0 00 C1 00 C2 00 C3 00
version: 90
recalibrate: 20 00
seek: 20 02 dir=00
read C2H0R3: 00 00 00 02 00 04 02 data=004A
write C2H0R5: 00 00 00 02 00 06 02
read id: 00 00 00 02 00 02 02
drive status: 28
identify: 58 chs=0014/0010/003F lba=00005000 w47=8010 model=AULA86 HARDDISK 
read LBA300x2: 58 012C 58 012D status=50
write LBA400: 50
reset signature: 01 01 01 00 00 A0 
slave status: 00
DONE
";
    assert_eq!(out, expected);
    let fd = pc.floppy_image(0).expect("floppy");
    assert!(fd.is_modified());
    assert!(fd.bytes()[76 * 512..].starts_with(b"WRITTEN THROUGH THE PORTS"));
    let hd = pc.hard_disk_image(0).expect("hard disk");
    assert!(hd.is_modified());
    assert!(hd.bytes()[400 * 512..].starts_with(b"WRITTEN THROUGH THE PORTS"));
}

#[test]
fn boot_skips_a_blank_floppy_and_boots_the_hard_disk() {
    // A blank floppy in A: is not booted; INT 19h goes on to C:, whose MBR prints and halts.
    let mut pc = new_pc(4 << 20);
    let mut bytes = hard_disk().bytes().to_vec();
    let code = [
        0xB0, b'C', 0xE6, 0xE9, // mov al,'C'; out 0E9h,al
        0xB0, b'\n', 0xE6, 0xE9, 0xFA, 0xF4, // mov al,10; out 0E9h,al; cli; hlt
    ];
    bytes[..code.len()].copy_from_slice(&code);
    let img = DiskImage::from_bytes(bytes, Some(DiskKind::HardDisk)).expect("image");
    pc.attach_hard_disk(0, img).expect("attach");
    let blank = DiskImage::from_bytes(vec![0; 737_280], None).expect("720K");
    pc.insert_floppy(0, blank).expect("insert");
    let _ = pc.run(5_000_000, None);
    assert_eq!(pc.debug_output(), b"C\n");
    let e = pc::bios::disk::boot_sector(&mut pc, 0).expect_err("blank floppy");
    assert!(e.contains("not bootable"), "{e}");
    assert!(pc::bios::disk::boot_sector(&mut pc, 0x80).is_ok());
    assert!(pc::bios::disk::boot_sector(&mut pc, 0x81).is_err());
    pc.eject_floppy(0);
    let e = pc::bios::disk::boot_sector(&mut pc, 0).expect_err("no disk");
    assert_eq!(e, "no disk in drive A:");
}

#[test]
fn nothing_to_boot_says_so() {
    let mut pc = new_pc(4 << 20);
    let _ = pc.run(2_000_000, None);
    assert!(
        pc.bios
            .messages
            .iter()
            .any(|m| m.contains("No bootable disk")),
        "{:?}",
        pc.bios.messages
    );
}

#[test]
fn drive_slots_refuse_the_wrong_kind_of_image() {
    let mut pc = new_pc(4 << 20);
    let e = pc
        .insert_floppy(0, hard_disk())
        .expect_err("a hard disk is no floppy");
    assert!(e.to_string().contains("floppy"), "{e}");
    let fd = floppy_with(&[]);
    assert!(pc.attach_hard_disk(0, fd.clone()).is_err());
    assert!(pc.attach_hard_disk(2, hard_disk()).is_err());
    assert!(pc.insert_floppy(2, fd.clone()).is_err());
    assert!(pc.insert_floppy(1, fd).expect("B:").is_none());
    assert!(pc.floppy_image(1).is_some());
    assert_eq!(
        pc.board.fdc.drives[1].drive_type, 4,
        "B: became a 1.44M drive"
    );
}

/// Call INT 13h directly with AX, BX, CX, DX and ES; returns AX, BX, CX, DX, ES, DI and CF.
fn int13(pc: &mut Pc, ax: u16, bx: u16, cx: u16, dx: u16, es: u16) -> ([u16; 6], bool) {
    use pc::bios::Regs;
    use pc::cpu::SegReg;
    pc.cpu.set_ax(ax);
    pc.cpu.set_bx(bx);
    pc.cpu.set_cx(cx);
    pc.cpu.set_dx(dx);
    pc.cpu.load_seg_real(SegReg::Es, es);
    pc.cpu.load_seg_real(SegReg::Ss, 0);
    pc.cpu.regs[4] = 0x7000;
    pc.board.mem.write16(0x7004, 0x0202);
    let _ = pc::bios::disk::int13(pc);
    let cf = pc.board.mem.read16(0x7004) & 1 != 0;
    let r = [
        pc.cpu.ax(),
        pc.cpu.bx(),
        pc.cpu.cx(),
        pc.cpu.dx(),
        pc.cpu.seg_selector(SegReg::Es),
        pc.cpu.regs[7] as u16,
    ];
    (r, cf)
}

#[test]
fn int13_change_line_write_protect_no_disk_format_and_media_type() {
    let mut pc = new_pc(4 << 20);
    // POST with a blank (unbootable) floppy: the BIOS ends up waiting in INT 18h.
    pc.insert_floppy(
        0,
        DiskImage::from_bytes(vec![0; 1_474_560], None).expect("fd"),
    )
    .expect("insert");
    let _ = pc.run(2_000_000, None);
    // A disk was inserted: the change line says so, in INT 13h and in the FDC's DIR.
    let (r, cf) = int13(&mut pc, 0x1600, 0, 0, 0x0000, 0);
    assert_eq!((r[0] >> 8, cf), (0x06, true));
    pc.board.port_write(0x3F2, 0x1C);
    assert_eq!(pc.board.port_read(0x3F7) & 0x80, 0x80);
    // A read steps the head: the line clears.
    let (r, cf) = int13(&mut pc, 0x0201, 0x9000, 0x0101, 0x0000, 0);
    assert_eq!((r[0], cf), (0x0001, false));
    let (r, cf) = int13(&mut pc, 0x1600, 0, 0, 0x0000, 0);
    assert_eq!((r[0] >> 8, cf), (0x00, false));
    assert_eq!(pc.board.port_read(0x3F7) & 0x80, 0);
    // Format C3 H1 with 18 address fields: sectors filled with the DPT's fill byte (F6h).
    let (r, cf) = int13(&mut pc, 0x1800, 0, 0x4F12, 0x0000, 0);
    assert_eq!((r[0] >> 8, cf), (0x00, false));
    assert_eq!(r[4], 0xF000);
    let dpt = pc.read(0xF0000 + r[5] as u32, 11);
    assert_eq!(dpt[4], 18, "AH=18h points at the 1.44M table");
    let (_, cf) = int13(&mut pc, 0x1704, 0, 0, 0x0000, 0);
    assert!(!cf, "AH=17h: 720K media in a 1.44M drive is fine");
    let (_, cf) = int13(&mut pc, 0x1800, 0, 0x4F24, 0x0000, 0);
    assert!(cf, "2.88M media in a 1.44M drive is not");
    let fields: Vec<u8> = (1..=18u8).flat_map(|s| [3, 1, s, 2]).collect();
    pc.board.mem.write_bytes(0x8000, &fields);
    let (r, cf) = int13(&mut pc, 0x0512, 0x8000, 0x0300, 0x0100, 0);
    assert_eq!((r[0] >> 8, cf), (0x00, false));
    let fd = pc.floppy_image(0).expect("fd");
    let track = (3 * 2 + 1) * 18 * 512;
    assert!(fd.bytes()[track..track + 18 * 512]
        .iter()
        .all(|&b| b == 0xF6));
    assert_eq!(fd.bytes()[track - 1], 0);
    // Write protected.
    if let Some(img) = pc.floppy_image_mut(0) {
        img.set_writable(false);
    }
    let (r, cf) = int13(&mut pc, 0x0301, 0x9000, 0x0001, 0x0000, 0);
    assert_eq!((r[0], cf), (0x0300, true));
    assert_eq!(pc.board.mem.read8(0x441), 0x03, "status in 40:41");
    let (r, cf) = int13(&mut pc, 0x0100, 0, 0, 0x0000, 0);
    assert_eq!((r[0] >> 8, cf), (0x03, true));
    // No disk: timeout; a new disk: changed again.
    pc.eject_floppy(0);
    let (r, cf) = int13(&mut pc, 0x0201, 0x9000, 0x0001, 0x0000, 0);
    assert_eq!((r[0], cf), (0x8000, true));
    pc.insert_floppy(0, DiskImage::blank_floppy(&pc::disk::FLOPPY_FORMATS[6]))
        .expect("insert");
    let (r, _) = int13(&mut pc, 0x1600, 0, 0, 0x0000, 0);
    assert_eq!(r[0] >> 8, 0x06);
    // A read into the BIOS ROM leaves the ROM alone; reads respect the A20 gate.
    let (_, cf) = int13(&mut pc, 0x0201, 0x0000, 0x0001, 0x0000, 0xF000);
    assert!(!cf);
    assert_eq!(pc.read(0xFFFF0, 1), vec![0xEA]);
    pc.board.sys.a20_kbc = false;
    pc.board.sys.a20_fast = false;
    pc.board.mem.a20_mask = 0xFFEF_FFFF;
    pc.board.mem.write_bytes(0x0000, &[0x77; 16]);
    let (_, cf) = int13(&mut pc, 0x0201, 0x0010, 0x0001, 0x0000, 0xFFFF);
    assert!(!cf);
    assert_eq!(
        pc.read(0, 4),
        vec![0, 0, 0, 0],
        "FFFF:0010 wraps to 0 with A20 off"
    );
}

/// SeaBIOS (Debian's build, from the project's fixtures or the installed package): a BIOS
/// written by others that drives the floppy controller (DMA, IRQ6) and the ATA disk through
/// their ports for its own INT 13h.
fn seabios() -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join(".cache/fixtures/out/seabios/bios.bin"),
        PathBuf::from("/usr/share/seabios/bios.bin"),
    ]
    .iter()
    .find_map(|p| std::fs::read(p).ok())
}

#[test]
fn seabios_boots_and_runs_both_guests_through_the_controllers() {
    let Some(rom) = seabios() else {
        eprintln!("SKIPPED: no SeaBIOS (scripts/fixtures seabios, or Debian package seabios)");
        return;
    };
    let firmware = || pc::Firmware::Rom {
        bios: rom.clone(),
        vga_bios: None,
    };
    // The port-level guest gives the same report as under the built-in BIOS, except READ ID,
    // whose sector depends on how often the BIOS read IDs before.
    let mut pc = machine_with(&common::assemble("disk_ports"), firmware());
    let out = run_to_done(&mut pc);
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("read id:")).collect();
    assert_eq!(
        lines,
        vec![
            "fdc reset: C0 00 C1 00 C2 00 C3 00",
            "version: 90",
            "recalibrate: 20 00",
            "seek: 20 02 dir=00",
            "read C2H0R3: 00 00 00 02 00 04 02 data=004A",
            "write C2H0R5: 00 00 00 02 00 06 02",
            "drive status: 28",
            "identify: 58 chs=0014/0010/003F lba=00005000 w47=8010 model=AULA86 HARDDISK ",
            "read LBA300x2: 58 012C 58 012D status=50",
            "write LBA400: 50",
            "reset signature: 01 01 01 00 00 A0 ",
            "slave status: 00",
            "DONE",
        ]
    );
    // The INT 13h guest: SeaBIOS's own policies differ (tables, EDD version, error codes), but
    // the data it moves through the controllers must be the same.
    let mut pc = machine_with(&common::assemble("disk_bios"), firmware());
    let out = run_to_done(&mut pc);
    for line in [
        "A: 02 C0H1S1x2 cf=0 ah=00 al=02 data=0012 0013",
        "A: 03 C79H1S18 cf=0 ah=00 al=01",
        "A: 02 readback cf=0 ah=00 same",
        "A: 02 1000:FF00 cf=1 ah=09 al=00",
        "C: 42 LBA100x2 cf=0 ah=00 count=0002 data=0064 0065",
        "C: 43 LBA200 cf=0 ah=00 count=0001",
        "C: 02 C0H0S1 cf=0 ah=00 al=01 data=AA55",
        "C: 03 C1H2S3 cf=0 ah=00 al=01",
        "C: 08 cf=0 ah=00 cx=123F dx=0F01",
        "DONE",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    let fd = pc.floppy_image(0).expect("floppy");
    assert!(fd.bytes()[2879 * 512..].starts_with(b"WRITTEN TO A: BY INT 13h AH=03h"));
    let hd = pc.hard_disk_image(0).expect("hard disk");
    for lba in [200usize, 1136] {
        assert!(hd.bytes()[lba * 512..].starts_with(b"WRITTEN TO C: BY INT 13h"));
    }
}
