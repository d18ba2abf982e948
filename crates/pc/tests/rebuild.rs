//! `Pc::with_config_reusing`: a machine rebuilt on the RAM of the one it replaces (the page's
//! reset), so that a power cycle never holds two copies of guest memory, and clears only the
//! RAM its guest wrote.

use pc::cpu::Model;
use pc::disk::DiskImage;
use pc::memory::{FreshRam, Memory, WRITTEN_CHUNK};
use pc::{Config, Exit, Firmware, Pc};
use std::path::PathBuf;

mod common;

fn config(mem_bytes: usize) -> Config {
    Config {
        mem_bytes,
        ..Config::default()
    }
}

#[test]
fn a_rebuilt_machine_takes_the_old_ram_cleared_and_boots_as_a_new_one() {
    let mut old = Pc::with_config(config(4 << 20)).expect("machine");
    old.load(0x20_0000, b"guest data").expect("load");
    old.run(200_000, None);
    let buffer = old.board.mem.ram.as_ptr();
    let mut rebuilt =
        Pc::with_config_reusing(config(4 << 20), &mut old.board.mem).expect("rebuilt");
    assert_eq!(
        rebuilt.board.mem.ram.as_ptr(),
        buffer,
        "the same buffer, not a second one"
    );
    assert!(old.board.mem.ram.is_empty(), "taken from the old machine");
    assert_eq!(rebuilt.read(0x20_0000, 10), vec![0; 10], "cleared");
    // It powers on and runs exactly as a machine built from nothing.
    let mut fresh = Pc::with_config(config(4 << 20)).expect("machine");
    rebuilt.run(200_000, None);
    fresh.run(200_000, None);
    assert_eq!(
        rebuilt.counters().instructions,
        fresh.counters().instructions
    );
    assert_eq!(rebuilt.cpu.regs, fresh.cpu.regs);
    assert!(
        rebuilt.board.mem.ram == fresh.board.mem.ram,
        "the same RAM after the same run"
    );
}

/// RAM cleared a piece at a time (the page's way of making a large machine without a long
/// task) is taken whole by the new machine, which then runs as one built at once.
#[test]
fn a_machine_on_ram_cleared_in_pieces_runs_as_a_new_one() {
    let size = 4 << 20;
    let mut fresh = FreshRam::new(size).expect("room");
    let mut pieces = 1;
    while !fresh.fill(1_000_000) {
        pieces += 1;
        assert!(Memory::from_fresh(FreshRam::new(size).expect("room")).is_none());
    }
    assert_eq!(pieces, 5, "4 MiB in pieces of a million bytes");
    assert!(fresh.fill(1_000_000), "no more to clear");
    let mut mem = Memory::from_fresh(fresh).expect("all of it cleared");
    assert_eq!(mem.written_bytes(), 0, "nothing to clear again");
    let buffer = mem.ram.as_ptr();
    let mut pc = Pc::with_config_reusing(config(size), &mut mem).expect("machine");
    assert_eq!(pc.board.mem.ram.as_ptr(), buffer, "that RAM, not a new one");
    let mut new = Pc::with_config(config(size)).expect("machine");
    pc.run(200_000, None);
    new.run(200_000, None);
    assert_eq!(pc.cpu.regs, new.cpu.regs);
    assert!(
        pc.board.mem.ram == new.board.mem.ram,
        "the same RAM after the same run"
    );
    assert!(
        FreshRam::new(usize::MAX).is_err(),
        "more than the host can hold"
    );
}

#[test]
fn on_an_error_or_another_size_the_old_ram_stays() {
    let mut old = Pc::with_config(config(2 << 20)).expect("machine");
    old.load(0x1000, b"kept").expect("load");
    // Firmware that cannot be used: the error comes before the buffer is taken.
    let bad = Config {
        firmware: Firmware::Rom {
            bios: vec![0; 1000],
            vga_bios: None,
        },
        ..config(2 << 20)
    };
    assert!(Pc::with_config_reusing(bad, &mut old.board.mem).is_err());
    assert_eq!(old.read(0x1000, 4), b"kept");
    // A machine of another size allocates its own.
    let other = Pc::with_config_reusing(config(3 << 20), &mut old.board.mem).expect("machine");
    assert_eq!(other.board.mem.ram.len(), 3 << 20);
    assert_eq!(old.read(0x1000, 4), b"kept");
}

fn root() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "..", ".."].iter().collect()
}

/// Boot `floppy` (a committed image) for `insns` instructions on a 64 MiB machine.
fn booted(floppy: &str, insns: u64) -> Pc {
    let mut bytes = std::fs::read(root().join(floppy)).expect("committed image");
    bytes.resize(1_474_560, 0);
    let mut pc = Pc::new(Model::PentiumPro, 64 << 20).expect("machine");
    pc.insert_floppy(0, DiskImage::from_bytes(bytes, None).expect("floppy"))
        .expect("drive A:");
    pc.run(insns, None);
    pc
}

/// Every path that writes RAM notes it, so that a reset can clear only what was written: after
/// the demo disk (real mode, the BIOS's disk reads, VGA graphics) and the lessons (protected
/// mode, rings, paging, virtual-8086 mode) there is no byte other than zero outside the chunks
/// noted, and the rebuilt machine's RAM is a new one's although only those chunks were cleared.
#[test]
fn a_reset_clears_every_byte_the_guest_wrote_and_only_the_chunks_it_wrote() {
    let guests = [
        "www/demo.img",
        "www/lessons/1_protected.img",
        "www/lessons/2_rings.img",
        "www/lessons/3_holes.img",
        "www/lessons/4_paging.img",
        "www/lessons/5_monitor.img",
    ];
    for guest in guests {
        let mut pc = booted(guest, 30_000_000);
        // Writes from the host too, across a chunk boundary near the top.
        let top = (64 << 20) - WRITTEN_CHUNK as u32 - 3;
        pc.load(top, &[0xA5; 8]).expect("load");
        let mem = &pc.board.mem;
        assert_eq!(mem.unnoted_write(), None, "{guest}: a write went unnoted");
        let written = mem.written_bytes();
        assert!(
            written > 0 && written < 16 << 20,
            "{guest}: {written} bytes counted as written"
        );
        let rebuilt = Pc::with_config_reusing(
            Config {
                model: Model::PentiumPro,
                ..config(64 << 20)
            },
            &mut pc.board.mem,
        )
        .expect("rebuilt");
        // (Powered on, it holds what the firmware puts there: the same as a new machine's.)
        let fresh = Pc::new(Model::PentiumPro, 64 << 20).expect("machine");
        assert!(
            rebuilt.board.mem.ram == fresh.board.mem.ram,
            "{guest}: the rebuilt machine's RAM is a new machine's"
        );
    }
}

/// The other way round: a byte written behind the memory's back is found by the check, and a
/// reset then leaves it (what the test above would catch).
#[test]
fn an_unnoted_write_is_found_and_survives_a_reset() {
    let mut pc = Pc::with_config(config(4 << 20)).expect("machine");
    pc.run(100_000, None);
    let at = (3 << 20) + 5;
    assert_eq!(pc.board.mem.unnoted_write(), None);
    pc.board.mem.ram[at] = 1;
    assert_eq!(pc.board.mem.unnoted_write(), Some(at as u32));
    let rebuilt = Pc::with_config_reusing(config(4 << 20), &mut pc.board.mem).expect("rebuilt");
    assert_eq!(rebuilt.board.mem.ram[at], 1);
}

/// Boot sectors that each write the chunk at 1 MiB (FFFF:0010 onwards, A20 on) one way only, as
/// the first thing that touches it: a write by the direct path after a read gave it the page
/// (paging off), writes of 1, 2 and 4 bytes by the board (a data breakpoint keeps the direct
/// path off), REP STOSD and REP MOVSD over plain RAM. Each write must be noted (it is not, with
/// the note of that path taken out: tried for each).
#[test]
fn each_way_of_writing_ram_is_noted() {
    const A20_ES_FFFF: &[u8] = &[
        0xE4, 0x92, // in al, 92h
        0x0C, 0x02, // or al, 2          (A20 on)
        0xE6, 0x92, // out 92h, al
        0x31, 0xC0, // xor ax, ax
        0x8E, 0xD8, // mov ds, ax
        0xB8, 0xFF, 0xFF, // mov ax, 0FFFFh
        0x8E, 0xC0, // mov es, ax
    ];
    const DATA_BREAKPOINT: &[u8] = &[
        0x66, 0xB8, 0x00, 0x70, 0x00, 0x00, // mov eax, 7000h
        0x0F, 0x23, 0xC0, // mov dr0, eax
        0x66, 0xB8, 0x02, 0x00, 0x0D, 0x00, // mov eax, 000D0002h   (L0, write, 4 bytes)
        0x0F, 0x23, 0xF8, // mov dr7, eax
    ];
    /// What the way is called, the code after the common start, where it writes, and what.
    type Way<'a> = (&'a str, &'a [&'a [u8]], u32, &'a [u8]);
    let ways: [Way; 6] = [
        (
            "the direct path, after a read",
            &[&[
                0x26, 0xA0, 0x10, 0x05, // mov al, [es:0510h]
                0x26, 0xC6, 0x06, 0x10, 0x05, 0xAA, // mov byte [es:0510h], 0AAh
            ]],
            0x10_0500,
            &[0xAA],
        ),
        (
            "the board, a byte",
            &[DATA_BREAKPOINT, &[0x26, 0xC6, 0x06, 0x10, 0x05, 0xAA]],
            0x10_0500,
            &[0xAA],
        ),
        (
            "the board, a word",
            &[DATA_BREAKPOINT, &[0x26, 0xC7, 0x06, 0x10, 0x05, 0x34, 0x12]],
            0x10_0500,
            &[0x34, 0x12],
        ),
        (
            "the board, a doubleword",
            &[
                DATA_BREAKPOINT,
                &[0x66, 0x26, 0xC7, 0x06, 0x10, 0x05, 0x78, 0x56, 0x34, 0x12],
            ],
            0x10_0500,
            &[0x78, 0x56, 0x34, 0x12],
        ),
        (
            "REP STOSD",
            &[&[
                0xBF, 0x10, 0x00, // mov di, 0010h
                0x66, 0xB8, 0x44, 0x33, 0x22, 0x11, // mov eax, 11223344h
                0xB9, 0x10, 0x00, // mov cx, 16
                0xFC, // cld
                0xF3, 0x66, 0xAB, // rep stosd
            ]],
            0x10_003C,
            &[0x44, 0x33, 0x22, 0x11],
        ),
        (
            "REP MOVSD",
            &[&[
                0xBE, 0x00, 0x7C, // mov si, 7C00h  (this boot sector)
                0xBF, 0x10, 0x00, // mov di, 0010h
                0xB9, 0x10, 0x00, // mov cx, 16
                0xFC, // cld
                0xF3, 0x66, 0xA5, // rep movsd
            ]],
            0x10_0000,
            &[0xE4, 0x92, 0x0C, 0x02],
        ),
    ];
    for (way, parts, at, want) in ways {
        let mut code = A20_ES_FFFF.to_vec();
        for part in parts {
            code.extend_from_slice(part);
        }
        code.extend_from_slice(&[0xFA, 0xF4]); // cli; hlt
        let mut pc = common::boot_sector_machine(
            &code,
            Config {
                model: Model::PentiumPro,
                ..config(4 << 20)
            },
        );
        assert_eq!(pc.run(200_000_000, None), Exit::Stopped, "{way}: CLI; HLT");
        let at = at as usize;
        assert_eq!(
            &pc.board.mem.ram[at..at + want.len()],
            want,
            "{way}: written"
        );
        assert_eq!(pc.board.mem.unnoted_write(), None, "{way}: noted");
    }
}
