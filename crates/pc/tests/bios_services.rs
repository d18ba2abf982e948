//! BIOS services other than video and disk: a guest (tests/guests/bios_services.asm, assembled
//! with nasm here) booted from a floppy calls INT 11h, 12h, 14h, 15h, 16h, 17h, 1Ah and 19h,
//! and hooks INT 1Ch, 15h/4Fh, 4Ah (RTC alarm) and 1Bh (Ctrl+Break), reporting each answer on
//! port E9h. The host answers its requests: bytes into COM1, keys typed through the real
//! keyboard path (8042, IRQ1, INT 09h), keys held down and released, Ctrl+Pause. The transcript is compared exactly under the built-in BIOS, and the lines
//! whose answers are defined the same way are checked under SeaBIOS.

use pc::cpu::Model;
use pc::disk::DiskImage;
use pc::{Exit, Pc};
use std::path::PathBuf;

mod common;

fn machine(firmware: pc::Firmware) -> Pc {
    let program = common::assemble("bios_services");
    let mut bytes = vec![0u8; 1_474_560];
    bytes[..program.len()].copy_from_slice(&program);
    let mut pc = Pc::with_config(pc::Config {
        model: Model::PentiumPro,
        mem_bytes: 16 << 20,
        firmware,
        ..pc::Config::default()
    })
    .expect("machine");
    // As in disk_boot.rs: A20 on before the first instruction (reset vector alias).
    pc.board.sys.a20_kbc = true;
    pc.board.mem.a20_mask = 0xFFFF_FFFF;
    let floppy = DiskImage::from_bytes(bytes, None).expect("floppy image");
    pc.insert_floppy(0, floppy).expect("insert");
    pc
}

/// The keys typed when the guest asks (set-1 codes; 0xE0xx extended): q (turned into w by
/// the guest's INT 15h/4Fh hook), Shift+A, Ctrl+A, Alt+A, grey Up twice, F12 then b, and
/// right Ctrl and left Shift pressed and held.
fn keys() -> Vec<(u16, bool)> {
    let tap = |c: u16| [(c, true), (c, false)];
    let with = |m: u16, c: u16| [(m, true), (c, true), (c, false), (m, false)];
    let mut k = Vec::new();
    k.extend(tap(0x10));
    k.extend(with(0x2A, 0x1E));
    k.extend(with(0x1D, 0x1E));
    k.extend(with(0x38, 0x1E));
    k.extend(tap(0xE048));
    k.extend(tap(0xE048));
    k.extend(tap(0x58));
    k.extend(tap(0x30));
    k.extend([(0xE01D, true), (0x2A, true)]);
    k
}

/// Run the guest, answering its requests, until it prints DONE or stops. Returns the E9h
/// transcript and what it sent to COM1.
fn run(pc: &mut Pc) -> (String, Vec<u8>) {
    let mut serial = Vec::new();
    let (mut sent, mut typed, mut released, mut broke) = (false, false, false, false);
    // Slices of at most 5 ms of emulated time, so that the host answers a request before the
    // guest, halted between timer ticks, gives up waiting.
    for _ in 0..20_000 {
        let until = pc.now() + 5_000_000;
        let exit = pc.run(200_000, Some(until));
        serial.extend(pc.take_serial());
        let out = String::from_utf8_lossy(pc.debug_output()).into_owned();
        if out.contains("DONE\n") || !matches!(exit, Exit::Budget | Exit::TimeLimit | Exit::Idle) {
            return (out, serial);
        }
        if !sent && out.contains("SERIAL?\n") {
            pc.serial_input(b"ok");
            sent = true;
        }
        if !typed && out.contains("KEYS?\n") {
            pc.queue_keys(&keys());
            typed = true;
        }
        if !released && out.contains("RELEASE?\n") {
            pc.queue_keys(&[(0x2A, false), (0xE01D, false)]);
            released = true;
        }
        if !broke && out.contains("BREAK?\n") {
            // Ctrl+Pause: the keyboard sends E0 46 E0 C6 while Ctrl is held.
            pc.queue_keys(&[(0x1D, true), (0xE046, true), (0xE046, false), (0x1D, false)]);
            broke = true;
        }
    }
    let out = String::from_utf8_lossy(pc.debug_output()).into_owned();
    (out, serial)
}

const EXPECTED: &str = "\
BOOT
11h ax=0227
12h ax=027F
E820 0000000000000000 000000000009FC00 01
E820 000000000009FC00 0000000000000400 02
E820 00000000000E0000 0000000000020000 02
E820 0000000000100000 0000000000F00000 01
E820 00000000FFFC0000 0000000000040000 02
E820 entries=05
E801 cf=0 ah=3C ax=3C00 bx=0000 cx=3C00 dx=0000
88h cf=0 ax=3C00
C0h cf=0 ah=00 table=0008 08 00 FC 01 00 74 40 00 00 00
2402h cf=0 ah=00 al=01 wrap=0
2400h cf=0 ah=00 wrap=1 al=00
2401h cf=0 ah=00 wrap=0 al=01
2403h cf=0 ah=00 bx=0003
87h up cf=0 ah=00 zf=1
87h back cf=0 ah=00 same
86h 200ms cf=0 ah=00 ticks=ok
1A03 set 12:34:56 cf=0
1A02 cf=0 time=12:34:56 dl=00
1A05 set 2025-12-31 cf=0
1A04 cf=0 date=2025-12-31
1A06 set cf=0
1A06 again cf=1
1A07 cf=0
1A06 after reset cf=0
4Ah alarm calls=0001
1A00 al=00 cx=0012 dx=3456
1A00 midnight al=01 cx=0000 dx=0000
1A00 al=00
1Ch count over 5 ticks=0005
1400 9600 8N1 ax=60B0
1401 Hi ah=60
1403 ah=60
SERIAL?
1402 ah=00 al=6F
1402 ah=00 al=6B
1403 ah=60
1402 time-out ah=80
1400 COM2 ah=80
1702 LPT1 ah=01
1601 empty zf=1
1611 empty zf=1
1605 1234 al=00
1611 zf=0 ax=1234
1601 zf=0 ax=1234
1610 ax=1234
1605 fill stored=0F al=01
160A bx=41AB
KEYS?
key q via 4Fh ax=1177
key shift+a ax=1E41
key ctrl+a ax=1E01
key alt+a ax=1E00
key up 10h ax=48E0
key up 00h ax=4800
key F12 11h zf=0 ax=8600
key b 01h zf=0 ax=3062
key b 00h ax=3062
1602 held al=06
1612 ax=0406
RELEASE?
1612 ax=0000
4Fh calls=0020
BREAK?
1Bh ctrl+break calls=0001 40:71h=80
key ctrl+break ax=0000
1611 empty zf=1
19h reboot
booted again dl=00
DONE
";

#[test]
fn builtin_bios_services_transcript() {
    let mut pc = machine(pc::Firmware::Builtin);
    let (out, serial) = run(&mut pc);
    assert_eq!(out, EXPECTED, "transcript:\n{out}");
    assert_eq!(serial, b"Hi");
}

fn seabios() -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join(".cache/fixtures/out/seabios");
    let bios = std::fs::read(dir.join("bios.bin"))
        .or_else(|_| std::fs::read("/usr/share/seabios/bios.bin"))
        .ok()?;
    let vga = std::fs::read(dir.join("vgabios-stdvga.bin")).ok();
    Some((bios, vga))
}

/// Lines whose answers SeaBIOS defines differently (its memory map and table, A20 through port
/// 92h only, AH left as it was, line status with the data-ready bit, COM2/LPT1 policies, F11/F12
/// kept for the classic INT 16h functions).
const DIFFERENT_UNDER_SEABIOS: &[&str] = &[
    "E820",
    "E801",
    "88h",
    "C0h",
    "2400h",
    "86h",
    "1402",
    "1400 COM2",
    "1702",
    "key F12",
    "key b",
    "1611 empty",
];

#[test]
fn seabios_bios_services_agree() {
    let Some((bios, vga_bios)) = seabios() else {
        eprintln!("SKIPPED: no SeaBIOS (scripts/fixtures seabios, or Debian package seabios)");
        return;
    };
    let mut pc = machine(pc::Firmware::Rom { bios, vga_bios });
    let (out, serial) = run(&mut pc);
    assert!(out.ends_with("DONE\n"), "transcript:\n{out}");
    assert_eq!(serial, b"Hi");
    // The same lines, in the same order, where the answers are defined alike.
    let mut lines = out.lines().skip_while(|l| *l != "BOOT");
    for want in EXPECTED
        .lines()
        .filter(|l| !DIFFERENT_UNDER_SEABIOS.iter().any(|p| l.starts_with(p)))
    {
        assert!(
            lines.any(|l| l == want),
            "missing {want:?} (in order) in:\n{out}"
        );
    }
    // And where they differ, what is defined alike.
    for want in [
        "E820 0000000000000000 000000000009FC00 01",
        "1402 ah=61 al=6F",
        "1402 ah=61 al=6B",
        "1611 empty zf=1",
    ] {
        assert!(
            out.lines().any(|l| l == want),
            "missing {want:?} in:\n{out}"
        );
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("86h 200ms cf=0 ") && l.ends_with(" ticks=ok")),
        "INT 15h/86h: {out}"
    );
}
