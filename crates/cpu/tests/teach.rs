//! The teaching counters count retired instructions by class, ring and mode, exactly.

use cpu::bus::FlatBus;
use cpu::table::Class;
use cpu::teach::Mode;
use cpu::{Cpu, Model};

#[test]
fn real_mode_classes_are_counted_exactly() {
    let mut bus = FlatBus::new(1 << 20);
    // pushf; popf; smsw ax; cli; nop; hlt
    let code = [0x9C, 0x9D, 0x0F, 0x01, 0xE0, 0xFA, 0x90, 0xF4];
    bus.ram[0x7C00..0x7C00 + code.len()].copy_from_slice(&code);
    let mut cpu = Cpu::new(Model::PentiumPro);
    cpu.set_named("cs", 0);
    cpu.set_named("eip", 0x7C00);
    cpu.set_named("ss", 0);
    cpu.set_named("esp", 0x7000);
    cpu.enable_teaching();
    cpu.run(&mut bus, 100);
    assert!(cpu.halted);
    let t = cpu.teach.as_ref().expect("teaching on");
    assert_eq!(
        t.count(Class::Sensitive, 0, Mode::Real),
        3,
        "pushf, popf, smsw"
    );
    assert_eq!(t.count(Class::Privileged, 0, Mode::Real), 2, "cli, hlt");
    assert_eq!(t.count(Class::Ordinary, 0, Mode::Real), 1, "nop");
    assert_eq!(t.holes_total, 0, "nothing runs outside ring 0 in real mode");
    assert_eq!(t.class_total(Class::Sensitive), 3);
}

#[test]
fn teaching_off_counts_nothing() {
    let mut bus = FlatBus::new(1 << 20);
    bus.ram[0x7C00] = 0xF4;
    let mut cpu = Cpu::new(Model::I286);
    cpu.set_named("cs", 0);
    cpu.set_named("eip", 0x7C00);
    cpu.run(&mut bus, 10);
    assert!(cpu.teach.is_none());
    assert_eq!(cpu.counters.instructions, 1);
}
