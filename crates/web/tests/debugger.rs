//! The debugger's views, run by the wasm build in Node (`cargo test -p aula86-web --target
//! wasm32-unknown-unknown --test debugger`): breakpoints on I/O ports, the IDT (real-mode IVT
//! and protected-mode gates), the page tables and a page walk, physical memory, and the
//! disassembly before EIP. The guest is lesson 4 (`tests/guests/lessons/4_paging.asm`): it
//! writes its text to port E9h, enters protected mode, builds page tables mapping 0-4 MiB one to
//! one except the page at 200000h, turns paging on and takes (and fixes) a page fault there.
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)]
mod common;

use aula86_web::Machine;
use common::{error_message, floppy, num, prop};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const LESSON4: &[u8] = include_bytes!("../../../www/lessons/4_paging.img");
/// The lesson's page directory and page table (PD, PT in 4_paging.asm).
const PD: u32 = 0x20000;
const PT: u32 = 0x21000;

fn lesson4() -> Machine {
    let mut m = Machine::new(16.0 * 1048576.0, Some("pentiumpro".into()), None).expect("machine");
    m.insert_disk("fda", floppy(LESSON4)).expect("insert");
    m
}

/// runFor until it answers something else than "budget".
fn run(m: &mut Machine) -> String {
    for _ in 0..200 {
        let exit = m.run_for(1_000_000.0, None).expect("runFor");
        if exit != "budget" {
            return exit;
        }
    }
    panic!("the machine never stopped");
}

fn array(v: &JsValue) -> Vec<JsValue> {
    js_sys::Array::from(v).iter().collect()
}

fn string(obj: &JsValue, key: &str) -> String {
    prop(obj, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn boolean(obj: &JsValue, key: &str) -> bool {
    prop(obj, key)
        .as_bool()
        .unwrap_or_else(|| panic!("{key} is not a boolean"))
}

fn strings(v: &JsValue) -> Vec<String> {
    array(v).iter().filter_map(JsValue::as_string).collect()
}

/// Whether a property is absent (undefined or null: a Rust None).
fn absent(obj: &JsValue, key: &str) -> bool {
    let v = prop(obj, key);
    v.is_undefined() || v.is_null()
}

fn linear(m: &Machine) -> u32 {
    num(&m.registers().expect("registers"), "linear") as u32
}

/// `disassembleAround` checked for consistency: the lines marked `before` come first, each
/// ends where the next starts, the last of them ends at EIP, and the first line after them is
/// the current one. Returns the lines as (before, text).
fn around(m: &mut Machine, before: usize, count: usize) -> Vec<(bool, String)> {
    let eip = linear(m);
    let lines = array(
        &m.disassemble_around(before as f64, count as f64)
            .expect("around"),
    );
    let mut out = Vec::new();
    let mut next: Option<u32> = None;
    for l in &lines {
        let at = num(l, "linear") as u32;
        let len = string(l, "bytes").split(' ').count() as u32;
        if let Some(n) = next {
            assert_eq!(at, n, "lines are contiguous: {lines:?}");
        }
        let b = boolean(l, "before");
        assert_eq!(boolean(l, "current"), at == eip && !b, "{lines:?}");
        next = Some(at + len);
        out.push((b, string(l, "text")));
    }
    let n_before = out.iter().take_while(|(b, _)| *b).count();
    assert!(n_before <= before);
    assert!(out[n_before..].iter().all(|(b, _)| !b));
    assert_eq!(out.len(), n_before + count);
    assert_eq!(num(&lines[n_before], "linear") as u32, eip);
    out
}

#[wasm_bindgen_test]
fn runs_in_node() {
    let v = common::global_string(&["process", "versions", "node"]).expect("process.versions.node");
    wasm_bindgen_test::console_log!("running in Node {v}");
}

/// A breakpoint on port E9h stops right after each OUT to it, in real mode (16-bit code) and
/// in protected mode (32-bit code); the disassembly before EIP ends with that OUT.
#[wasm_bindgen_test]
fn port_breaks_stop_after_the_out() {
    let mut m = lesson4();
    m.set_port_breaks(vec![0xE9 as f64, 0xE9 as f64, 0x3F8 as f64])
        .expect("setPortBreaks");
    assert_eq!(m.port_breaks(), [0xE9, 0x3F8]);
    // The first stop in the lesson's own code (at 7E00h on), after `out 0E9h, al` in rputs.
    let mut text = String::new();
    let mut chars = String::new();
    for _ in 0..100 {
        assert_eq!(run(&mut m), "breakpoint");
        let hit = m.port_hit().expect("portHit");
        assert_eq!(num(&hit, "port"), 233.0);
        assert!(boolean(&hit, "write"));
        assert_eq!(num(&hit, "size"), 1.0);
        assert_eq!(string(&hit, "device"), "SysCtl");
        let at = linear(&m);
        if at >= 0x7E00 {
            assert_eq!(
                m.read_linear_js((at - 2) as f64, 2.0).expect("read"),
                [0xE6, 0xE9]
            );
            assert_eq!(num(&hit, "value"), f64::from(m.get_reg("al").expect("al")));
            chars.push(char::from(num(&hit, "value") as u8));
            if chars.len() == 1 {
                text = m.mode();
                // 16-bit code: lodsb, test al,al, jz .done, then the OUT.
                let lines = around(&mut m, 4, 3);
                let before: Vec<&str> = lines
                    .iter()
                    .filter(|(b, _)| *b)
                    .map(|(_, t)| t.as_str())
                    .collect();
                assert_eq!(before.len(), 4, "{lines:?}");
                assert_eq!(before[0], "lodsb", "{lines:?}");
                assert_eq!(before[1], "test al,al", "{lines:?}");
                assert!(before[2].starts_with("je short ") || before[2].starts_with("jz short "));
                assert_eq!(before[2].len(), "je short 0000h".len(), "16-bit: {lines:?}");
                assert_eq!(before[3], "out 0E9h,al", "{lines:?}");
            }
            if chars.len() == 8 {
                break;
            }
        }
    }
    assert_eq!(text, "real");
    assert_eq!(chars, "Lesson 4");
    // The same ports again (the page sets them after each stop) keep the hit.
    m.set_port_breaks(vec![0x3F8 as f64, 0xE9 as f64])
        .expect("same");
    assert_eq!(
        num(&m.port_hit().expect("portHit"), "value"),
        f64::from(b'4')
    );
    // Stepping over an instruction that touches no watched port: no hit.
    assert_eq!(m.step(), "budget");
    assert!(m.port_hit().expect("portHit").is_undefined());
    // Go on to the first OUT in 32-bit protected mode (kputs: test ah,ah / jz / out).
    loop {
        assert_eq!(run(&mut m), "breakpoint");
        if m.mode() != "real" {
            break;
        }
    }
    let lines = around(&mut m, 3, 2);
    assert_eq!(lines[0], (true, "test ah,ah".to_string()), "{lines:?}");
    assert!(lines[1].0, "{lines:?}");
    assert!(lines[1].1.starts_with("je short ") || lines[1].1.starts_with("jz short "));
    // A 32-bit branch target has 8 digits.
    assert_eq!(
        lines[1].1.len(),
        "je short 00000000h".len(),
        "32-bit: {lines:?}"
    );
    assert_eq!(lines[2], (true, "out 0E9h,al".to_string()), "{lines:?}");
    assert!(!lines[3].0);
    // Cleared, the lesson runs to its end.
    m.set_port_breaks(vec![]).expect("clear");
    assert!(m.port_breaks().is_empty());
    assert_eq!(run(&mut m), "halted");
    assert!(m
        .debug_output(None)
        .expect("out")
        .contains("Done: the CPU halts."));
}

#[wasm_bindgen_test]
fn port_breaks_survive_reset_and_bad_ports_are_errors() {
    let mut m = lesson4();
    m.set_port_breaks(vec![0xE9 as f64]).expect("setPortBreaks");
    m.reset(None).expect("reset");
    assert_eq!(m.port_breaks(), [0xE9]);
    for bad in [65536.0, -1.0, 1.5, f64::NAN] {
        let msg = error_message(m.set_port_breaks(vec![0x60 as f64, bad]));
        assert!(
            msg.contains("port must be a whole number from 0 to 65535"),
            "{msg}"
        );
    }
    assert_eq!(m.port_breaks(), [0xE9], "a bad list changes nothing");
}

/// Where the lesson has nothing but prefixes before EIP, no start syncs: no line before it.
#[wasm_bindgen_test]
fn disassembly_before_eip_shows_nothing_when_nothing_syncs() {
    let mut m = Machine::new(1048576.0, Some("pentiumpro".into()), None).expect("machine");
    // 1000:0000: 48 operand-size prefixes, then hlt at offset 48.
    let mut code = vec![0x66u8; 48];
    code.push(0xF4);
    m.load(0x10000 as f64, &code).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("ip", 48.0).expect("ip");
    let lines = around(&mut m, 8, 1);
    assert_eq!(lines, [(false, "hlt".to_string())]);
    // At offset 0 there is nothing before (in a 16-bit segment the offset does not wrap).
    m.set_reg("ip", 0.0).expect("ip");
    let lines = around(&mut m, 8, 1);
    assert!(!lines[0].0);
    // Plain code syncs: nop, nop, mov ax,1234h before the hlt.
    m.load(0x10000 as f64 + 43.0, &[0x90, 0x90, 0xB8, 0x34, 0x12, 0xF4])
        .expect("load");
    m.set_reg("ip", 48.0).expect("ip");
    let lines = around(&mut m, 3, 1);
    assert_eq!(
        lines,
        [
            (true, "nop".to_string()),
            (true, "nop".to_string()),
            (true, "mov ax,1234h".to_string()),
            (false, "hlt".to_string())
        ]
    );
    for bad in [-1.0, 0.5, f64::INFINITY] {
        assert!(m.disassemble_around(bad, 1.0).is_err());
        assert!(m.disassemble_around(1.0, bad).is_err());
    }
}

/// The real-mode IVT after the BIOS set it up, and the lesson's IDT, page tables and a page
/// walk at the page fault (the page at 200000h not present) and after it (mapped).
#[wasm_bindgen_test]
fn idt_and_page_tables_of_the_paging_lesson() {
    let mut m = lesson4();
    m.set_breakpoints(vec![0x7E00 as f64]).expect("breakpoints");
    assert_eq!(run(&mut m), "breakpoint");
    // Real mode: 256 vectors of segment:offset.
    let idt = m.idt().expect("idt");
    assert_eq!(string(&idt, "mode"), "real");
    assert_eq!(num(&idt, "base"), 0.0);
    assert_eq!(num(&idt, "limit"), 1023.0);
    let ivt = array(&prop(&idt, "entries"));
    assert_eq!(ivt.len(), 256);
    let v13 = &ivt[0x13];
    assert_eq!(string(v13, "kind"), "ivt");
    let raw = m
        .read_physical((0x13 * 4) as f64, 4.0)
        .expect("readPhysical");
    assert_eq!(
        num(v13, "offset"),
        f64::from(u16::from_le_bytes([raw[0], raw[1]]))
    );
    assert_eq!(
        num(v13, "selector"),
        f64::from(u16::from_le_bytes([raw[2], raw[3]]))
    );
    assert_eq!(
        num(v13, "target"),
        num(v13, "selector") * 16.0 + num(v13, "offset")
    );
    // Paging off: no entries, the walk is the identity.
    let pt = m.page_tables(Some(0x12345 as f64)).expect("pageTables");
    assert!(!boolean(&pt, "paging"));
    assert!(array(&prop(&pt, "entries")).is_empty());
    let walk = prop(&pt, "walk");
    assert_eq!(num(&walk, "physical"), 0x12345 as f64);
    assert!(absent(&walk, "pde"));
    assert!(absent(&m.page_tables(None).expect("pt"), "walk"));

    // Stop right after the #PF is delivered: the handler's first instruction.
    m.set_breakpoints(vec![]).expect("clear");
    m.enable_teaching(None);
    m.set_event_breaks(vec![14], false);
    assert_eq!(run(&mut m), "breakpoint");
    assert_eq!(m.mode(), "protected+paging");
    let handler = linear(&m);
    let idt = m.idt().expect("idt");
    assert_eq!(string(&idt, "mode"), "protected");
    let gates = array(&prop(&idt, "entries"));
    // 32h gates: 0-2Fh ring 0 interrupt gates, 30h and 31h callable from ring 3.
    assert_eq!(gates.len(), 0x32);
    assert_eq!(num(&idt, "limit"), (0x32 * 8 - 1) as f64);
    let pf = &gates[14];
    assert_eq!(num(pf, "vector"), 14.0);
    assert_eq!(string(pf, "kind"), "int32");
    assert_eq!(num(pf, "type"), 14.0);
    assert_eq!(num(pf, "selector"), 8.0);
    assert_eq!(num(pf, "dpl"), 0.0);
    assert!(boolean(pf, "present"));
    assert!(boolean(pf, "readable"));
    assert_eq!(num(pf, "offset"), f64::from(handler));
    assert_eq!(num(pf, "target"), f64::from(handler), "flat code segment");
    assert_eq!(num(&gates[0x30], "dpl"), 3.0);
    assert_eq!(string(&gates[0x31], "kind"), "int32");

    // The page tables: one directory entry, a 4 KiB table with 1023 pages present.
    let pt = m.page_tables(Some(0x200000 as f64)).expect("pageTables");
    assert!(boolean(&pt, "paging"));
    assert_eq!(num(&pt, "cr3"), PD as f64);
    assert_eq!(num(&pt, "directory"), PD as f64);
    let entries = array(&prop(&pt, "entries"));
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(num(e, "index"), 0.0);
    assert_eq!(num(e, "linear"), 0.0);
    assert_eq!(num(e, "address"), PT as f64);
    assert!(!boolean(e, "big"));
    assert_eq!(num(e, "pages"), 1023.0);
    assert_eq!(strings(&prop(e, "flags")), ["P", "R/W", "A"]);
    // The walk of 200000h stops at its page-table entry, which is not present.
    let walk = prop(&pt, "walk");
    assert_eq!(num(&walk, "pdeAddress"), PD as f64);
    assert_eq!(num(&walk, "pteAddress"), (PT + 0x200 * 4) as f64);
    assert_eq!(num(&walk, "pte"), 0x200000 as f64);
    assert!(strings(&prop(&walk, "pteFlags")).is_empty());
    assert_eq!(string(&walk, "stop"), "pte");
    assert!(absent(&walk, "physical"));
    // Above 4 MiB the directory entry is missing.
    let walk = prop(&m.page_tables(Some(0x400000 as f64)).expect("pt"), "walk");
    assert_eq!(string(&walk, "stop"), "pde");
    assert_eq!(num(&walk, "pdeAddress"), (PD + 4) as f64);
    assert!(m
        .linear_to_physical(0x400000 as f64)
        .expect("l2p")
        .is_none());

    // The handler maps the page; the retried read succeeds and the lesson ends.
    m.set_event_breaks(vec![], false);
    assert_eq!(run(&mut m), "halted");
    let pt = m.page_tables(Some(0x200ABC as f64)).expect("pageTables");
    assert_eq!(num(&array(&prop(&pt, "entries"))[0], "pages"), 1024.0);
    let walk = prop(&pt, "walk");
    assert!(absent(&walk, "stop"));
    assert_eq!(num(&walk, "physical"), 0x200ABC as f64);
    assert!(boolean(&walk, "writable"));
    assert!(!boolean(&walk, "user"));
    // The retried read set the accessed bit.
    assert_eq!(strings(&prop(&walk, "pteFlags")), ["P", "R/W", "A"]);
    assert_eq!(
        m.linear_to_physical(0x200ABC as f64).expect("l2p"),
        Some(0x200ABC)
    );
    assert_eq!(
        m.read_physical((PT + 0x200 * 4) as f64, 4.0).expect("read"),
        (0x200000u32 | 0x23).to_le_bytes()
    );
}

#[wasm_bindgen_test]
fn read_physical_and_its_errors() {
    let mut m = lesson4();
    assert_eq!(run(&mut m), "halted");
    // Identity-mapped: linear and physical agree below 4 MiB.
    assert_eq!(
        m.read_physical(0x7E00 as f64, 64.0).expect("physical"),
        m.read_linear_js(0x7E00 as f64, 64.0).expect("linear")
    );
    assert_eq!(m.read_physical(0.0, 0.0).expect("empty"), Vec::<u8>::new());
    // Past the end of RAM (16 MiB) reads FFh.
    assert_eq!(
        m.read_physical(0x0200_0000 as f64, 2.0).expect("past RAM"),
        [0xFF, 0xFF]
    );
    let msg = error_message(m.read_physical(0.0, (1 << 20) as f64 + 1.0));
    assert!(
        msg.contains("more than readPhysical returns at once"),
        "{msg}"
    );
    for bad in [-1.0, 4294967296.0, 0.5, f64::NAN] {
        let msg = error_message(m.read_physical(bad, 1.0));
        assert!(
            msg.contains("physical address must be a whole number"),
            "{msg}"
        );
        assert!(m.page_tables(Some(bad)).is_err());
        assert!(m.linear_to_physical(bad).is_err());
    }
}
