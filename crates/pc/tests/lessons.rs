//! The teaching view's lessons (tests/guests/lessons/*.asm, assembled with nasm here): each is
//! booted from a floppy by the built-in BIOS; counting starts when the lesson reaches `main`
//! (0000:7E00, after the boot sector loaded it with INT 13h), so the counts are the lesson's own
//! and do not depend on the firmware. The class counts per ring and mode, the holes and the
//! timeline are deterministic and compared exactly. The committed images in www/lessons/ must be
//! what nasm makes of the sources.

use pc::cpu::teach::{EventKind, Mode, Teaching};
use pc::cpu::Model;
use pc::disk::DiskImage;
use pc::{Exit, Pc};
use std::path::PathBuf;

mod common;

fn root() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "..", ".."].iter().collect()
}

fn assemble(name: &str) -> Vec<u8> {
    common::assemble_in(&root().join("tests").join("guests").join("lessons"), name)
}

/// Boot the lesson, start counting at 0000:7E00, run until it halts; the teaching counters and
/// what it wrote to port E9h.
fn run_lesson(name: &str) -> (Box<Teaching>, String) {
    let program = assemble(name);
    let committed = std::fs::read(
        root()
            .join("www")
            .join("lessons")
            .join(format!("{name}.img")),
    )
    .expect("committed lesson image");
    assert_eq!(
        program, committed,
        "www/lessons/{name}.img is stale: nasm -f bin {name}.asm -o ../../../www/lessons/{name}.img"
    );
    let mut bytes = program;
    bytes.resize(1_474_560, 0);
    let mut pc = Pc::new(Model::PentiumPro, 16 << 20).expect("machine");
    pc.board.sys.a20_kbc = true;
    pc.board.mem.a20_mask = 0xFFFF_FFFF;
    pc.insert_floppy(0, DiskImage::from_bytes(bytes, None).expect("floppy"))
        .expect("insert");
    let mut n = 0u64;
    while !(pc.cpu.segs[1].selector == 0 && pc.cpu.eip == 0x7E00) {
        let exit = pc.run(1, None);
        assert!(
            matches!(exit, Exit::Budget),
            "{name}: stopped before main: {exit:?}"
        );
        n += 1;
        assert!(n < 50_000_000, "{name}: never reached main");
    }
    pc.cpu.enable_teaching();
    let mut exit = Exit::Budget;
    for _ in 0..100 {
        exit = pc.run(1_000_000, None);
        if !matches!(exit, Exit::Budget | Exit::TimeLimit) {
            break;
        }
    }
    let out = String::from_utf8_lossy(pc.debug_output()).into_owned();
    assert!(matches!(exit, Exit::Stopped), "{name}: {exit:?}\n{out}");
    (pc.cpu.teach.take().expect("teaching"), out)
}

/// counts as [class][ring][mode] flattened to the non-zero cells, for a readable comparison.
fn cells(t: &Teaching) -> Vec<(&'static str, u8, &'static str, u64)> {
    let classes = ["ordinary", "privileged", "sensitive"];
    let mut v = Vec::new();
    for (c, name) in classes.iter().enumerate() {
        for ring in 0..4u8 {
            for mode in Mode::ALL {
                let n = t.counts[c][ring as usize][mode as usize];
                if n > 0 {
                    v.push((*name, ring, mode.name(), n));
                }
            }
        }
    }
    v
}

fn events(t: &Teaching) -> Vec<String> {
    t.events
        .iter()
        .map(|e| {
            let what = match &e.kind {
                EventKind::Exception { vector, error_code } => {
                    format!("exception {vector} {error_code:?}")
                }
                EventKind::Interrupt { vector } => format!("interrupt {vector}"),
                EventKind::SoftwareInterrupt { vector } => format!("int {vector:#x}"),
                EventKind::ModeChange { from, to } => {
                    format!("mode {} -> {}", from.name(), to.name())
                }
                EventKind::TaskSwitch { from, to } => format!("task {from:#x} -> {to:#x}"),
            };
            format!(
                "{what} cpl {}->{} at {:04x}:{:08x}",
                e.cpl_before, e.cpl_after, e.cs, e.eip
            )
        })
        .collect()
}

fn holes(t: &Teaching) -> Vec<String> {
    t.holes
        .iter()
        .map(|h| {
            format!(
                "{:08x} ring {} {} {}",
                h.linear,
                h.ring,
                h.mode.name(),
                h.why
            )
        })
        .collect()
}

const O: &str = "ordinary";
const P: &str = "privileged";
const S: &str = "sensitive";
const R: &str = "real";
const PM: &str = "protected";
const PG: &str = "protected+paging";

#[test]
fn lesson1_real_to_protected() {
    let (t, out) = run_lesson("1_protected");
    assert!(
        out.contains("Protected mode, ring 0, CS = 0008h (a selector). MSW = 00000011"),
        "{out}"
    );
    assert_eq!(
        cells(&t),
        [
            (O, 0, R, 1138),
            (O, 0, PM, 1172),
            (P, 0, R, 114),
            (P, 0, PM, 87),
            (S, 0, R, 6),
            (S, 0, PM, 5)
        ]
    );
    assert_eq!(
        events(&t),
        ["mode real -> protected cpl 0->0 at 0000:00007f4b"]
    );
    assert_eq!(t.holes_total, 0);
}

#[test]
fn lesson2_privileged_instructions_trap_in_ring3() {
    let (t, out) = run_lesson("2_rings");
    assert!(out.contains("#GP trap to ring 0 at EIP=00007E2D error=00000000\n  #GP trap to ring 0 at EIP=00007E38"), "{out}");
    assert_eq!(
        cells(&t),
        [
            (O, 0, R, 545),
            (O, 0, PM, 3121),
            (O, 3, PM, 918),
            (P, 0, R, 55),
            (P, 0, PM, 215),
            (P, 3, PM, 2),
            (S, 0, R, 6),
            (S, 0, PM, 9),
            (S, 3, PM, 1)
        ]
    );
    assert_eq!(
        events(&t),
        [
            "mode real -> protected cpl 0->0 at 0000:00007fa1",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e2d",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e38",
            "int 0x31 cpl 3->0 at 001b:00007e43",
        ]
    );
    // The only hole: the INT 31h system call (INT n is sensitive, and allowed by the gate's DPL).
    assert_eq!(holes(&t), ["00007e43 ring 3 protected unprivileged"]);
    assert_eq!(t.holes_total, 1);
}

#[test]
fn lesson3_sensitive_instructions_do_not_trap_in_ring3() {
    let (t, out) = run_lesson("3_holes");
    assert!(out.contains("the ring 3 program called exit"), "{out}");
    assert_eq!(
        cells(&t),
        [
            (O, 0, R, 635),
            (O, 0, PM, 1432),
            (O, 3, PM, 3068),
            (P, 0, R, 64),
            (P, 0, PM, 119),
            (S, 0, R, 6),
            (S, 0, PM, 7),
            (S, 3, PM, 7)
        ]
    );
    // No exception at all: PUSHFD, POPFD (IF silently kept), PUSHFD, SGDT, SIDT, SMSW, INT 31h.
    assert_eq!(
        events(&t),
        [
            "mode real -> protected cpl 0->0 at 0000:00008019",
            "int 0x31 cpl 3->0 at 001b:00007e93"
        ]
    );
    assert_eq!(
        holes(&t),
        [
            "00007e2d ring 3 protected unprivileged",
            "00007e35 ring 3 protected unprivileged",
            "00007e35 ring 3 protected POPF/IRET left IF unchanged",
            "00007e36 ring 3 protected unprivileged",
            "00007e47 ring 3 protected unprivileged",
            "00007e62 ring 3 protected unprivileged",
            "00007e7d ring 3 protected unprivileged",
            "00007e93 ring 3 protected unprivileged",
        ]
    );
    assert_eq!(t.holes_total, 8);
}

#[test]
fn lesson4_paging_and_a_page_fault() {
    let (t, out) = run_lesson("4_paging");
    assert!(
        out.contains(
            "#PF: CR2=00200000 error=00000000 -> mapping the page, retry.\nThe read succeeded"
        ),
        "{out}"
    );
    assert_eq!(
        cells(&t),
        [
            (O, 0, R, 615),
            (O, 0, PM, 3911),
            (O, 0, PG, 2175),
            (P, 0, R, 62),
            (P, 0, PM, 71),
            (P, 0, PG, 151),
            (S, 0, R, 6),
            (S, 0, PM, 4),
            (S, 0, PG, 1)
        ]
    );
    assert_eq!(
        events(&t),
        [
            "mode real -> protected cpl 0->0 at 0000:00008032",
            "mode protected -> protected+paging cpl 0->0 at 0008:00007e65",
            "exception 14 Some(0) cpl 0->0 at 0008:00007e72",
        ]
    );
    assert_eq!(t.holes_total, 0);
}

#[test]
fn lesson5_trap_and_emulate_misses_the_holes() {
    let (t, out) = run_lesson("5_monitor");
    assert!(out.contains("Traps emulated: 00000004\n  monitor: virtual IF=00000001 - but the guest turned it off with POPF: missed!"), "{out}");
    assert_eq!(
        cells(&t),
        [
            (O, 0, R, 655),
            (O, 0, PM, 6083),
            (O, 3, PM, 2046),
            (P, 0, R, 66),
            (P, 0, PM, 474),
            (P, 3, PM, 4),
            (S, 0, R, 6),
            (S, 0, PM, 10),
            (S, 3, PM, 2)
        ]
    );
    // CLI, STI, MOV EAX,CR0 and HLT trap; POPF and SGDT do not (the two holes).
    assert_eq!(
        events(&t),
        [
            "mode real -> protected cpl 0->0 at 0000:00008267",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e2d",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e38",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e43",
            "exception 13 Some(0) cpl 3->0 at 001b:00007e87",
        ]
    );
    assert_eq!(
        holes(&t),
        [
            "00007e61 ring 3 protected unprivileged",
            "00007e6c ring 3 protected unprivileged"
        ]
    );
    assert_eq!(t.holes_total, 2);
}
