//! The CPU's direct path to RAM (pages the board names plain RAM, read and written with no
//! call into the board) follows the board's memory map when the guest changes it.

use pc::cpu::Model;
use pc::{Exit, Pc};

mod common;

/// A boot sector that leaves A20 to port 92h alone (the keyboard controller's gate off), writes
/// FFFF:0510 (linear 100500h) with A20 on, turns A20 off through port 92h and writes the same
/// address again, which now wraps to 500h; then halts.
const A20_BOOT: &[u8] = &[
    0xB0, 0xDD, // mov al, 0DDh
    0xE6, 0x64, // out 64h, al       (the 8042's A20 gate off)
    0xE4, 0x92, // in al, 92h
    0x0C, 0x02, // or al, 2          (A20 on)
    0xE6, 0x92, // out 92h, al
    0xB8, 0xFF, 0xFF, // mov ax, 0FFFFh
    0x8E, 0xD8, // mov ds, ax
    0xC6, 0x06, 0x10, 0x05, 0xAA, // mov byte [510h], 0AAh   (100500h)
    0xA0, 0x10, 0x05, // mov al, [510h]           (read back: the page is now known)
    0xE4, 0x92, // in al, 92h
    0x24, 0xFD, // and al, 0FDh       (A20 off)
    0xE6, 0x92, // out 92h, al
    0xC6, 0x06, 0x10, 0x05, 0x55, // mov byte [510h], 55h    (wraps to 500h)
    0xFA, // cli
    0xF4, // hlt
];

/// A Pentium Pro with 16 MiB that boots `boot_sector`.
fn machine(boot_sector: &[u8]) -> Pc {
    common::boot_sector_machine(
        boot_sector,
        pc::Config {
            model: Model::PentiumPro,
            mem_bytes: 16 << 20,
            ..pc::Config::default()
        },
    )
}

/// Run `pc` until its boot sector's CLI; HLT.
fn run_to_hlt(pc: &mut Pc) {
    let exit = pc.run(200_000_000, None);
    assert_eq!(exit, Exit::Stopped, "the boot sector ends in CLI; HLT");
}

#[test]
fn a20_through_port_92_moves_the_direct_path() {
    let mut pc = machine(A20_BOOT);
    pc.board.mem.ram[0x500] = 0;
    run_to_hlt(&mut pc);
    assert_eq!(
        pc.board.mem.ram[0x10_0500], 0xAA,
        "with A20 on, 100500h is itself"
    );
    assert_eq!(
        pc.board.mem.ram[0x500], 0x55,
        "with A20 off, it wraps to 500h"
    );
}

#[test]
fn the_board_names_only_plain_ram_pages() {
    use pc::cpu::Bus;
    let mut pc = Pc::with_config(pc::Config {
        model: Model::PentiumPro,
        mem_bytes: 16 << 20,
        ..pc::Config::default()
    })
    .expect("machine");
    let board = &mut pc.board;
    board.mem.a20_mask = 0xFFFF_FFFF;
    assert_eq!(board.ram_page(0x1000), Some(0x1000));
    assert_eq!(board.ram_page(0x10_0000), Some(0x10_0000));
    assert_eq!(board.ram_page(0xA_0000), None, "the VGA window");
    assert_eq!(board.ram_page(0xB_8000), None, "the VGA window");
    assert_eq!(
        board.ram_page(0xFF_F000),
        Some(0xFF_F000),
        "the last page of RAM"
    );
    assert_eq!(board.ram_page(0x100_0000), None, "past the end of RAM");
    assert_eq!(
        board.ram_page(0xFFFF_F000),
        None,
        "the BIOS at the top of 4 GiB"
    );
    let on = board.ram_map();
    board.mem.a20_mask = 0xFFEF_FFFF;
    assert_eq!(
        board.ram_page(0x10_0000),
        Some(0),
        "A20 off: 1 MiB wraps to 0"
    );
    assert_ne!(board.ram_map(), on, "the map key follows the A20 gate");
}

/// A boot sector that puts `mov al, 11h; retf` at 500h and, with A20 on, `mov al, 22h; retf` at
/// 100500h; then calls FFFF:0510 (linear 100500h) twice, first with A20 off (it wraps to 500h)
/// and then on, and stores AL after each call at 600h and 601h.
const A20_CODE_BOOT: &[u8] = &[
    0x31, 0xDB, // xor bx, bx
    0x8E, 0xDB, // mov ds, bx
    0x66, 0xC7, 0x06, 0x00, 0x05, // mov dword [500h],
    0xB0, 0x11, 0xCB, 0x00, //       0CB11B0h
    0xB0, 0xDD, // mov al, 0DDh
    0xE6, 0x64, // out 64h, al       (the 8042's A20 gate off)
    0xE4, 0x92, // in al, 92h
    0x0C, 0x02, // or al, 2          (A20 on)
    0xE6, 0x92, // out 92h, al
    0xB8, 0xFF, 0xFF, // mov ax, 0FFFFh
    0x8E, 0xC0, // mov es, ax
    0x26, 0x66, 0xC7, 0x06, 0x10, 0x05, // mov dword es:[510h],
    0xB0, 0x22, 0xCB, 0x00, //                0CB22B0h
    0xE4, 0x92, // in al, 92h
    0x24, 0xFD, // and al, 0FDh      (A20 off)
    0xE6, 0x92, // out 92h, al
    0x9A, 0x10, 0x05, 0xFF, 0xFF, // call 0FFFFh:0510h   (runs 500h)
    0xA2, 0x00, 0x06, // mov [600h], al
    0xE4, 0x92, // in al, 92h
    0x0C, 0x02, // or al, 2          (A20 on)
    0xE6, 0x92, // out 92h, al
    0x9A, 0x10, 0x05, 0xFF, 0xFF, // call 0FFFFh:0510h   (runs 100500h)
    0xA2, 0x01, 0x06, // mov [601h], al
    0xFA, // cli
    0xF4, // hlt
];

#[test]
fn code_run_through_the_a20_wrap_is_not_run_again_once_a20_opens() {
    let mut pc = machine(A20_CODE_BOOT);
    run_to_hlt(&mut pc);
    assert_eq!(
        pc.board.mem.ram[0x600], 0x11,
        "with A20 off, the call ran 500h"
    );
    assert_eq!(
        pc.board.mem.ram[0x601], 0x22,
        "with A20 on, the call ran 100500h, not the code decoded through the wrap"
    );
}

/// A boot sector that turns A20 off (the 8042's gate; port 92h's is off at reset), puts
/// `mov al, 11h; retf` at 2000h and calls it, then rewrites the immediate through the wrap
/// (FFFF:2011, linear 102001h, which is 2001h) with 22h and calls 0:2000h again, then once more
/// with 33h (the page through the wrap now known to the direct path); AL after each call at
/// 600h, 601h and 602h, a page of its own (a store there does not touch the code's page).
const A20_WRAP_WRITE_BOOT: &[u8] = &[
    0x31, 0xDB, // xor bx, bx
    0x8E, 0xDB, // mov ds, bx
    0x66, 0xC7, 0x06, 0x00, 0x20, // mov dword [2000h],
    0xB0, 0x11, 0xCB, 0x00, //       0CB11B0h
    0xB0, 0xDD, // mov al, 0DDh
    0xE6, 0x64, // out 64h, al       (the 8042's A20 gate off)
    0x9A, 0x00, 0x20, 0x00, 0x00, // call 0:2000h
    0xA2, 0x00, 0x06, // mov [600h], al
    0xB8, 0xFF, 0xFF, // mov ax, 0FFFFh
    0x8E, 0xC0, // mov es, ax
    0x26, 0xC6, 0x06, 0x11, 0x20, 0x22, // mov byte es:[2011h], 22h   (2001h)
    0x9A, 0x00, 0x20, 0x00, 0x00, // call 0:2000h
    0xA2, 0x01, 0x06, // mov [601h], al
    0x26, 0xC6, 0x06, 0x11, 0x20, 0x33, // mov byte es:[2011h], 33h   (2001h)
    0x9A, 0x00, 0x20, 0x00, 0x00, // call 0:2000h
    0xA2, 0x02, 0x06, // mov [602h], al
    0xFA, // cli
    0xF4, // hlt
];

#[test]
fn a_store_through_the_a20_wrap_drops_code_decoded_at_its_alias() {
    let mut pc = machine(A20_WRAP_WRITE_BOOT);
    run_to_hlt(&mut pc);
    assert_eq!(
        pc.board.mem.ram[0x2001], 0x33,
        "the stores wrapped to 2001h"
    );
    assert_eq!(
        &pc.board.mem.ram[0x600..0x603],
        &[0x11, 0x22, 0x33],
        "each call ran the code as the store through the wrap left it"
    );
}
