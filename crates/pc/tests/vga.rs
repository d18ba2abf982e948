//! The VGA and the video BIOS, end to end: guest programs (tests/guests/vga_*.asm, assembled
//! with nasm here) set modes through INT 10h and draw; at each checkpoint (`cli; hlt`) the test
//! reads the text screen, hashes the picture and spot-checks pixels.

use pc::cpu::{Bus, Model, SegReg};
use pc::{Exit, Pc};
use std::path::PathBuf;

mod common;

/// A machine that has run POST (which sets mode 3 and, with no disk, waits in INT 18h), with
/// the guest at 0000:7C00 about to run.
fn boot(guest: &str) -> Pc {
    let bin = common::assemble(guest);
    let mut pc = Pc::new(Model::PentiumPro, 16 << 20).expect("machine");
    // Enter POST at its entry point directly.
    pc.cpu.load_seg_real(SegReg::Cs, 0xF000);
    pc.cpu.eip = 0xE05B;
    pc.run(3_000_000, None);
    assert_eq!(pc.read(0x449, 1)[0], 3, "POST leaves mode 3");
    assert_eq!(pc.video_mode(), "text 80x25");
    pc.load(0x7C00, &bin).expect("load guest");
    for s in [SegReg::Cs, SegReg::Ds, SegReg::Es, SegReg::Ss] {
        pc.cpu.load_seg_real(s, 0);
    }
    pc.cpu.eip = 0x7C00;
    pc.cpu.regs[4] = 0x7C00;
    pc.cpu.set_eflags(0x0002);
    pc.cpu.halted = false;
    pc
}

/// Run the guest to its next checkpoint.
fn next(pc: &mut Pc) {
    pc.cpu.halted = false;
    let exit = pc.run(50_000_000, None);
    assert_eq!(exit, Exit::Stopped, "guest did not reach its checkpoint");
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// With AULA86_VGA_DUMP=DIR set, pictures are also written there as PPM files to look at.
fn dump(f: &(u32, u32, Vec<u8>), name: &str) {
    let Some(dir) = std::env::var_os("AULA86_VGA_DUMP") else {
        return;
    };
    let mut ppm = format!("P6\n{} {}\n255\n", f.0, f.1).into_bytes();
    for px in f.2.chunks_exact(4) {
        ppm.extend_from_slice(&px[..3]);
    }
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _ = std::fs::write(PathBuf::from(dir).join(format!("{n:02}-{name}.ppm")), ppm);
}

/// Render: the picture must be new; a second call must say nothing changed.
fn frame(pc: &mut Pc) -> (u32, u32, Vec<u8>) {
    let f = pc
        .render_frame()
        .expect("a new picture after the guest drew");
    let out = (f.width, f.height, f.rgba.to_vec());
    dump(&out, &pc.video_mode().replace(' ', "_"));
    assert!(
        pc.render_frame().is_none(),
        "nothing changed since the last picture"
    );
    out
}

fn pixel(f: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 4] {
    let i = ((y * f.0 + x) * 4) as usize;
    [f.2[i], f.2[i + 1], f.2[i + 2], f.2[i + 3]]
}

fn word(pc: &mut Pc, addr: u32) -> u16 {
    let b = pc.read(addr, 2);
    u16::from_le_bytes([b[0], b[1]])
}

fn lines(pc: &Pc) -> Vec<String> {
    pc.screen_text().split('\n').map(str::to_string).collect()
}

#[test]
fn text_modes_through_int10() {
    let mut pc = boot("vga_text");

    // 1: teletype, write string, repeated characters, box drawing, read-backs.
    next(&mut pc);
    let l = lines(&pc);
    assert_eq!(l.len(), 25);
    assert_eq!(l[0], "Hello, VGA!");
    assert_eq!(l[2], "          Written by AH=13h*****");
    assert_eq!(l[4], "xxx");
    assert_eq!(l[5], "╔══╗");
    assert_eq!(word(&mut pc, 0x600), 0x0504, "cursor after the box");
    assert_eq!(word(&mut pc, 0x602), 0x0607, "cursor shape");
    assert_eq!(word(&mut pc, 0x604), 0x1E57, "'W' in 1Eh");
    assert_eq!(word(&mut pc, 0x606), 0x5003, "80 columns, mode 3");
    assert_eq!(pc.read(0x609, 1)[0], 0, "page 0");
    // The attributes reached video memory: '*' in 4Fh, and 'x' kept the blank's 07h.
    let vga = &pc.board.vga;
    assert_eq!(
        (
            vga.plane_byte(0, 2 * (2 * 80 + 27)),
            vga.plane_byte(1, 2 * (2 * 80 + 27))
        ),
        (b'*', 0x4F)
    );
    assert_eq!(vga.plane_byte(1, 2 * (4 * 80)), 0x07);
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (720, 400));
    // 'H' at the top left: its left stem is lit somewhere in the cell's first columns.
    let lit = (0..16).any(|y| pixel(&f, 1, y) == [0xAA, 0xAA, 0xAA, 255]);
    assert!(lit, "the H is drawn in light grey");
    // Row 2 from column 10 is yellow on blue: the cell's top-left pixel is blue.
    assert_eq!(pixel(&f, 10 * 9, 2 * 16), [0, 0, 0xAA, 255]);

    // 2: thirty lines scroll the screen; backspace overwrites.
    next(&mut pc);
    let l = lines(&pc);
    assert_eq!(l[0], "Line 06");
    assert_eq!(l[23], "Line 29");
    assert_eq!(l[24], "ABD");
    frame(&mut pc);

    // 3: window scrolls up and down.
    next(&mut pc);
    let l = lines(&pc);
    assert_eq!(&l[..6], ["", "", "B", "E", "", ""]);
    assert_eq!(
        pc.board.vga.plane_byte(1, 0),
        0x17,
        "blank lines of AH=07h take BH"
    );
    assert_eq!(pc.board.vga.plane_byte(1, 2 * 3 * 80), 0x07);
    frame(&mut pc);

    // 4: 40 columns.
    next(&mut pc);
    assert_eq!(pc.video_mode(), "text 40x25");
    assert_eq!(lines(&pc)[0], "Forty columns");
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (720, 400), "40 columns, each dot shown twice");

    // 5: 80x50 with the 8x8 font; INT 10h/1130h.
    next(&mut pc);
    assert_eq!(pc.video_mode(), "text 80x50");
    let l = lines(&pc);
    assert_eq!(l.len(), 50);
    assert_eq!(l[0], "Fifty rows");
    assert_eq!(l[49], "Bottom");
    assert_eq!(
        pc.read(0x484, 2),
        [49, 8],
        "BDA rows-1 and character height"
    );
    let (seg, off) = (word(&mut pc, 0x610), word(&mut pc, 0x612));
    assert_eq!(word(&mut pc, 0x614), 8, "CX = bytes a character");
    assert_eq!(pc.read(0x616, 1)[0], 49, "DL = rows - 1");
    let at = ((seg as u32) << 4) + off as u32;
    assert_eq!(
        pc.read(at + 16 * 0x41, 16),
        pc::devices::vga::font::FONT_8X16[16 * 0x41..16 * 0x42]
    );
    assert_eq!(
        (word(&mut pc, 0x618), word(&mut pc, 0x61A)),
        (0xF000, 0xFA6E)
    );
    assert_eq!(pc.read(0xFFA6E, 8), pc::devices::vga::font::FONT_8X8[..8]);
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (720, 400));

    // 6: palette, DAC, display combination, EGA information.
    next(&mut pc);
    assert_eq!(pc.read(0x621, 1)[0], 10, "DAC red");
    assert_eq!(word(&mut pc, 0x622), 20 << 8 | 30, "DAC green, blue");
    assert_eq!(pc.read(0x624, 1)[0], 0x3F, "palette register 1");
    assert_eq!(pc.read(0x626, 1)[0], 0x1A, "AX=1A00h is supported");
    assert_eq!(
        word(&mut pc, 0x628),
        0x0008,
        "VGA with analog colour display"
    );
    assert_eq!(word(&mut pc, 0x62A), 0x0003, "colour, 256 KiB");
    // Blink: the 'B' at the top left appears and disappears with emulated time.
    let on = frame(&mut pc);
    let mut changed = 0;
    let start = pc.now();
    for step in 1..=8 {
        // The guest is stopped at its checkpoint: move emulated time on by hand.
        let insns = pc.cpu.counters.instructions;
        pc.board.set_time(start + step * 120_000_000, insns);
        if pc.render_frame().is_some() {
            changed += 1;
        }
    }
    assert!(
        changed >= 3,
        "cursor and blink phases change the picture ({changed})"
    );
    assert_eq!(
        pixel(&on, 0, 0),
        [0, 0, 0, 255],
        "blinking: background black"
    );

    // A write outside the visible page changes nothing; one inside does.
    let _ = pc.render_frame();
    pc.board.vga.attr[0x10] &= !0x08; // stop the character blink for this part
    pc.board.vga.crtc[0x0A] |= 0x20; // and the cursor
    pc.board.vga.dirty = true;
    let _ = pc.render_frame();
    pc.board.write8(0xB9000, b'Z');
    assert!(pc.render_frame().is_none(), "page 1 is not shown");
    pc.board.write8(0xB8000 + 2 * 81, b'Z');
    // A screenshot in between takes the new picture, but the host that draws changes still
    // gets these rows with its next one.
    let shot = pc.current_frame().expect("a picture").rgba.to_vec();
    let f = pc.render_frame().expect("page 0 is shown");
    assert!(
        f.rgba == shot.as_slice(),
        "the same picture as the screenshot"
    );
    let (first, end) = f.changed_rows;
    assert!(
        16 <= first && first < end && end <= 32,
        "only pixel rows of the second character row changed: {first}..{end}"
    );
    pc.board.vga.attr[0x10] |= 0x08;
    pc.board.vga.crtc[0x0A] &= !0x20;

    // 7: blink off: attribute bit 7 is a bright background.
    next(&mut pc);
    assert_eq!(pc.board.vga.attr[0x10] & 0x08, 0);
    let f = pc.current_frame().expect("picture");
    let f = (f.width, f.height, f.rgba.to_vec());
    assert_eq!(
        pixel(&f, 0, 0),
        [0x55, 0x55, 0x55, 255],
        "dark grey background"
    );

    // 8: the character map select register picks font block 1 for attribute bit 3.
    next(&mut pc);
    assert_eq!(pc.board.vga.seq[3], 0x04);
    let f = frame(&mut pc);
    let white = [0xFF, 0xFF, 0xFF, 255];
    let black = [0, 0, 0, 255];
    assert!(
        (0..8).all(|x| (0..16).all(|y| pixel(&f, x, y) == white)),
        "our solid 'A'"
    );
    assert_eq!(
        pixel(&f, 8, 5),
        black,
        "ninth dot of a letter is background"
    );
    assert_eq!(
        pixel(&f, 9 + 3, 0),
        black,
        "the ROM 'A' has a blank top line"
    );
    assert!((0..16).any(|y| pixel(&f, 9 + 1, y) == [0xAA, 0xAA, 0xAA, 255]));
}

#[test]
fn line_graphics_repeat_the_eighth_dot() {
    let mut pc = boot("vga_text");
    next(&mut pc);
    let f = frame(&mut pc);
    // Row 5 holds the box top: 0C9h, 0CDh, 0CDh, 0BBh. Where the double line of 0CDh lights
    // its eighth dot, the ninth is lit too; 'H' on row 0 never lights its ninth dot.
    let grey = [0xAA, 0xAA, 0xAA, 255];
    let rows: Vec<u32> = (80..96).filter(|&y| pixel(&f, 9 + 7, y) == grey).collect();
    assert!(!rows.is_empty(), "the double line is drawn");
    for &y in &rows {
        assert_eq!(pixel(&f, 9 + 8, y), grey, "ninth dot repeats the eighth");
    }
    assert!((0..16).all(|y| pixel(&f, 8, y) == [0, 0, 0, 255]));
}

/// (mode name, FNV-1a of the RGBA picture) at each graphics checkpoint.
const GRAPHICS_HASHES: [(&str, u64); 7] = [
    ("320x200x4", 0x89c231bece6045c5),
    ("640x200x2", 0xc07e7b90b8dacc15),
    ("320x200x16", 0x2f7123ee3fff18b5),
    ("640x480x16", 0x2c2772847a4d3dc4),
    ("320x200x256", 0x2661f904e1021a5e),
    // With A20 on (as after reset) the whole 50x50 square reaches the frame buffer above 1 MiB.
    ("vbe 800x600x32", 0x3cb0e73a3c5a8bbd),
    ("vbe 640x480x8", 0xc80bb649ed2a70a5),
];

#[test]
fn graphics_modes_through_int10() {
    let mut pc = boot("vga_gfx");
    let mut got = Vec::new();

    // 1: mode 4.
    next(&mut pc);
    assert_eq!(pc.screen_text(), "");
    assert_eq!(pc.read(0x600, 1)[0], 2, "pixel (10,10) reads back colour 2");
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (320, 200));
    // Colour 2 in palette 0 with intensity: light red.
    assert_eq!(pixel(&f, 10, 10), [0xFF, 0x55, 0x55, 255]);
    assert_eq!(pixel(&f, 11, 10), [0, 0, 0, 255]);
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 2: mode 6.
    next(&mut pc);
    assert_eq!(pc.read(0x601, 2), [1, 0]);
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (640, 200));
    assert_eq!(pixel(&f, 60, 60), [0xFF, 0xFF, 0xFF, 255]);
    assert_eq!(pixel(&f, 49, 60), [0, 0, 0, 255]);
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 3: mode 0Dh.
    next(&mut pc);
    assert_eq!(pc.read(0x603, 2), [1, 12]);
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (320, 200));
    assert_eq!(pixel(&f, 25, 5), [0, 0, 0xAA, 255], "bar 1 is blue");
    assert_eq!(
        pixel(&f, 305, 39),
        [0xFF, 0xFF, 0xFF, 255],
        "bar 15 is white"
    );
    assert_eq!(
        pixel(&f, 3, 100),
        [0xFF, 0x55, 0x55, 255],
        "map mask line in colour 12"
    );
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 4: mode 12h.
    next(&mut pc);
    assert_eq!(pc.read(0x605, 1)[0], 9);
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (640, 480));
    assert_eq!(
        pixel(&f, 330, 250),
        [0x55, 0x55, 0xFF, 255],
        "write mode 2 rectangle"
    );
    assert_eq!(pixel(&f, 639, 0), [0xFF, 0xFF, 0xFF, 255]);
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 5: mode 13h.
    next(&mut pc);
    assert_eq!(
        pc.read(0x606, 2),
        [8, b'2'],
        "pixel and character read back"
    );
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (320, 200));
    assert_eq!(pixel(&f, 40, 0), [0xFF, 0, 0, 255], "colour 40 is red");
    assert_eq!(pixel(&f, 4, 0), [0xAA, 0, 0, 255], "colour 4 is red");
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 6: VBE 800x600x32 with the linear frame buffer.
    next(&mut pc);
    assert_eq!(word(&mut pc, 0x610), 0x004F, "4F00h");
    assert_eq!(pc.read(0x800, 4), b"VESA");
    let mode = word(&mut pc, 0x612);
    assert_ne!(mode, 0xFFFF, "800x600x32 is in the mode list");
    assert_eq!(word(&mut pc, 0x614), 0x004F, "4F02h");
    assert_eq!(word(&mut pc, 0x616), mode | 0x4000, "4F03h");
    let lfb = pc.read(0xA00 + 0x28, 4);
    assert_eq!(
        u32::from_le_bytes([lfb[0], lfb[1], lfb[2], lfb[3]]),
        0xE000_0000
    );
    assert_eq!(pc.video_mode(), "vbe 800x600x32");
    // The host draws a green rectangle through the linear frame buffer.
    for y in 100..200u32 {
        for x in 100..300u32 {
            pc.board
                .write32(0xE000_0000 + (y * 800 + x) * 4, 0x0000_FF00);
        }
    }
    assert_eq!(
        pc.board.read32(0xE000_0000 + (150 * 800 + 150) * 4),
        0x0000_FF00
    );
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (800, 600));
    assert_eq!(pixel(&f, 150, 150), [0, 0xFF, 0, 255]);
    assert_eq!(
        pixel(&f, 3, 2),
        [0x80, 0x20, 3, 255],
        "bank window gradient"
    );
    assert_eq!(pixel(&f, 384 + 50, 20), [0xFF, 0, 0, 255], "bank 1");
    assert_eq!(
        pixel(&f, 425, 325),
        [0xFF, 0, 0xFF, 255],
        "the guest's own stores to the linear frame buffer"
    );
    got.push((pc.video_mode(), fnv1a(&f.2)));

    // 7: VBE 640x480x8 with an 8-bit DAC, 1024-pixel lines and the display starting at line 1.
    next(&mut pc);
    assert_eq!(word(&mut pc, 0x620), 0x004F, "4F02h");
    assert_eq!(pc.read(0x623, 1)[0], 8, "4F08h: 8 bits");
    assert_eq!(word(&mut pc, 0x624), 0x004F, "4F09h");
    assert_eq!(word(&mut pc, 0x626), 0x004F, "4F06h");
    assert_eq!(word(&mut pc, 0x628), 1024, "bytes a line");
    assert_eq!(word(&mut pc, 0x62A), 0x004F, "4F07h");
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (640, 480));
    assert_eq!(pixel(&f, 50, 0), [0xF0, 0x20, 0x10, 255]);
    assert_eq!(pixel(&f, 150, 0), [0, 0, 0, 255]);
    assert_eq!(pixel(&f, 50, 1), [0, 0, 0, 255]);
    got.push((pc.video_mode(), fnv1a(&f.2)));

    for (mode, hash) in &got {
        println!("(\"{mode}\", {hash:#018x}),");
    }
    let want: Vec<(String, u64)> = GRAPHICS_HASHES
        .iter()
        .map(|&(m, h)| (m.to_string(), h))
        .collect();
    assert_eq!(got, want, "mode names and picture hashes");
}

/// Where a real VGA BIOS may be found: the project's fixtures (`scripts/fixtures seabios`),
/// else Debian's seabios package.
fn seavgabios() -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join(".cache/fixtures/out/seabios/vgabios-stdvga.bin"),
        PathBuf::from("/usr/share/seabios/vgabios-stdvga.bin"),
    ]
    .iter()
    .find_map(|p| std::fs::read(p).ok())
}

/// SeaVGABIOS, a real VGA BIOS, programs this VGA through its registers alone: its modes must
/// come out as the same pictures.
#[test]
fn a_real_vga_bios_drives_the_hardware() {
    let Some(rom) = seavgabios() else {
        eprintln!(
            "skipped: no SeaVGABIOS (run scripts/fixtures seabios, or apt-get install seabios)"
        );
        return;
    };
    let mut pc = boot("vga_optionrom");
    pc.load(0xC0000, &rom).expect("option ROM");

    next(&mut pc);
    assert_eq!(pc.video_mode(), "text 80x25");
    assert_eq!(lines(&pc)[0], "Hello from the option ROM");
    assert_eq!(
        word(&mut pc, 0x600),
        0x004F,
        "its VBE found the DISPI interface"
    );
    frame(&mut pc);

    next(&mut pc);
    assert_eq!(pc.video_mode(), "320x200x256");
    let f = frame(&mut pc);
    assert_eq!((f.0, f.1), (320, 200));
    // The standard palette: colour 4 is red, 15 white, 40 bright red.
    assert_eq!(pixel(&f, 4, 0), [0xAA, 0, 0, 255]);
    assert_eq!(pixel(&f, 15, 0), [0xFF, 0xFF, 0xFF, 255]);
    assert_eq!(pixel(&f, 40, 0), [0xFF, 0, 0, 255]);

    next(&mut pc);
    assert_eq!(pc.video_mode(), "640x480x16");
    assert_eq!(pc.screen_text(), "");
    let f = frame(&mut pc);
    assert_eq!(pixel(&f, 100, 100), [0xFF, 0xFF, 0x55, 255]);
    let lit = (0..16).any(|y| (0..8).any(|x| pixel(&f, x, y) == [0xFF, 0xFF, 0xFF, 255]));
    assert!(lit, "the text is drawn");
}
