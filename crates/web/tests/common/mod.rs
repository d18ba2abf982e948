//! The wasm tests shared by `browser.rs` (Chromium) and `node.rs` (Node): `web_tests!()` defines
//! them in the test file that calls it, so each runner runs and counts every one.

use aula86_web::{register_names, run_vector_file, version, Machine};
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

/// `tests/guests`-style hand-assembled program, loaded at 1000:0000:
///
/// ```text
/// 0000 BE 0D 00   mov si, msg
/// 0003 B9 02 00   mov cx, 2
/// 0006 2E AC      next: cs lodsb
/// 0008 E6 E9      out 0xE9, al
/// 000A E2 FA      loop next
/// 000C F4         hlt
/// 000D 68 69      msg: db "hi"
/// ```
pub const HI: [u8; 15] = [
    0xBE, 0x0D, 0x00, 0xB9, 0x02, 0x00, 0x2E, 0xAC, 0xE6, 0xE9, 0xE2, 0xFA, 0xF4, 0x68, 0x69,
];

/// A slice of the 80286 real-mode vectors (paths relative to this file: the repository's
/// `shared/` sits beside the checkout). Each file holds 300 tests.
macro_rules! vector_file {
    ($base:literal) => {
        (
            $base,
            include_bytes!(concat!(
                "../../../../../shared/vectors/80286-real/",
                $base,
                ".json.gz"
            )) as &[u8],
        )
    };
}

pub const VECTORS: [(&str, &[u8]); 10] = [
    vector_file!("00"),
    vector_file!("27"),
    vector_file!("6D"),
    vector_file!("A5"),
    vector_file!("A7"),
    vector_file!("C1.4"),
    vector_file!("CF"),
    vector_file!("D3.5"),
    vector_file!("F6.7"),
    vector_file!("F7.6"),
];

const INDEX_JSON: &str = include_str!("../../../../../shared/vectors/80286-real/index.json");

/// A property of a plain JavaScript object.
pub fn prop(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).expect("object property")
}

pub fn num(obj: &JsValue, key: &str) -> f64 {
    prop(obj, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

/// `globalThis.a.b...` as a string, if it is one.
pub fn global_string(path: &[&str]) -> Option<String> {
    let mut v: JsValue = js_sys::global().into();
    for key in path {
        if v.is_undefined() || v.is_null() {
            return None;
        }
        v = js_sys::Reflect::get(&v, &JsValue::from_str(key)).ok()?;
    }
    v.as_string()
}

/// The Error message of a rejected call, checked to be a real JavaScript Error.
pub fn error_message<T>(r: Result<T, JsValue>) -> String {
    let Err(e) = r else {
        panic!("expected an error");
    };
    let e = e
        .dyn_into::<js_sys::Error>()
        .expect("the error is a JavaScript Error");
    String::from(e.message())
}

fn machine_with_hi() -> Machine {
    let mut m = Machine::new(1048576.0, Some("286".into())).expect("machine");
    m.load(0x10000 as f64, &HI).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("ip", 0.0).expect("ip");
    m
}

pub fn hi_program() {
    let mut m = machine_with_hi();
    assert_eq!(m.model(), "286");
    assert_eq!(m.mem_bytes(), 1048576.0);
    assert_eq!(m.mode(), "real");
    assert_eq!(m.cpl(), 0);
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(m.debug_output(None).expect("out"), "hi");
    assert_eq!(m.debug_output(Some(1.0)).expect("out"), "i");
    assert_eq!(m.debug_output(Some(99.0)).expect("out"), "");
    assert_eq!(m.debug_output_length(), 2.0);
    assert_eq!(m.get_reg("ax").expect("ax"), 0x0069);
    assert_eq!(m.get_reg("al").expect("al"), 0x69);
    assert_eq!(m.get_reg("cx").expect("cx"), 0);
    assert_eq!(m.get_reg("si").expect("si"), 0x000F);
    assert_eq!(m.get_reg("ip").expect("ip"), 0x000D);
    assert_eq!(m.get_reg("cs").expect("cs"), 0x1000);
    assert_eq!(m.get_reg("flags").expect("flags"), 0x0002);
    let c = m.counters().expect("counters");
    assert!(!c.is_instance_of::<js_sys::Map>(), "a plain object");
    // mov, mov, 2 x (lodsb, out, loop), hlt; six distinct instructions decoded once each.
    assert_eq!(num(&c, "instructions"), 9.0);
    assert_eq!(num(&c, "exceptions"), 0.0);
    assert_eq!(num(&c, "invalidOpcodes"), 0.0);
    assert_eq!(num(&c, "interrupts"), 0.0);
    assert_eq!(num(&c, "cacheMisses"), 6.0);
    assert_eq!(num(&c, "cacheHits"), 3.0);
    // Halted stays halted; a zero budget is not an error.
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 9.0);
    assert_eq!(
        m.read_mem(0x1000D as f64, 2.0).expect("read"),
        b"hi".to_vec()
    );
    // Past the end of RAM is not an error (what reads there is the board's business).
    assert_eq!(m.read_mem(0x200000 as f64, 2.0).expect("read").len(), 2);
}

pub fn registers_round_trip() {
    let mut m = Machine::new(1048576.0, None).expect("machine");
    assert_eq!(m.model(), "286");
    m.set_reg("eax", 0x1234_5678 as f64).expect("eax");
    assert_eq!(m.get_reg("ah").expect("ah"), 0x56);
    m.set_reg("al", 0xAB as f64).expect("al");
    assert_eq!(m.get_reg("ax").expect("ax"), 0x56AB);
    m.set_reg("ds", 0x2000 as f64).expect("ds");
    assert_eq!(m.get_reg("ds").expect("ds"), 0x2000);
    let names = register_names();
    assert_eq!(names.length(), 42);
    for n in names.iter() {
        let n = n.as_string().expect("a string");
        m.get_reg(&n).unwrap_or_else(|_| panic!("getReg({n})"));
    }
    assert!(!version().is_empty());
}

pub fn reset_power_cycles() {
    let mut m = machine_with_hi();
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    m.reset().expect("reset");
    assert_eq!(m.debug_output(None).expect("out"), "");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 0.0);
    assert_eq!(m.get_reg("cs").expect("cs"), 0xF000);
    assert_eq!(m.get_reg("ip").expect("ip"), 0xFFF0);
    assert_eq!(m.read_mem(0x10000 as f64, 4.0).expect("read"), vec![0; 4]);
    assert_eq!(m.mem_bytes(), 1048576.0);
    // Runs again from scratch after loading again.
    m.load(0x10000 as f64, &HI).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("ip", 0.0).expect("ip");
    assert_eq!(m.run(5.0).expect("run"), "budget");
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(m.debug_output(None).expect("out"), "hi");
}

pub fn bad_inputs_are_errors() {
    let msg = error_message(Machine::new(65536.0, None));
    assert!(msg.contains("memory size"), "{msg}");
    let msg = error_message(Machine::new(-1.0, None));
    assert!(msg.contains("memBytes must be a whole number"), "{msg}");
    let msg = error_message(Machine::new(f64::NAN, None));
    assert!(msg.contains("memBytes"), "{msg}");
    let msg = error_message(Machine::new(1048576.5, None));
    assert!(msg.contains("memBytes"), "{msg}");
    let msg = error_message(Machine::new(1048576.0, Some("z80".into())));
    assert!(msg.contains("unknown CPU model 'z80'"), "{msg}");

    let mut m = Machine::new(1048576.0, None).expect("machine");
    let msg = error_message(m.load(0xFFFF0 as f64, &[0; 32]));
    assert!(msg.contains("do not fit"), "{msg}");
    let msg = error_message(m.load(-16.0, &[0; 1]));
    assert!(msg.contains("addr"), "{msg}");
    let msg = error_message(m.set_reg("xyz", 1.0));
    assert!(msg.contains("unknown register 'xyz'"), "{msg}");
    let msg = error_message(m.get_reg("xyz"));
    assert!(msg.contains("unknown register 'xyz'"), "{msg}");
    let msg = error_message(m.set_reg("ax", -1.0));
    assert!(msg.contains("register value"), "{msg}");
    let msg = error_message(m.set_reg("eax", 4294967296.0));
    assert!(msg.contains("register value"), "{msg}");
    let msg = error_message(m.run(-5.0));
    assert!(msg.contains("instruction count"), "{msg}");
    let msg = error_message(m.run(1.5));
    assert!(msg.contains("instruction count"), "{msg}");
    let msg = error_message(m.read_mem(0.0, 1048577.0));
    assert!(msg.contains("larger than"), "{msg}");
    let msg = error_message(m.debug_output(Some(-1.0)));
    assert!(msg.contains("start"), "{msg}");
    let msg = error_message(run_vector_file("00", b"not gzip", 0xFFFF as f64));
    assert!(msg.contains("not a gzip file"), "{msg}");
    let msg = error_message(run_vector_file("00", VECTORS[0].1, 70000.0));
    assert!(msg.contains("flagsMask"), "{msg}");
    // The machine is still usable after all that.
    assert_eq!(m.run(1.0).expect("run"), "budget");
}

fn masks() -> HashMap<String, u16> {
    conformance::parse_index(INDEX_JSON).expect("index.json")
}

/// Run one vector file through `runVectorFile` and require every test to pass.
pub fn vector_file(base: &str) {
    let (_, gz) = VECTORS
        .iter()
        .find(|(b, _)| *b == base)
        .expect("a listed vector file");
    let mask = *masks().get(base).expect("file in index.json");
    let rep = run_vector_file(base, gz, mask as f64).expect("runVectorFile");
    assert_eq!(prop(&rep, "base").as_string().as_deref(), Some(base));
    let failures = js_sys::Array::from(&prop(&rep, "failures"));
    let first: Vec<String> = failures
        .iter()
        .take(5)
        .filter_map(|f| f.as_string())
        .collect();
    assert_eq!(num(&rep, "failed"), 0.0, "{base}: {first:?}");
    assert_eq!(failures.length(), 0);
    assert_eq!(num(&rep, "passed"), 300.0, "{base}");
    assert_eq!(num(&rep, "skipped"), 0.0, "{base}");
}

/// Defines every shared test as a `#[wasm_bindgen_test]` in the calling file.
#[macro_export]
macro_rules! web_tests {
    () => {
        use wasm_bindgen_test::wasm_bindgen_test;

        #[wasm_bindgen_test]
        fn hi_program_writes_port_e9_and_halts() {
            common::hi_program();
        }
        #[wasm_bindgen_test]
        fn registers_round_trip() {
            common::registers_round_trip();
        }
        #[wasm_bindgen_test]
        fn reset_power_cycles() {
            common::reset_power_cycles();
        }
        #[wasm_bindgen_test]
        fn bad_inputs_are_errors_not_panics() {
            common::bad_inputs_are_errors();
        }
        #[wasm_bindgen_test]
        fn vectors_00() {
            common::vector_file("00");
        }
        #[wasm_bindgen_test]
        fn vectors_27() {
            common::vector_file("27");
        }
        #[wasm_bindgen_test]
        fn vectors_6d() {
            common::vector_file("6D");
        }
        #[wasm_bindgen_test]
        fn vectors_a5() {
            common::vector_file("A5");
        }
        #[wasm_bindgen_test]
        fn vectors_a7() {
            common::vector_file("A7");
        }
        #[wasm_bindgen_test]
        fn vectors_c1_4() {
            common::vector_file("C1.4");
        }
        #[wasm_bindgen_test]
        fn vectors_cf() {
            common::vector_file("CF");
        }
        #[wasm_bindgen_test]
        fn vectors_d3_5() {
            common::vector_file("D3.5");
        }
        #[wasm_bindgen_test]
        fn vectors_f6_7() {
            common::vector_file("F6.7");
        }
        #[wasm_bindgen_test]
        fn vectors_f7_6() {
            common::vector_file("F7.6");
        }
    };
}
