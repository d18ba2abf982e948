//! Guest programs (nasm sources in `tests/guests/cpu/`) that exercise protected mode, paging,
//! virtual-8086 mode, task switches, exceptions, external interrupts, the debug registers and the
//! 386+ instructions.
//! Each is loaded at 0x10000 and entered in real mode at 1000:0000; it prints one line per check
//! to port 0xE9 (`ok <name>` or `FAIL <name> <details>`, computed by the guest itself from the
//! values the Intel SDM gives) and ends with `done` (the triple-fault guest ends in shutdown).
//! The test compares the whole transcript with `<name>.expected` (or `<name>.<model>.expected`).
//!
//! The same transcripts were checked on QEMU 7.2 with `scripts/qemu-diff`; where QEMU departs
//! from the SDM (listed in that script) the expected files follow the SDM.

mod common;

use common::check_guest;
use cpu::{Model, RunExit};

#[test]
fn pmode() {
    check_guest("pmode", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn priv_levels() {
    check_guest("priv", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn paging() {
    check_guest("paging", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn v86() {
    check_guest("v86", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn v86_vme() {
    check_guest("v86vme", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn task_switch() {
    check_guest("task", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn ext386() {
    check_guest("ext386", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn double_and_triple_fault() {
    let run = check_guest("faults", Model::PentiumPro, RunExit::Shutdown);
    if let Some(run) = run {
        assert!(run.cpu.shutdown, "the triple fault shuts the CPU down");
    }
}

#[test]
fn pm286_on_286() {
    check_guest("pm286", Model::I286, RunExit::Halted);
}

#[test]
fn pm286_on_pentium_pro() {
    check_guest("pm286", Model::PentiumPro, RunExit::Halted);
}

#[test]
fn external_interrupts() {
    check_guest("irq", Model::PentiumPro, RunExit::Halted);
}

/// The 386 has everything pmode, priv and task use (no CPUID, CR4, CMOV or SYSENTER there).
#[test]
fn protected_mode_on_386() {
    for name in ["pmode", "priv", "task"] {
        check_guest(name, Model::I386, RunExit::Halted);
    }
}

#[test]
fn debug_registers() {
    check_guest("debugregs", Model::PentiumPro, RunExit::Halted);
}
