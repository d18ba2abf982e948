//! `Pc::with_config_reusing`: a machine rebuilt on the RAM buffer of the one it replaces (the
//! page's reset), so that a power cycle never holds two copies of guest memory.

use pc::{Config, Firmware, Pc};

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
        Pc::with_config_reusing(config(4 << 20), &mut old.board.mem.ram).expect("rebuilt");
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
    assert!(Pc::with_config_reusing(bad, &mut old.board.mem.ram).is_err());
    assert_eq!(old.read(0x1000, 4), b"kept");
    // A machine of another size allocates its own.
    let other = Pc::with_config_reusing(config(3 << 20), &mut old.board.mem.ram).expect("machine");
    assert_eq!(other.board.mem.ram.len(), 3 << 20);
    assert_eq!(old.read(0x1000, 4), b"kept");
}
